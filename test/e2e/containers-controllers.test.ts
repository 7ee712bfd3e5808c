// The containers and networks controllers against the real Docker Engine: a real manager and store
// (CRD registry), real dockerd, the offline busybox image. Replicas, Endpoints and their statuses are
// written by the test where other controllers would.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import Docker from 'dockerode';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { Store } from '../../src/api/store.ts';
import { createContainersController, LABELS, type AppIdentity } from '../../controllers/containers/index.ts';
import { createNetworksController } from '../../controllers/networks/index.ts';
import { createProxiesController } from '../../controllers/proxies/index.ts';
import type { Endpoint, Network, Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import { createDockerRuntime } from '../../src/platform/docker/index.ts';
import { createLogStore, type LogStore } from '../../src/platform/logs/index.ts';
import { createNetProxyFactory } from '../../src/platform/net/index.ts';
import { createManager, type Manager } from '../../src/runtime/manager.ts';
import { TEST_IMAGE, dockerTestEnv } from '../support/docker-env.ts';
import { freePort, waitFor } from '../support/wait.ts';

const env = await dockerTestEnv();
const V = 'apphost.dev/v1';
const NS = 'default';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const HTTPD = ['-f', '-p', '8080', '-h', '/var/www'];

const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition') =>
  waitFor(what, fn, timeoutMs, 50);


/** Tests that need a running Docker Engine (the Docker-unavailable one runs everywhere). */
const dockerIt = env.available ? it : it.skip;

describe('containers + networks controllers on real dockerd', () => {
  const docker = new Docker();
  const runtime = createDockerRuntime({ pullPolicy: 'never' });
  const appName = `e2e-${env.runId}`;
  const running: { manager: Manager; store: Store }[] = [];

  interface Instance {
    manager: Manager;
    store: Store;
    logs: LogStore;
    app: AppIdentity;
  }

  async function start(instanceId: string, options: { runtime?: typeof runtime } = {}): Promise<Instance> {
    const registry = createApphostRegistry();
    const store = createStore({ registry });
    const logs = createLogStore();
    const app: AppIdentity = { name: appName, projectHash: `ph${env.runId}`, instanceId };
    const manager = createManager({ store, registry, logger, stopTimeoutMs: 2000 });
    const rt = options.runtime ?? runtime;
    manager.add(createNetworksController({ runtime: rt, app, dockerRetryMs: 200 }));
    // Serves the container tunnel's Proxy objects.
    manager.add(createProxiesController({ factory: createNetProxyFactory() }));
    manager.add(createContainersController({ runtime: rt, app, logs, gracePeriodSeconds: 0, dockerRetryMs: 200, restartBackoff: { baseMs: 100, maxMs: 1000, resetAfterMs: 10_000 } }));
    await manager.start();
    running.push({ manager, store });
    return { manager, store, logs, app };
  }

  async function stop(inst: Instance): Promise<void> {
    await inst.manager.stop();
    const i = running.findIndex((r) => r.manager === inst.manager);
    if (i >= 0) running.splice(i, 1);
  }

  async function addContainer(inst: Instance, name: string, spec: Partial<ResourceSpec>, env: Record<string, string> = {}, replicas = 1): Promise<void> {
    const res = await inst.manager.client.create<Resource>({
      apiVersion: V,
      kind: 'Resource',
      metadata: { name, namespace: NS },
      spec: { container: { image: TEST_IMAGE }, stopGracePeriodSeconds: 0, ...spec } as ResourceSpec,
    });
    for (let index = 0; index < replicas; index++) {
      await inst.manager.client.create<Replica>({
        apiVersion: V,
        kind: 'Replica',
        metadata: {
          name: `${name}-${index}`,
          namespace: NS,
          ownerReferences: [{ apiVersion: V, kind: 'Resource', name, uid: res.metadata.uid!, controller: true }],
        },
        spec: {
          resource: name,
          index,
          env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
          ports: (spec.endpoints ?? []).map((e) => ({ name: e.name ?? 'http', targetPort: e.targetPort! })),
          templateHash: 'h',
        },
      });
    }
  }

  const replica = (inst: Instance, name: string) => inst.store.tryGet<Replica>('Replica', NS, name);
  const runningReplica = (inst: Instance, name: string) =>
    until(() => {
      const r = replica(inst, name);
      return r?.status?.state === 'Running' && r.status.containerId ? r : undefined;
    }, 20_000, `${name} running`);
  const logLines = (inst: Instance, name: string) => inst.logs.read(`${NS}/${name}`).map((l) => l.line);

  async function removeAll(): Promise<void> {
    if (!env.available) return;
    const filters = JSON.stringify({ label: [`${LABELS.app}=${appName}`] });
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  }

  afterEach(async () => {
    for (const r of running.splice(0)) await r.manager.stop().catch(() => undefined);
    await removeAll();
  });
  afterAll(removeAll);

  dockerIt('reaches a container at its name and every network alias from another container', async () => {
    const inst = await start('a1');
    await addContainer(inst, 'cache', {
      container: { image: TEST_IMAGE, command: 'httpd', args: HTTPD, networkAliases: ['redis-primary', 'session-store'] },
      endpoints: [{ name: 'http', targetPort: 8080 }],
    });
    await runningReplica(inst, 'cache-0');
    await addContainer(inst, 'client', {
      container: {
        image: TEST_IMAGE,
        command: 'sh',
        args: [
          '-c',
          'n=0; until wget -q -O /dev/null http://cache:8080/ || [ $n -ge 100 ]; do n=$((n+1)); sleep 0.1; done; ' +
            'for h in cache redis-primary session-store; do echo "$h=$(wget -q -O - http://$h:8080/)"; done; sleep 600',
        ],
      },
    });
    await runningReplica(inst, 'client-0');
    const lines = await until(() => (logLines(inst, 'client-0').length >= 3 ? logLines(inst, 'client-0') : undefined), 15_000, 'client output');
    expect(lines).toEqual(['cache=apphost test image', 'redis-primary=apphost test image', 'session-store=apphost test image']);

    const network = inst.store.get<Network>('Network', NS, 'default');
    expect(network.status?.runtimeName).toBe(`apphost-session-network-a1-${appName}`);
    const withAttachments = await until(() => {
      const n = inst.store.get<Network>('Network', NS, 'default');
      return (n.status?.attachments?.length ?? 0) >= 2 ? n : undefined;
    }, 10_000, 'attachments');
    expect(withAttachments.status?.attachments).toContainEqual({ replica: 'cache-0', aliases: expect.arrayContaining(['cache', 'redis-primary', 'session-store']) });
    // The published (proxied) port is on 127.0.0.1 and reported as hostPort.
    const hostPort = replica(inst, 'cache-0')!.status!.ports![0]!.hostPort!;
    expect(hostPort).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${hostPort}/`)).text()).toContain('apphost test image');
  });

  dockerIt('publishes a proxyless endpoint host port -> container port', async () => {
    const inst = await start('a2');
    const port = await freePort();
    await addContainer(inst, 'web', {
      container: { image: TEST_IMAGE, command: 'httpd', args: HTTPD },
      endpoints: [{ name: 'http', port, targetPort: 8080, isProxied: false }],
    });
    const rep = await runningReplica(inst, 'web-0');
    expect(rep.status?.ports).toEqual([{ name: 'http', targetPort: 8080, hostPort: port }]);
    const body = await until(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => undefined), 10_000, 'http');
    expect(body).toContain('apphost test image');
  });

  dockerIt('serves two replicas of one container endpoint on their own published ports', async () => {
    const inst = await start('a3');
    await addContainer(
      inst,
      'svc',
      { container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'echo "$APPHOST_REPLICA" > /var/www/index.html; exec httpd -f -p 8080 -h /var/www'] }, endpoints: [{ name: 'http', targetPort: 8080 }], replicas: 2 },
      {},
      2,
    );
    const a = await runningReplica(inst, 'svc-0');
    const b = await runningReplica(inst, 'svc-1');
    const pa = a.status!.ports![0]!.hostPort!;
    const pb = b.status!.ports![0]!.hostPort!;
    expect(pa).not.toBe(pb);
    const get = (p: number) => until(() => fetch(`http://127.0.0.1:${p}/`).then((r) => r.text()).catch(() => undefined), 10_000, 'http');
    expect((await get(pa)).trim()).toBe('svc-0');
    expect((await get(pb)).trim()).toBe('svc-1');
  });

  dockerIt('lets a container reach a host process through host.apphost.internal (container tunnel)', async () => {
    const server = http.createServer((_req, res) => res.end('hello from the host'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hostPort = (server.address() as net.AddressInfo).port;
    try {
      const inst = await start('a4');
      const api = await inst.manager.client.create<Resource>({ apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'node' } } });
      const ep = await inst.manager.client.create<Endpoint>({
        apiVersion: V,
        kind: 'Endpoint',
        metadata: { name: 'api-http', namespace: NS, ownerReferences: [{ apiVersion: V, kind: 'Resource', name: 'api', uid: api.metadata.uid!, controller: true }] },
        spec: { resource: 'api', name: 'http', scheme: 'http', protocol: 'TCP' },
      });
      await inst.manager.client.updateStatus<Endpoint>({ ...ep, status: { port: hostPort, address: 'localhost', url: `http://localhost:${hostPort}` } });
      await addContainer(
        inst,
        'consumer',
        { container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'n=0; while [ $n -lt 100 ]; do r=$(wget -q -O - "$API_HTTP") && { echo "got=$r"; break; }; n=$((n+1)); sleep 0.2; done; sleep 600'] } },
        { API_HTTP: `http://host.apphost.internal:${hostPort}/` },
      );
      await runningReplica(inst, 'consumer-0');
      const lines = await until(() => logLines(inst, 'consumer-0').find((l) => l.startsWith('got=')), 15_000, 'tunnel response');
      expect(lines).toBe('got=hello from the host');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  dockerIt('restarts an exiting container per restartPolicy from Docker events, and reports the exit', async () => {
    const inst = await start('r1');
    await addContainer(inst, 'crash', { container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'sleep 0.2; exit 3'] }, restartPolicy: 'OnFailure' });
    await addContainer(inst, 'once', { container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'exit 4'] }, restartPolicy: 'Never' });
    const crashed = await until(() => {
      const r = replica(inst, 'crash-0');
      return (r?.status?.restarts ?? 0) >= 2 ? r : undefined;
    }, 15_000, 'two restarts');
    const id = crashed.status!.containerId!;
    const once = await until(() => {
      const r = replica(inst, 'once-0');
      return r?.status?.state === 'Failed' ? r : undefined;
    }, 15_000, 'once failed');
    expect(once.status).toMatchObject({ exitCode: 4, restarts: 0 });
    expect(once.status?.conditions?.find((c) => c.type === 'Running')).toMatchObject({ status: 'False', reason: 'Exited', message: 'exited with code 4' });
    // Same container restarted in place (docker start), not recreated.
    expect(replica(inst, 'crash-0')!.status!.containerId).toBe(id);
  });

  dockerIt('reports a container that cannot start (missing image, bad entrypoint) as Failed with the reason', async () => {
    const inst = await start('f1');
    await addContainer(inst, 'noimage', { container: { image: 'apphost-test/missing-image', tag: 'none' } });
    await addContainer(inst, 'badcmd', { container: { image: TEST_IMAGE, command: '/no/such/binary' } });
    const cond = (name: string) =>
      until(() => {
        const c = replica(inst, name)?.status?.conditions?.find((x) => x.type === 'Running');
        return c && c.reason !== 'WaitingForNetwork' ? c : undefined;
      }, 15_000, `${name} condition`);
    expect(await cond('noimage-0')).toMatchObject({ status: 'False', reason: 'ImageNotFound' });
    const bad = await cond('badcmd-0');
    expect(bad.status).toBe('False');
    // Docker answers 400 (InvalidSpec) or 500 (StartFailed) depending on its version.
    expect(['InvalidSpec', 'StartFailed']).toContain(bad.reason);
    expect(bad.message).toContain('/no/such/binary');
    expect(replica(inst, 'badcmd-0')?.status?.state).toBe('Failed');
    // (That a failed start leaves no container behind is asserted in docker-runtime.test.ts; here a
    // backoff retry may be creating one at any moment.)
  });

  dockerIt('removes session containers and the session network on shutdown', async () => {
    const inst = await start('a5');
    await addContainer(inst, 'cache', { container: { image: TEST_IMAGE, command: 'httpd', args: HTTPD } });
    const rep = await runningReplica(inst, 'cache-0');
    const netName = `apphost-session-network-a5-${appName}`;
    expect((await runtime.inspectNetwork(netName))?.name).toBe(netName);
    expect((await runtime.inspectContainer(rep.status!.containerId!))?.running).toBe(true);
    await stop(inst);
    expect(await runtime.inspectContainer(rep.status!.containerId!)).toBeUndefined();
    expect(await runtime.inspectNetwork(netName)).toBeUndefined();
  });

  dockerIt('keeps a persistent container and its network, reuses them next run, recreates on env change', async () => {
    const port = await freePort();
    const spec: Partial<ResourceSpec> = {
      container: { image: TEST_IMAGE, command: 'httpd', args: HTTPD },
      lifetime: 'Persistent',
      endpoints: [{ name: 'http', port, targetPort: 8080 }],
    };
    const first = await start('p1');
    await addContainer(first, 'store', spec, { MODE: 'one' });
    const id = (await runningReplica(first, 'store-0')).status!.containerId!;
    const netName = `apphost-persistent-network-ph${env.runId}-${appName}`;
    expect(first.store.get<Network>('Network', NS, 'default').status?.runtimeName).toBe(netName);
    await stop(first);
    expect((await runtime.inspectContainer(id))?.running).toBe(true);
    expect(await runtime.inspectNetwork(netName)).toBeDefined();
    expect(await until(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok).catch(() => false), 5000, 'still serving')).toBe(true);

    const second = await start('p2');
    await addContainer(second, 'store', spec, { MODE: 'one' });
    expect((await runningReplica(second, 'store-0')).status?.containerId).toBe(id);
    await stop(second);

    const third = await start('p3');
    await addContainer(third, 'store', spec, { MODE: 'two' });
    const changed = (await runningReplica(third, 'store-0')).status!.containerId!;
    expect(changed).not.toBe(id);
    expect(await runtime.inspectContainer(id)).toBeUndefined();
  });

  dockerIt('removes the session containers and network of a SIGKILLed instance at the next start', async () => {
    // A pid that is certainly dead: a child that already exited.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((r) => child.on('exit', () => r(child.pid!)));
    const dead = createDockerRuntime({ pullPolicy: 'never' });
    const labels = { [LABELS.app]: appName, [LABELS.project]: `ph${env.runId}`, [LABELS.instance]: 'dead1', [LABELS.pid]: String(deadPid), [LABELS.lifetime]: 'Session' };
    const netName = `apphost-session-network-dead1-${appName}`;
    await dead.createNetwork({ name: netName, labels });
    const c = await dead.runContainer({ name: `left-${env.runId}`, image: TEST_IMAGE, command: 'sleep', args: ['600'], labels, network: { network: netName } });
    await start('k2');
    expect(await runtime.inspectContainer(c.id)).toBeUndefined();
    expect(await runtime.inspectNetwork(netName)).toBeUndefined();
  });

  it('reports Docker being unavailable as a condition without crashing', async () => {
    const down = createDockerRuntime({ socketPath: `/tmp/apphost-no-docker-${env.runId}.sock` });
    const inst = await start('d1', { runtime: down });
    await addContainer(inst, 'cache', { container: { image: TEST_IMAGE, command: 'httpd', args: HTTPD } });
    const net = await until(() => {
      const n = inst.store.tryGet<Network>('Network', NS, 'default');
      return n?.status?.conditions?.find((c) => c.reason === 'DockerUnavailable') ? n : undefined;
    }, 10_000, 'network condition');
    expect(net.status?.phase).toBe('Pending');
    const rep = await until(() => {
      const r = replica(inst, 'cache-0');
      return r?.status?.conditions?.find((c) => c.type === 'Running' && c.reason === 'DockerUnavailable') ? r : undefined;
    }, 10_000, 'replica condition DockerUnavailable');
    expect(rep.status?.state).toBe('Pending');
    const cond = net.status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(cond.message).toContain('Docker is not available: cannot connect to');
    expect(cond.message).toContain('start dockerd or Docker Desktop');
  });
});
