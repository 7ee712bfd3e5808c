// Containers + networks controllers over the real store with the fake container runtime.
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../apiserver/store/index.ts';
import type { Store } from '../../src/api/store.ts';
import type { Endpoint, KubeObject, Network, Proxy, Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import { createFakeContainerRuntime, type FakeContainerRuntime } from '../../test/support/fake-container-runtime.ts';
import { createFakeClock } from '../../src/runtime/clock.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { createKindsRegistry } from '../../test/integration/support/kinds-registry.ts';
import { createNetworksController } from '../networks/index.ts';
import { CONTAINER_FINALIZER, createContainersController, type ContainersControllerOptions } from './controller.ts';
import { LABELS, type AppIdentity } from './labels.ts';
import { containerReferenceUrl } from './reference-url.ts';
import { deadPort } from '../../test/support/net-backends.ts';

const V = 'apphost.dev/v1';
const APP: AppIdentity = { name: 'Demo App', projectHash: 'p1234567', instanceId: 'i0001' };

function resource(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return {
    apiVersion: V,
    kind: 'Resource',
    metadata: { name, namespace: NS },
    spec: {
      container: { image: 'redis', tag: '7', networkAliases: ['redis-primary', 'session-store'] },
      endpoints: [{ name: 'tcp', targetPort: 6379 }],
      ...spec,
    },
  };
}

function replica(res: Resource, index = 0, env: { name: string; value: string }[] = []): Replica {
  const created = res.metadata.uid ? res : undefined;
  return {
    apiVersion: V,
    kind: 'Replica',
    metadata: {
      name: `${res.metadata.name}-${index}`,
      namespace: NS,
      ...(created ? { ownerReferences: [{ apiVersion: V, kind: 'Resource', name: res.metadata.name, uid: res.metadata.uid!, controller: true }] } : {}),
    },
    spec: {
      resource: res.metadata.name,
      index,
      env,
      ports: (res.spec.endpoints ?? []).map((e) => ({ name: e.name ?? 'tcp', targetPort: e.targetPort! })),
      templateHash: 'h1',
    },
  };
}

describe('containers + networks controllers (fake runtime)', () => {
  let store: Store;
  let rt: FakeContainerRuntime;
  let containers: ControllerFixture;
  let networks: ControllerFixture;
  const fixtures: ControllerFixture[] = [];

  async function setup(options: Partial<ContainersControllerOptions> = {}, existing?: { store: Store; rt: FakeContainerRuntime }) {
    store = existing?.store ?? createStore({ registry: createKindsRegistry() });
    rt = existing?.rt ?? createFakeContainerRuntime();
    networks = await createControllerFixture(createNetworksController({ runtime: rt, app: options.app ?? APP }), store);
    containers = await createControllerFixture(
      createContainersController({
        runtime: rt,
        app: APP,
        gracePeriodSeconds: 0,
        restartBackoff: { baseMs: 30, maxMs: 200, resetAfterMs: 10_000 },
        dockerRetryMs: 50,
        isInstanceAlive: () => true,
        ...options,
      }),
      store,
    );
    fixtures.push(networks, containers);
  }
  const rep = (name: string) => store.get<Replica>('Replica', NS, name);
  const settle = async (reps: string[]) => {
    for (let i = 0; i < 5; i++) {
      const before = store.resourceVersion();
      await networks.settle(['default']);
      await containers.settle(reps);
      if (store.resourceVersion() === before) return;
    }
    throw new Error('not settled');
  };
  const running = () => [...rt.containers.values()].filter((c) => c.running);

  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.dispose();
  });

  it('waits for the network, then runs the container with aliases, published ports and labels; steady', async () => {
    await setup();
    const res = store.create(resource('cache'));
    store.create(replica(res));
    await containers.reconcile('cache-0');
    expect(rep('cache-0').status).toMatchObject({ state: 'Pending' });
    expect(rep('cache-0').status?.conditions?.find((c) => c.type === 'Running')).toMatchObject({ status: 'False', reason: 'WaitingForNetwork' });
    expect(rt.containers.size).toBe(0);

    await settle(['cache-0']);
    const net = store.get<Network>('Network', NS, 'default');
    expect(net.spec).toMatchObject({ lifetime: 'Session', app: 'Demo App' });
    expect(net.status).toMatchObject({ runtimeName: 'apphost-session-network-i0001-demo-app', gateway: '10.88.1.1', phase: 'Ready' });

    const [c] = running();
    expect(c).toBeDefined();
    expect(c!.name).toMatch(/^cache-[0-9a-f]{8}$/);
    expect(c!.image).toBe('redis:7');
    expect(c!.networks['apphost-session-network-i0001-demo-app']!.aliases).toEqual(['cache', 'redis-primary', 'session-store']);
    expect(c!.labels).toMatchObject({
      [LABELS.instance]: 'i0001',
      [LABELS.resource]: 'cache',
      [LABELS.replica]: 'cache-0',
      [LABELS.lifetime]: 'Session',
      [LABELS.app]: 'demo-app',
    });
    expect(c!.labels[LABELS.lifecycleKey]).toMatch(/^[0-9a-f]{16}$/);
    const created = rt.createdWith(c!.id)!;
    expect(created.extraHosts).toEqual({ 'host.apphost.internal': '10.88.1.1' });
    expect(created.ports).toEqual([{ containerPort: 6379, protocol: 'tcp', hostPort: 0, hostIp: '127.0.0.1' }]);
    expect(created.env).toMatchObject({ APPHOST_RESOURCE: 'cache', APPHOST_REPLICA: 'cache-0' });

    const r = rep('cache-0');
    expect(r.metadata.finalizers).toContain(CONTAINER_FINALIZER);
    expect(r.status).toMatchObject({ state: 'Running', containerId: c!.id, restarts: 0, ports: [{ name: 'tcp', targetPort: 6379, hostPort: c!.ports[0]!.hostPort }] });
    expect(r.status?.conditions?.find((x) => x.type === 'Running')?.status).toBe('True');
    await settle(['cache-0']);
    expect(store.get<Network>('Network', NS, 'default').status?.attachments).toEqual([
      { replica: 'cache-0', aliases: ['cache', 'redis-primary', 'session-store'] },
    ]);
    await containers.assertSteady(['cache-0']);
    await networks.assertSteady(['default']);
    expect(rt.calls.filter((x) => x.startsWith('run:'))).toHaveLength(1);
  });

  it('publishes a proxyless endpoint on its fixed host port', async () => {
    await setup();
    const res = store.create(resource('web', { endpoints: [{ name: 'http', port: 8000, targetPort: 8080, isProxied: false }] }));
    store.create(replica(res));
    await settle(['web-0']);
    const [c] = running();
    expect(rt.createdWith(c!.id)!.ports).toEqual([{ containerPort: 8080, protocol: 'tcp', hostPort: 8000, hostIp: '127.0.0.1' }]);
    expect(rep('web-0').status?.ports).toEqual([{ name: 'http', targetPort: 8080, hostPort: 8000 }]);
  });

  it('publishes a persistent (proxyless by default) endpoint on its target port when no port is given', async () => {
    await setup();
    const res = store.create(resource('db', { lifetime: 'Persistent', endpoints: [{ name: 'tcp', targetPort: 5432 }] }));
    store.create(replica(res));
    await settle(['db-0']);
    expect(rt.createdWith(running()[0]!.id)!.ports).toEqual([{ containerPort: 5432, protocol: 'tcp', hostPort: 5432, hostIp: '127.0.0.1' }]);
  });

  it('follows exits from the event stream and restarts per policy with backoff', async () => {
    const clock = createFakeClock();
    rt = createFakeContainerRuntime({ now: () => clock.now() });
    await setup({ clock }, { store: createStore({ registry: createKindsRegistry() }), rt });
    const res = store.create(resource('job', { restartPolicy: 'OnFailure' }));
    store.create(replica(res));
    await settle(['job-0']);
    const id = rep('job-0').status!.containerId!;
    containers.enqueued.length = 0;
    rt.simulateExit(id, 1);
    await new Promise((r) => setTimeout(r, 0));
    expect(containers.enqueued).toContainEqual({ namespace: NS, name: 'job-0' });
    const result = await containers.reconcile('job-0');
    expect(result?.requeueAfterMs).toBeGreaterThan(0);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(200);
    expect(rep('job-0').status).toMatchObject({ state: 'Failed', exitCode: 1 });
    expect(rep('job-0').status?.conditions?.find((x) => x.type === 'Running')?.reason).toBe('BackOff');
    // Not yet: still backing off.
    clock.advance(result!.requeueAfterMs! - 1);
    expect((await containers.reconcile('job-0'))?.requeueAfterMs).toBe(1);
    clock.advance(1);
    await containers.reconcile('job-0');
    expect(rep('job-0').status).toMatchObject({ state: 'Running', restarts: 1, containerId: id });

    // Exit 0 with OnFailure: completed, no restart.
    rt.simulateExit(id, 0);
    await new Promise((r) => setTimeout(r, 0));
    expect(await containers.reconcile('job-0')).toBeUndefined();
    expect(rep('job-0').status).toMatchObject({ state: 'Exited', exitCode: 0, restarts: 1 });
    expect(rep('job-0').status?.conditions?.find((x) => x.type === 'Running')?.reason).toBe('Completed');
    await containers.assertSteady(['job-0']);
  });

  it('recreates the container when its definition changes', async () => {
    await setup();
    const res = store.create(resource('cache'));
    const r = store.create(replica(res, 0, [{ name: 'A', value: '1' }]));
    await settle(['cache-0']);
    const first = rep('cache-0').status!.containerId!;
    store.update({ ...structuredClone(rep('cache-0')), spec: { ...r.spec, env: [{ name: 'A', value: '2' }], templateHash: 'h2' } });
    await settle(['cache-0']);
    const second = rep('cache-0').status!.containerId!;
    expect(second).not.toBe(first);
    expect(rt.containers.has(first)).toBe(false);
    expect(rt.createdWith(second)!.env).toMatchObject({ A: '2' });
  });

  it('removes a session container when its Replica is deleted, then the network when no container resource is left', async () => {
    await setup();
    const res = store.create(resource('cache'));
    store.create(replica(res));
    await settle(['cache-0']);
    expect(rt.containers.size).toBe(1);
    store.delete('Replica', NS, 'cache-0');
    await containers.reconcile('cache-0');
    expect(rt.containers.size).toBe(0);
    expect(store.tryGet('Replica', NS, 'cache-0')).toBeUndefined();
    await expect.poll(() => store.list<KubeObject & { reason: string; message: string; involvedObject: { kind: string; fieldPath?: string } }>('Event', { namespace: NS }).items.find((e) => e.reason === 'Killed')).toMatchObject({
      message: expect.stringMatching(/^replica cache-0 stopped: container \S+ removed$/),
      involvedObject: { kind: 'Resource', fieldPath: 'replicas{cache-0}' },
    });
    store.delete('Resource', NS, 'cache');
    await networks.settle(['default']);
    expect(store.tryGet('Network', NS, 'default')).toBeUndefined();
    expect(rt.networks.size).toBe(0);
  });

  it('keeps a persistent container and network on shutdown, adopts them on the next run, recreates on change', async () => {
    await setup();
    const res = store.create(resource('pg', { lifetime: 'Persistent', endpoints: [{ name: 'tcp', port: 15432, targetPort: 5432 }] }));
    store.create(replica(res, 0, [{ name: 'POSTGRES_PASSWORD', value: 'x' }]));
    await settle(['pg-0']);
    const net = store.get<Network>('Network', NS, 'default');
    expect(net.spec.lifetime).toBe('Persistent');
    expect(net.status?.runtimeName).toBe('apphost-persistent-network-p1234567-demo-app');
    const id = rep('pg-0').status!.containerId!;
    const name = rt.containers.get(id)!.name;
    expect(name).toMatch(/^pg-[0-9a-f]{8}$/);
    await containers.dispose();
    await networks.dispose();
    fixtures.length = 0;
    expect(rt.containers.get(id)?.running).toBe(true);
    expect(rt.networks.size).toBe(1);

    // Next run: a new store and instance, same project.
    const next = { store: createStore({ registry: createKindsRegistry() }), rt };
    await setup({ app: { ...APP, instanceId: 'i0002' } }, next);
    const res2 = store.create(resource('pg', { lifetime: 'Persistent', endpoints: [{ name: 'tcp', port: 15432, targetPort: 5432 }] }));
    store.create(replica(res2, 0, [{ name: 'POSTGRES_PASSWORD', value: 'x' }]));
    await settle(['pg-0']);
    expect(rep('pg-0').status?.containerId).toBe(id);
    expect(rt.calls.filter((c) => c.startsWith('run:'))).toHaveLength(1);
    expect(rt.calls.filter((c) => c.startsWith('network-create:'))).toHaveLength(1);

    // Changed env: recreated under the same name.
    store.update({ ...structuredClone(rep('pg-0')), spec: { ...rep('pg-0').spec, env: [{ name: 'POSTGRES_PASSWORD', value: 'y' }] } });
    await settle(['pg-0']);
    const recreated = rep('pg-0').status!.containerId!;
    expect(recreated).not.toBe(id);
    expect(rt.containers.get(recreated)!.name).toBe(name);
    expect(rt.containers.has(id)).toBe(false);
  });

  it('moves every container to the persistent network when a persistent container appears, and drops the session one', async () => {
    await setup();
    const cache = store.create(resource('cache'));
    store.create(replica(cache));
    await settle(['cache-0']);
    const sessionNet = 'apphost-session-network-i0001-demo-app';
    const first = rep('cache-0').status!.containerId!;
    expect(rt.containers.get(first)!.networks[sessionNet]).toBeDefined();

    const pg = store.create(resource('pg', { lifetime: 'Persistent', endpoints: [{ name: 'tcp', port: 15432, targetPort: 5432 }] }));
    store.create(replica(pg));
    await settle(['cache-0', 'pg-0']);
    await settle(['cache-0', 'pg-0']);
    const persistentNet = 'apphost-persistent-network-p1234567-demo-app';
    expect(store.get<Network>('Network', NS, 'default').status?.runtimeName).toBe(persistentNet);
    const moved = rep('cache-0').status!.containerId!;
    expect(moved).not.toBe(first);
    expect(Object.keys(rt.containers.get(moved)!.networks)).toEqual([persistentNet]);
    expect(Object.keys(rt.containers.get(rep('pg-0').status!.containerId!)!.networks)).toEqual([persistentNet]);
    expect([...rt.networks.values()].map((n) => n.name)).toEqual([persistentNet]);
    await containers.assertSteady(['cache-0', 'pg-0']);
  });

  it('reports Docker being down as a Pending condition with the fix, and recovers', async () => {
    await setup();
    rt.setDaemonDown(true);
    const res = store.create(resource('cache'));
    store.create(replica(res));
    await networks.reconcile('default');
    await networks.reconcile('default');
    const net = store.get<Network>('Network', NS, 'default');
    expect(net.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'DockerUnavailable' });
    // The network is not there yet: the container waits for it and says why, with the fix.
    await containers.reconcile('cache-0');
    expect(rep('cache-0').status?.state).toBe('Pending');
    expect(rep('cache-0').status?.conditions?.find((c) => c.type === 'Running')).toMatchObject({
      reason: 'DockerUnavailable',
      message: 'Docker is not available: cannot connect to /var/run/docker.sock — start dockerd or Docker Desktop',
    });

    rt.setDaemonDown(false);
    await settle(['cache-0']);
    expect(rep('cache-0').status?.state).toBe('Running');
    rt.setDaemonDown(true);
    await new Promise((r) => setTimeout(r, 0));
    const result = await containers.reconcile('cache-0');
    expect(result?.requeueAfterMs).toBe(50);
    const cond = rep('cache-0').status?.conditions?.find((c) => c.type === 'Running');
    expect(cond).toMatchObject({ status: 'False', reason: 'DockerUnavailable' });
    expect(cond?.message).toBe('Docker is not available: cannot connect to /var/run/docker.sock — start dockerd or Docker Desktop');
    expect(rep('cache-0').status?.state).toBe('Pending');
    rt.setDaemonDown(false);
    await settle(['cache-0']);
    expect(rep('cache-0').status?.state).toBe('Running');
  });

  it('reports a network the daemon refuses on the Network and the waiting Replica, then recovers', async () => {
    await setup();
    rt.failNextNetworkCreate('DOCKER_FAILED', 'create network x: could not find an available, non-overlapping IPv4 address pool');
    const res = store.create(resource('cache'));
    store.create(replica(res));
    const result = await networks.reconcile('default');
    expect(result?.requeueAfterMs).toBe(1000);
    const net = store.get<Network>('Network', NS, 'default');
    expect(net.status?.phase).toBe('Failed');
    expect(net.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NetworkFailed' });
    await containers.reconcile('cache-0');
    const cond = rep('cache-0').status?.conditions?.find((c) => c.type === 'Running');
    expect(cond?.reason).toBe('WaitingForNetwork');
    expect(cond?.message).toContain('non-overlapping IPv4 address pool');
    await settle(['cache-0']);
    expect(rep('cache-0').status?.state).toBe('Running');
  });

  it('ignores Replicas of executables', async () => {
    await setup();
    const res = store.create<Resource>({ apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'node' } } });
    store.create(replica(res));
    await containers.reconcile('api-0');
    expect(rep('api-0').metadata.finalizers ?? []).not.toContain(CONTAINER_FINALIZER);
    expect(rep('api-0').status).toBeUndefined();
    await networks.reconcile('default');
    expect(store.tryGet('Network', NS, 'default')).toBeUndefined();
  });

  it('removes session containers and networks of dead instances at start, and nothing else', async () => {
    const shared = createFakeContainerRuntime();
    const dead = { [LABELS.instance]: 'old', [LABELS.lifetime]: 'Session', [LABELS.pid]: '1' };
    await shared.createNetwork({ name: 'apphost-session-network-old-x', labels: dead });
    await shared.runContainer({ name: 'a-dead', image: 'x', labels: dead, network: { network: 'apphost-session-network-old-x' } });
    await shared.runContainer({ name: 'b-alive', image: 'x', labels: { ...dead, [LABELS.instance]: 'alive', [LABELS.pid]: '2' } });
    await shared.runContainer({ name: 'c-persistent', image: 'x', labels: { ...dead, [LABELS.lifetime]: 'Persistent' } });
    await setup({ isInstanceAlive: (l) => l[LABELS.pid] === '2' }, { store: createStore({ registry: createKindsRegistry() }), rt: shared });
    expect([...rt.containers.values()].map((c) => c.name).sort()).toEqual(['b-alive', 'c-persistent']);
    expect(rt.networks.size).toBe(0);
  });

  it('keeps a container tunnel Proxy for host-process endpoints on the gateway, for the network only', async () => {
    store = createStore({ registry: createKindsRegistry() });
    // A gateway address this machine has, so the reachability check before a tunnel is real.
    rt = createFakeContainerRuntime({ addressing: () => ({ subnet: '127.0.0.4/30', gateway: '127.0.0.5' }) });
    networks = await createControllerFixture(createNetworksController({ runtime: rt, app: APP }), store);
    fixtures.push(networks);
    const port = await deadPort();
    store.create(resource('cache'));
    store.create<Resource>({ apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'node' } } });
    const ep = store.create<Endpoint>({ apiVersion: V, kind: 'Endpoint', metadata: { name: 'api-http', namespace: NS }, spec: { resource: 'api', name: 'http' } });
    await networks.client.updateStatus<Endpoint>({ ...ep, status: { port } });
    await networks.settle(['default']);
    const tunnels = store.list<Proxy>('Proxy', { namespace: NS }).items;
    expect(tunnels.map((p) => [p.metadata.name, p.spec.listen, p.spec.allowedClients, p.spec.backends?.map((b) => `${b.address}:${b.port}`)])).toEqual([
      ['api-http-tunnel', { address: '127.0.0.5', port }, ['127.0.0.4/30'], [`127.0.0.1:${port}`]],
    ]);
    await networks.assertSteady(['default']);
    expect(containerReferenceUrl({ scheme: 'http', target: { kind: 'host', port: 5066 } })).toBe('http://host.apphost.internal:5066');
    expect(containerReferenceUrl({ target: { kind: 'container', alias: 'cache', targetPort: 6379 }, scheme: 'tcp' })).toBe('tcp://cache:6379');
  });
});
