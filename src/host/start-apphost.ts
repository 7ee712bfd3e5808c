// startApphost: the whole control plane in this process. Registry (crds/ + users' CRDs) and store,
// the HTTPS API server and its kubeconfig, orphan reaping, the controller manager with every
// built-in controller (and users' own), then the manifests. stop() tears it down in the order of
// DESIGN.md: stop accepting writes, stop replicas (grace, then kill), close proxies, remove session
// containers and networks.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { BUILTIN_CRD_DIR, createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import { startApiServer, writeKubeconfig, type ApiServer } from '../../apiserver/http/index.ts';
import { createBuiltinControllers } from '../../controllers/index.ts';
import type { KubeObject } from '../api/types.ts';
import { createProber } from '../platform/health/index.ts';
import { createLogStore } from '../platform/logs/index.ts';
import { createNetProxyFactory, createProxyMetrics, defaultProxyWorkers } from '../platform/net/index.ts';
import { createPortAllocator } from '../platform/ports/index.ts';
import { createFileParameterSource } from '../platform/secrets/index.ts';
import { createPostgresDatabaseCreator } from '../platform/databases/index.ts';
import { createDevCertificates } from '../platform/tls/index.ts';
import { createProcessRecords, createProcessRunner, currentInstanceId, reapOrphans } from '../platform/process/index.ts';
import { createManager, type Manager } from '../runtime/manager.ts';
import { promMetricsRecorder } from '../runtime/prom-metrics.ts';
import { applyManifests } from './apply-manifests.ts';
import { createDockerControllers, type DockerControllers } from './docker-controllers.ts';
import { hostHealthChecks } from './health-checks.ts';
import { HostError } from './errors.ts';
import { applicationName, projectHash } from './project.ts';
import type { Apphost, StartApphostOptions } from './types.ts';

/** `.apphost/` inside the project folder. */
export function stateDir(dir: string): string {
  return join(resolve(dir), '.apphost');
}

export async function startApphost(options: StartApphostOptions): Promise<Apphost> {
  const dir = resolve(options.dir);
  const name = applicationName(dir, options.name);
  const hash = projectHash(dir);
  const instanceId = currentInstanceId();
  const logger = (options.logger ?? pino({ level: process.env.APPHOST_LOG_LEVEL ?? 'warn' }, pino.destination(2))).child({ app: name });
  const state = stateDir(dir);
  const kubeconfigPath = join(state, 'kubeconfig');
  const graceMs = options.gracePeriodMs ?? 10_000;
  const cleanups: (() => Promise<void>)[] = [];

  const undo = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => logger.warn({ err }, 'cleanup failed'));
  };

  try {
    // `.apphost/` holds the API token (kubeconfig) and process records: this user's only.
    await mkdir(state, { recursive: true, mode: 0o700 });
    await chmod(state, 0o700);
    // What a dead instance left running goes first: its processes may hold our ports.
    const processesDir = join(state, 'processes');
    const reaped = await reapOrphans({ dir: processesDir, logger });
    if (reaped.length > 0) logger.warn({ count: reaped.length }, 'stopped processes left behind by an apphost that did not shut down');

    const registry = createApphostRegistry({ extraCrdDirs: (options.crdDirs ?? []).map((d) => resolve(dir, d)) });
    const store = createStore({ registry });
    const logs = createLogStore();

    // One Registry for /metrics: the API server's, the controllers' and the proxies' metrics.
    const metrics = new MetricsRegistry();
    // The server answers before the controllers run: its readiness checks look at them when asked.
    let manager: Manager | undefined;
    let docker: DockerControllers | undefined;
    const healthChecks = hostHealthChecks({ store, manager: () => manager, ...(options.docker === false ? {} : { docker: () => docker }) });
    const server: ApiServer = await startApiServer({ store, registry, logs, metrics, healthChecks, logger: logger.child({ component: 'api' }), ...(options.apiPort !== undefined ? { port: options.apiPort } : {}) });
    let serverClosed: Promise<void> | undefined;
    const closeServer = () => (serverClosed ??= server.close());
    cleanups.push(closeServer);
    await writeKubeconfig(kubeconfigPath, server, { name: `apphost-${name}` });
    cleanups.push(() => rm(kubeconfigPath, { force: true }));

    const records = createProcessRecords({ dir: processesDir, instanceId });
    const runner = createProcessRunner({ logs, records, logger: logger.child({ component: 'process' }), graceMs });
    cleanups.push(async () => {
      await runner.stopAll({ graceMs });
      await records.release();
    });
    const ports = createPortAllocator();

    const app = { name, projectHash: hash, instanceId };
    // Created on first need (an https endpoint), in $APPHOST_HOME/dev-certs or ~/.apphost/dev-certs.
    const devCertificates = createDevCertificates();
    docker = await createDockerControllers(options.docker ?? 'auto', { app, logs, baseDir: dir, graceMs, logger });

    // Proxy worker processes go after the proxies they serve (cleanups run in reverse).
    const proxies = createNetProxyFactory({ workers: defaultProxyWorkers(), logger: logger.child({ component: 'proxy-workers' }) });
    cleanups.push(() => proxies.close?.() ?? Promise.resolve());
    const controllers = createManager({ store, registry, logger, stopTimeoutMs: 1000, metrics: promMetricsRecorder(metrics) });
    manager = controllers;
    cleanups.push(() => controllers.stop());
    for (const def of createBuiltinControllers({
      runner,
      prober: createProber(),
      proxies,
      proxyMetrics: createProxyMetrics(metrics),
      ports,
      parameters: createFileParameterSource({ file: join(state, 'secrets.json') }),
      postgres: createPostgresDatabaseCreator(),
      devCertificates,
      baseDir: dir,
      gracePeriodMs: graceMs,
      logs,
      namespacedKinds: registry.list().filter((k) => k.namespaced && !k.placeholder).map((k) => k.key),
      logger: logger.child({ component: 'proxy' }),
      extra: docker.controllers,
    })) {
      controllers.add(def);
    }
    for (const def of options.controllers ?? []) controllers.add(def);
    await controllers.start();

    const apply = (objects: KubeObject[]) => applyManifests(store, objects);
    const applied = await apply(options.manifests ?? []);

    let stopping: Promise<void> | undefined;
    const apphost: Apphost = {
      name,
      projectHash: hash,
      instanceId,
      url: server.url,
      kubeconfigPath,
      store,
      client: controllers.client,
      logs,
      applied,
      apply,
      gracePeriodMs: graceMs,
      processes: () => runner.running().map((p) => ({ id: p.id, pid: p.pid })),
      async kill() {
        runner.killAll();
        await docker?.killSessionContainers();
      },
      stop() {
        stopping ??= (async () => {
          logger.info('stopping');
          await closeServer(); // stop accepting writes first
          await undo();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
    return apphost;
  } catch (err) {
    await undo();
    if (err instanceof HostError) throw err;
    throw new HostError('START_FAILED', `apphost could not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
