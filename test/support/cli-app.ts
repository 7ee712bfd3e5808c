// An app run by the real `apphostctl up --plain` in a fresh temp folder, with a raw HTTPS client on
// its API (read from the kubeconfig it writes). For suites that treat apphost as a black box.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startCli, type LiveCli } from '../cli/support.ts';
import { createRawClient } from './raw-api-client.ts';

export interface CliApp {
  dir: string;
  up: LiveCli;
  kubeconfig: { path: string; server: string; token: string; ca: string };
  client: ReturnType<typeof createRawClient>;
  /** GET of an apphost.dev/v1 object in `default` (undefined when missing). */
  get<T = any>(plural: string, name: string): Promise<T | undefined>;
  list<T = any>(plural: string): Promise<T[]>;
  /** Ctrl+C, then removes the folder. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface CliAppOptions {
  /** Files to write into the folder first (name -> content); `apphost.yaml` is the manifest. */
  files: Record<string, string>;
  name: string;
  env?: Record<string, string>;
  /** Extra `up` arguments. */
  args?: string[];
  /** Output to wait for before returning (default: the API line). */
  ready?: RegExp;
  timeoutMs?: number;
}

/** The API of the app running in `dir`, from the kubeconfig its `up` wrote (close the client). */
export function connectToApp(dir: string): { kubeconfig: CliApp['kubeconfig']; client: CliApp['client'] } {
  const path = join(dir, '.apphost', 'kubeconfig');
  const kc = YAML.parse(readFileSync(path, 'utf8'));
  const kubeconfig = {
    path,
    server: kc.clusters[0].cluster.server as string,
    token: kc.users[0].user.token as string,
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
  };
  const client = createRawClient({ url: kubeconfig.server, port: Number(new URL(kubeconfig.server).port), token: kubeconfig.token, caPem: kubeconfig.ca });
  return { kubeconfig, client };
}

export async function startCliApp(options: CliAppOptions): Promise<CliApp> {
  const dir = mkdtempSync(join(tmpdir(), `apphost-${options.name}-`));
  for (const [file, content] of Object.entries(options.files)) writeFileSync(join(dir, file), content);
  const up = startCli(['up', '--plain', '--name', options.name, ...(options.args ?? [])], dir, options.env ?? {});
  try {
    await up.waitFor(options.ready ?? /^apphost \S+ {2}https:/m, options.timeoutMs ?? 60_000);
  } catch (err) {
    await up.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { kubeconfig, client } = connectToApp(dir);
  const base = '/apis/apphost.dev/v1/namespaces/default';
  return {
    dir,
    up,
    kubeconfig,
    client,
    async get(plural, name) {
      const res = await client.request({ path: `${base}/${plural}/${name}` });
      return res.status === 200 ? res.json : undefined;
    },
    async list(plural) {
      return ((await client.request({ path: `${base}/${plural}` })).json?.items ?? []) as any[];
    },
    async stop(signal = 'SIGINT') {
      const code = await up.stop(signal);
      client.close();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * A Resource `stubborn` whose replica ignores SIGTERM, with a `sleep` grandchild that ignores it
 * too; it prints `started` once both run.
 */
export const STUBBORN_RESOURCE = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: stubborn}
spec:
  executable:
    command: sh
    args: ['-c', "trap '' TERM; sleep 1000 & echo started; wait"]
`;
