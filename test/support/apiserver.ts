// Starts a store, a registry (from crds/ unless one is given) and the HTTPS API server for a test,
// with a kubeconfig in a fresh temp directory. `close()` stops the server and removes the directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { startApiServer, writeKubeconfig, type ApiServer, type ApiServerOptions } from '../../apiserver/http/index.ts';
import { createApphostRegistry, createRegistry, type Registry } from '../../apiserver/registry/index.ts';
import { createStore, type StoreOptions } from '../../apiserver/store/index.ts';
import type { Store } from '../../src/api/store.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CRDS_DIR = join(REPO_ROOT, 'crds');

export interface TestApiServer {
  store: Store;
  registry: Registry;
  server: ApiServer;
  /** Temp directory owned by this server (kubeconfig, kubectl cache). */
  dir: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

export interface TestApiServerOptions {
  registry?: Registry;
  /** CRD directories for a plain registry (default: the apphost registry: crds/ plus validators). */
  crdDirs?: string[];
  store?: Store;
  storeOptions?: Omit<StoreOptions, 'registry'>;
  server?: Omit<ApiServerOptions, 'store' | 'registry'>;
  logger?: Logger;
}

/** The registry apphost runs with (built-in CRDs and validators), or one from other CRD folders. */
export function createTestRegistry(crdDirs?: string[]): Registry {
  return crdDirs ? createRegistry({ crdDirs }) : createApphostRegistry();
}

export async function startTestApiServer(options: TestApiServerOptions = {}): Promise<TestApiServer> {
  const registry = options.registry ?? createTestRegistry(options.crdDirs);
  const store = options.store ?? createStore({ registry, ...options.storeOptions });
  const server = await startApiServer({ store, registry, logger: options.logger, ...options.server });
  const dir = await mkdtemp(join(tmpdir(), 'apphost-api-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, server);
  return {
    store,
    registry,
    server,
    dir,
    kubeconfigPath,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
