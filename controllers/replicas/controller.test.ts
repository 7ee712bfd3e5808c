import { afterEach, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  type Endpoint,
  type Proxy,
  type Replica,
  type ReplicaStatus,
  type Resource,
  type ResourceSpec,
} from '../../src/api/types.ts';
import { createFakePortAllocator, type FakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createEndpointsController } from '../endpoints/controller.ts';
import { RESOURCE_LABEL } from '../shared/labels.ts';
import { createReplicasController } from './controller.ts';

const NS = 'default';
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

async function setup(ports: FakePortAllocator = createFakePortAllocator()) {
  const f = await createControllerFixture({
    controllers: [createEndpointsController({ ports }), createReplicasController({ ports })],
  });
  fixtures.push(f);
  return { f, ports };
}

function exe(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return { apiVersion: API_VERSION, kind: 'Resource', metadata: { name, namespace: NS }, spec: { executable: { command: 'node', args: ['server.js'] }, ...spec } };
}
function ctr(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return { apiVersion: API_VERSION, kind: 'Resource', metadata: { name, namespace: NS }, spec: { container: { image: 'redis' }, ...spec } };
}

const rep = (f: ControllerFixture, name: string) => f.store.tryGet<Replica>('Replica', NS, name);
const res = (f: ControllerFixture, name: string) => f.store.get<Resource>('Resource', NS, name);
const ep = (f: ControllerFixture, name: string) => f.store.get<Endpoint>('Endpoint', NS, name);
const replicasOf = (f: ControllerFixture, name: string) =>
  f.store
    .list<Replica>('Replica', { namespace: NS, labelSelector: `${RESOURCE_LABEL}=${name}` })
    .items.filter((r) => !r.metadata.deletionTimestamp)
    .map((r) => r.metadata.name)
    .sort();
const envOf = (r: Replica | undefined) => Object.fromEntries((r?.spec.env ?? []).map((e) => [e.name, e.value]));
const cond = (r: Resource, type: string) => getCondition(r.status?.conditions, type);

async function replicaStatus(f: ControllerFixture, name: string, status: ReplicaStatus) {
  await f.client.patchStatus('Replica', NS, name, { status });
  await f.settle();
}

async function markReady(f: ControllerFixture, resource: string) {
  for (const name of replicasOf(f, resource)) await replicaStatus(f, name, { state: 'Running', ready: true });
}

describe('replicas controller', () => {
  it('creates <resource>-<index> replicas with distinct target ports in the endpoint env variable', async () => {
    const { f, ports } = await setup();
    const api = await f.apply(exe('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    expect(replicasOf(f, 'api')).toEqual(['api-0', 'api-1']);
    const r0 = rep(f, 'api-0')!;
    const r1 = rep(f, 'api-1')!;
    expect(r0.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Resource', name: 'api', uid: api.metadata.uid, controller: true });
    expect(r0.spec).toMatchObject({ resource: 'api', index: 0 });
    expect(r1.spec.index).toBe(1);
    const p0 = r0.spec.ports![0]!.targetPort;
    const p1 = r1.spec.ports![0]!.targetPort;
    const proxyPort = ep(f, 'api-http').status!.port!;
    expect(new Set([p0, p1, proxyPort]).size).toBe(3);
    expect(ports.isReserved(p0) && ports.isReserved(p1)).toBe(true);
    expect(envOf(r0).PORT).toBe(String(p0));
    expect(envOf(r1).PORT).toBe(String(p1));
    expect(r0.spec.templateHash).toMatch(/^[0-9a-f]{16}$/);
    expect(r0.spec.templateHash).not.toBe(r1.spec.templateHash);
    expect(res(f, 'api').status).toMatchObject({ type: 'executable', phase: 'Starting', replicas: 2, readyReplicas: 0 });
    await f.assertSteady();

    await markReady(f, 'api');
    const ready = res(f, 'api');
    expect(ready.status).toMatchObject({ phase: 'Running', replicas: 2, readyReplicas: 2, observedGeneration: ready.metadata.generation });
    expect(cond(ready, 'Ready')).toMatchObject({ status: 'True', message: '2/2 replicas ready' });
    expect(cond(ready, 'PortsAllocated')).toMatchObject({ status: 'True' });
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });

  it('takes back a Replica whose label was removed, without recreating it', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const uid = rep(f, 'api-0')!.metadata.uid;
    await f.client.patch('Replica', NS, 'api-0', { metadata: { labels: { [RESOURCE_LABEL]: null } } });
    await f.settle();
    expect(rep(f, 'api-0')!.metadata.labels?.[RESOURCE_LABEL]).toBe('api');
    expect(rep(f, 'api-0')!.metadata.uid).toBe(uid);
    expect(f.errors()).toEqual([]);
    await f.assertSteady();
  });

  it('a fixed targetPort goes to PORT as is', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', targetPort: 3001, env: 'PORT' }] }));
    expect(envOf(rep(f, 'api-0')).PORT).toBe('3001');
    expect(rep(f, 'api-0')!.spec.ports).toEqual([{ name: 'http', targetPort: 3001 }]);
    expect(ep(f, 'api-http').status!.port).not.toBe(3001);
  });

  it('proxyless without ports: the replica listens on the port the endpoint got from the proxyless range', async () => {
    const { f } = await setup();
    await f.apply(exe('db', { endpoints: [{ scheme: 'tcp', isProxied: false, env: 'PORT' }] }));
    const port = ep(f, 'db-tcp').status!.port!;
    expect(port).toBeGreaterThanOrEqual(10000);
    expect(rep(f, 'db-0')!.spec.ports).toEqual([{ name: 'tcp', targetPort: port }]);
    expect(envOf(rep(f, 'db-0')).PORT).toBe(String(port));
  });

  it('references inject both variable forms with the proxy URL; excludeFromReferences and named references', async () => {
    const { f } = await setup();
    await f.apply(
      exe('my-api', {
        endpoints: [
          { scheme: 'http', env: 'PORT' },
          { name: 'admin', scheme: 'http', excludeFromReferences: true },
        ],
      }),
    );
    await f.apply(exe('web', { references: [{ resource: 'my-api' }] }));
    await f.apply(exe('ops', { references: [{ resource: 'my-api', endpoint: 'admin' }] }));
    const httpUrl = `http://localhost:${ep(f, 'my-api-http').status!.port}`;
    const adminUrl = `http://localhost:${ep(f, 'my-api-admin').status!.port}`;
    const web = envOf(rep(f, 'web-0'));
    expect(web['services__my-api__http__0']).toBe(httpUrl);
    expect(web.MY_API_HTTP).toBe(httpUrl);
    expect(web.MY_API_ADMIN).toBeUndefined();
    const ops = envOf(rep(f, 'ops-0'));
    expect(ops.MY_API_ADMIN).toBe(adminUrl);
    expect(ops['services__my-api__admin__0']).toBe(adminUrl);
    expect(ops.MY_API_HTTP).toBeUndefined();
    expect(cond(res(f, 'web'), 'ReferencesResolved')).toMatchObject({ status: 'True' });
    await f.assertSteady();
  });

  it('valueFrom.endpoint resolves url, port, host, hostAndPort, scheme and the own targetPort', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', port: 5070 }] }));
    await f.apply(
      exe('web', {
        endpoints: [{ scheme: 'http', env: 'PORT' }],
        env: [
          { name: 'PLAIN', value: 'x' },
          { name: 'API_URL', valueFrom: { endpoint: { resource: 'api', name: 'http' } } },
          { name: 'API_PORT', valueFrom: { endpoint: { resource: 'api', name: 'http', property: 'port' } } },
          { name: 'API_HOST', valueFrom: { endpoint: { resource: 'api', property: 'host' } } },
          { name: 'API_HP', valueFrom: { endpoint: { resource: 'api', property: 'hostAndPort' } } },
          { name: 'API_SCHEME', valueFrom: { endpoint: { resource: 'api', property: 'scheme' } } },
          { name: 'MY_TARGET', valueFrom: { endpoint: { resource: 'web', name: 'http', property: 'targetPort' } } },
        ],
      }),
    );
    const r = rep(f, 'web-0')!;
    const env = envOf(r);
    expect(env).toMatchObject({
      PLAIN: 'x',
      API_URL: 'http://localhost:5070',
      API_PORT: '5070',
      API_HOST: 'localhost',
      API_HP: 'localhost:5070',
      API_SCHEME: 'http',
      MY_TARGET: String(r.spec.ports![0]!.targetPort),
      PORT: String(r.spec.ports![0]!.targetPort),
    });
    await f.assertSteady();
  });

  it("a live port change of a referenced endpoint updates the consumer's env and template hash", async () => {
    const { f } = await setup();
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', port: 5070 }] }));
    await f.apply(exe('web', { replicas: 2, references: [{ resource: 'api' }] }));
    const before = rep(f, 'web-0')!;
    expect(envOf(before).API_HTTP).toBe('http://localhost:5070');
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', port: 5071 }] }));
    const after = rep(f, 'web-0')!;
    expect(envOf(after).API_HTTP).toBe('http://localhost:5071');
    expect(envOf(rep(f, 'web-1')).API_HTTP).toBe('http://localhost:5071');
    expect(after.spec.templateHash).not.toBe(before.spec.templateHash);
    await f.assertSteady();
  });

  it('waitFor without a condition waits for Healthy (the CRD default, as Aspire\'s WaitFor)', async () => {
    const { f } = await setup();
    await f.apply(exe('db'));
    await f.apply(exe('web', { waitFor: [{ resource: 'db' }] }));
    expect(replicasOf(f, 'web')).toEqual([]);
    expect(cond(res(f, 'web'), 'DependenciesReady')?.message).toContain('to be Healthy');
    await replicaStatus(f, 'db-0', { state: 'Running' });
    expect(replicasOf(f, 'web')).toEqual([]);
    await replicaStatus(f, 'db-0', { state: 'Running', ready: true });
    expect(replicasOf(f, 'web')).toEqual(['web-0']);
  });

  it('a reference to a missing resource holds the replicas back (Pending) until it exists', async () => {
    const { f } = await setup();
    await f.apply(exe('web', { references: [{ resource: 'api' }] }));
    expect(replicasOf(f, 'web')).toEqual([]);
    expect(res(f, 'web').status?.phase).toBe('Pending');
    expect(cond(res(f, 'web'), 'ReferencesResolved')).toMatchObject({ status: 'False', reason: 'ReferenceNotFound' });
    await f.apply(exe('api', { endpoints: [{ scheme: 'http' }] }));
    expect(replicasOf(f, 'web')).toEqual(['web-0']);
    expect(envOf(rep(f, 'web-0')).API_HTTP).toBe(`http://localhost:${ep(f, 'api-http').status!.port}`);
    expect(cond(res(f, 'web'), 'ReferencesResolved')).toMatchObject({ status: 'True' });
  });

  it('scales up and down without touching the other replicas; scale down removes the highest indices and frees their ports', async () => {
    const { f, ports } = await setup();
    await f.apply(exe('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const before0 = rep(f, 'api-0')!;
    const before1 = rep(f, 'api-1')!;
    await f.apply(exe('api', { replicas: 4, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    expect(replicasOf(f, 'api')).toEqual(['api-0', 'api-1', 'api-2', 'api-3']);
    expect(rep(f, 'api-0')!.metadata.resourceVersion).toBe(before0.metadata.resourceVersion);
    expect(rep(f, 'api-1')!.metadata.resourceVersion).toBe(before1.metadata.resourceVersion);
    const p3 = rep(f, 'api-3')!.spec.ports![0]!.targetPort;
    const p2 = rep(f, 'api-2')!.spec.ports![0]!.targetPort;
    await f.apply(exe('api', { replicas: 1, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    expect(replicasOf(f, 'api')).toEqual(['api-0']);
    expect(rep(f, 'api-0')!.metadata.resourceVersion).toBe(before0.metadata.resourceVersion);
    expect(ports.isReserved(p2) || ports.isReserved(p3)).toBe(false);
    expect(ports.isReserved(before0.spec.ports![0]!.targetPort)).toBe(true);
    await f.assertSteady();
  });

  it('a changed command changes every template hash but keeps the ports; scaling does not change hashes', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const h0 = rep(f, 'api-0')!.spec.templateHash;
    const ports0 = rep(f, 'api-0')!.spec.ports;
    await f.apply({ ...exe('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }), spec: { executable: { command: 'node', args: ['v2.js'] }, replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] } });
    expect(rep(f, 'api-0')!.spec.templateHash).not.toBe(h0);
    expect(rep(f, 'api-0')!.spec.ports).toEqual(ports0);
    const h0b = rep(f, 'api-0')!.spec.templateHash;
    await f.apply({ ...exe('api'), spec: { executable: { command: 'node', args: ['v2.js'] }, replicas: 3, endpoints: [{ scheme: 'http', env: 'PORT' }] } });
    expect(rep(f, 'api-0')!.spec.templateHash).toBe(h0b);
  });

  it('spec.executable.image (for export only) changes no template hash: the local run ignores it', async () => {
    const { f } = await setup();
    const spec = { executable: { command: 'node', args: ['api.js'] }, endpoints: [{ scheme: 'http', env: 'PORT' }] };
    await f.apply({ ...exe('api'), spec });
    const h0 = rep(f, 'api-0')!.spec.templateHash;
    await f.apply({ ...exe('api'), spec: { ...spec, executable: { ...spec.executable, image: 'ghcr.io/org/api:1' } } });
    expect(rep(f, 'api-0')!.spec.templateHash).toBe(h0);
    await f.apply({ ...exe('api'), spec: { ...spec, executable: { ...spec.executable, image: 'ghcr.io/org/api:1', args: ['v2.js'] } } });
    expect(rep(f, 'api-0')!.spec.templateHash).not.toBe(h0);
  });

  it('waitFor holds a resource (Waiting, naming the dependency) until the dependency is healthy', async () => {
    const { f } = await setup();
    await f.apply(exe('db', { endpoints: [{ scheme: 'tcp' }] }));
    await f.apply(exe('web', { waitFor: [{ resource: 'db', condition: 'Healthy' }] }));
    expect(replicasOf(f, 'web')).toEqual([]);
    const waiting = res(f, 'web');
    expect(waiting.status?.phase).toBe('Waiting');
    expect(cond(waiting, 'DependenciesReady')).toMatchObject({ status: 'False', reason: 'WaitingForDependency' });
    expect(cond(waiting, 'DependenciesReady')?.message).toContain('"db"');
    await replicaStatus(f, 'db-0', { state: 'Running', ready: false });
    expect(replicasOf(f, 'web')).toEqual([]);
    await markReady(f, 'db');
    expect(res(f, 'db').status?.phase).toBe('Running');
    expect(replicasOf(f, 'web')).toEqual(['web-0']);
    expect(cond(res(f, 'web'), 'DependenciesReady')).toMatchObject({ status: 'True' });
    await f.assertSteady();
  });

  it('waitFor Running starts once a dependency replica runs; a failed dependency fails the wait', async () => {
    const { f } = await setup();
    await f.apply(exe('db'));
    await f.apply(exe('worker', { waitFor: [{ resource: 'db', condition: 'Running' }] }));
    // Never restarted: its failure is final (with Always it would be a crash loop, retried).
    await f.apply(exe('migrate', { restartPolicy: 'Never' }));
    await f.apply(exe('api', { waitFor: [{ resource: 'migrate', condition: 'Running' }] }));
    await replicaStatus(f, 'db-0', { state: 'Running' });
    expect(replicasOf(f, 'worker')).toEqual(['worker-0']);
    await replicaStatus(f, 'migrate-0', {
      state: 'Failed',
      exitCode: 3,
      message: 'exited with code 3',
      conditions: [{ type: 'Running', status: 'False', reason: 'Exited', message: 'exited with code 3' }],
    });
    expect(res(f, 'migrate').status?.phase).toBe('Failed');
    const api = res(f, 'api');
    expect(api.status?.phase).toBe('Failed');
    expect(cond(api, 'DependenciesReady')).toMatchObject({ status: 'False', reason: 'DependencyFailed' });
    expect(cond(api, 'DependenciesReady')?.message).toContain('"migrate"');
    expect(replicasOf(f, 'api')).toEqual([]);
  });

  it('waitFor Completed waits for a zero exit', async () => {
    const { f } = await setup();
    await f.apply(exe('migrate'));
    await f.apply(exe('api', { waitFor: [{ resource: 'migrate', condition: 'Completed' }] }));
    await replicaStatus(f, 'migrate-0', { state: 'Running' });
    expect(replicasOf(f, 'api')).toEqual([]);
    await replicaStatus(f, 'migrate-0', {
      state: 'Exited',
      exitCode: 0,
      conditions: [{ type: 'Running', status: 'False', reason: 'Completed', message: 'exited with code 0' }],
    });
    expect(res(f, 'migrate').status?.phase).toBe('Stopped');
    expect(replicasOf(f, 'api')).toEqual(['api-0']);
  });

  it('Degraded when an endpoint has PortInUse, and when fewer replicas are ready after having been running', async () => {
    const { f } = await setup();
    await f.apply(exe('web', { replicas: 2, endpoints: [{ scheme: 'http', port: 5066, env: 'PORT' }] }));
    await markReady(f, 'web');
    expect(res(f, 'web').status?.phase).toBe('Running');
    await replicaStatus(f, 'web-1', { ready: false });
    expect(res(f, 'web').status).toMatchObject({ phase: 'Degraded', readyReplicas: 1 });
    await replicaStatus(f, 'web-1', { ready: true });
    expect(res(f, 'web').status?.phase).toBe('Running');
    f.store.create<Proxy>({
      apiVersion: API_VERSION,
      kind: 'Proxy',
      metadata: { name: 'web-http', namespace: NS, labels: { [RESOURCE_LABEL]: 'web' } },
      spec: { listen: { address: 'localhost', port: 5066 } },
    });
    await f.client.patchStatus('Proxy', NS, 'web-http', {
      status: { conditions: [{ type: 'Bound', status: 'False', reason: 'PortInUse', message: 'port 5066 is in use (held by pid 7: nc)' }] },
    });
    await f.settle();
    const r = res(f, 'web');
    expect(r.status?.phase).toBe('Degraded');
    expect(cond(r, 'PortsAllocated')).toMatchObject({ status: 'False', reason: 'PortInUse' });
    expect(cond(r, 'PortsAllocated')?.message).toContain('held by pid 7');
    expect(cond(r, 'Ready')).toMatchObject({ status: 'False', reason: 'PortInUse' });
  });

  it('container references: container->container by name and target port, container->process through the host tunnel', async () => {
    const { f } = await setup();
    await f.apply(ctr('cache', { endpoints: [{ name: 'tcp', scheme: 'tcp', targetPort: 6379 }] }));
    await f.apply(exe('api', { endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    await f.apply(ctr('worker', { references: [{ resource: 'cache' }, { resource: 'api' }] }));
    await f.apply(exe('web', { references: [{ resource: 'cache' }] }));
    const worker = envOf(rep(f, 'worker-0'));
    expect(worker.CACHE_TCP).toBe('tcp://cache:6379');
    expect(worker.API_HTTP).toBe(`http://host.apphost.internal:${ep(f, 'api-http').status!.port}`);
    expect(envOf(rep(f, 'web-0')).CACHE_TCP).toBe(`tcp://localhost:${ep(f, 'cache-tcp').status!.port}`);
    expect(rep(f, 'cache-0')!.spec.ports).toEqual([{ name: 'tcp', targetPort: 6379 }]);
    expect((res(f, 'cache').status as { type?: string }).type).toBe('container');
  });

  it('a proxyless container endpoint is published on its port', async () => {
    const { f } = await setup();
    await f.apply(ctr('pg', { lifetime: 'Persistent', endpoints: [{ name: 'tcp', scheme: 'tcp', port: 15432, targetPort: 5432 }] }));
    expect(rep(f, 'pg-0')!.spec.ports).toEqual([{ name: 'tcp', targetPort: 5432, hostPort: 15432 }]);
  });

  it('replicas 0 is Stopped; deleting the Resource removes its replicas and frees their ports', async () => {
    const { f, ports } = await setup();
    await f.apply(exe('api', { replicas: 2, endpoints: [{ scheme: 'http' }] }));
    const p = rep(f, 'api-0')!.spec.ports![0]!.targetPort;
    await f.apply(exe('api', { replicas: 0, endpoints: [{ scheme: 'http' }] }));
    expect(replicasOf(f, 'api')).toEqual([]);
    expect(res(f, 'api').status).toMatchObject({ phase: 'Stopped', replicas: 0 });
    expect(ports.isReserved(p)).toBe(false);
    await f.apply(exe('api', { replicas: 1, endpoints: [{ scheme: 'http' }] }));
    const q = rep(f, 'api-0')!.spec.ports![0]!.targetPort;
    f.store.delete('Resource', NS, 'api');
    await f.settle();
    expect(replicasOf(f, 'api')).toEqual([]);
    expect(ports.isReserved(q)).toBe(false);
    expect(ports.reserved()).toEqual([]);
  });
  it('spec.stopped stops every replica (phase Stopped, replicas kept); false brings the same number back, Starting then Running', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    await markReady(f, 'api');
    expect(res(f, 'api').status?.phase).toBe('Running');
    await f.client.patch('Resource', NS, 'api', { spec: { stopped: true } });
    await f.settle();
    expect(replicasOf(f, 'api')).toEqual([]);
    expect(res(f, 'api').spec.replicas).toBe(2);
    expect(res(f, 'api').status).toMatchObject({ phase: 'Stopped', replicas: 0, readyReplicas: 0 });
    expect(cond(res(f, 'api'), 'Ready')).toMatchObject({ status: 'False', reason: 'Stopped' });
    await f.assertSteady();
    await f.client.patch('Resource', NS, 'api', { spec: { stopped: false } });
    await f.settle();
    expect(replicasOf(f, 'api')).toEqual(['api-0', 'api-1']);
    expect(res(f, 'api').status?.phase).toBe('Starting');
    await markReady(f, 'api');
    expect(res(f, 'api').status?.phase).toBe('Running');
  });

  it('a stopped resource with waitFor is Stopped, not Waiting', async () => {
    const { f } = await setup();
    await f.apply(exe('db'));
    await f.apply(exe('web', { stopped: true, waitFor: [{ resource: 'db' }] }));
    expect(replicasOf(f, 'web')).toEqual([]);
    expect(res(f, 'web').status?.phase).toBe('Stopped');
  });
});
