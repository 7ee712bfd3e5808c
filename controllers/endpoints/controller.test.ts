import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Endpoint, type Proxy, type Replica, type Resource, type ResourceSpec } from '../../src/api/types.ts';
import { createFakePortAllocator, type FakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { RESOURCE_LABEL } from '../shared/labels.ts';
import { createEndpointsController } from './controller.ts';

const NS = 'default';
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

async function setup(ports: FakePortAllocator = createFakePortAllocator()) {
  const f = await createControllerFixture({ controllers: [createEndpointsController({ ports, retryMs: 1000 })] });
  fixtures.push(f);
  return { f, ports };
}

function resource(name: string, spec: Partial<ResourceSpec>): Resource {
  return {
    apiVersion: API_VERSION,
    kind: 'Resource',
    metadata: { name, namespace: NS },
    spec: { executable: { command: 'node' }, ...spec },
  };
}

const ep = (f: ControllerFixture, name: string) => f.store.tryGet<Endpoint>('Endpoint', NS, name);
const cond = (e: Endpoint | undefined, type: string) => getCondition(e?.status?.conditions, type);

function replica(res: Resource, index: number, port: number, ready: boolean, extra: Partial<Replica['spec']> = {}): Replica {
  return {
    apiVersion: API_VERSION,
    kind: 'Replica',
    metadata: {
      name: `${res.metadata.name}-${index}`,
      namespace: NS,
      labels: { [RESOURCE_LABEL]: res.metadata.name },
    },
    spec: { resource: res.metadata.name, index, ports: [{ name: 'http', targetPort: port }], ...extra },
    status: { ready },
  };
}

async function setReplicaStatus(f: ControllerFixture, name: string, status: Replica['status']) {
  await f.client.patchStatus('Replica', NS, name, { status });
  await f.settle();
}

async function proxyBound(f: ControllerFixture, name: string, bound: { status: 'True' | 'False'; reason: string; message?: string }) {
  if (!f.store.tryGet('Proxy', NS, name)) {
    f.store.create<Proxy>({
      apiVersion: API_VERSION,
      kind: 'Proxy',
      metadata: { name, namespace: NS, labels: { [RESOURCE_LABEL]: name.split('-')[0]! } },
      spec: { listen: { address: 'localhost', port: 0 } },
    });
  }
  await f.client.patchStatus('Proxy', NS, name, {
    status: { conditions: [{ type: 'Bound', ...bound, lastTransitionTime: new Date().toISOString() }] },
  });
  await f.settle();
}

describe('endpoints controller', () => {
  it('creates <resource>-<endpoint> with the normalised spec, a controller reference and a random proxy port', async () => {
    const { f, ports } = await setup();
    const res = await f.apply(resource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const e = ep(f, 'api-http')!;
    expect(e.spec).toEqual({
      resource: 'api',
      name: 'http',
      scheme: 'http',
      protocol: 'TCP',
      transport: 'http',
      env: 'PORT',
      isProxied: true,
      isExternal: false,
      excludeFromReferences: false,
    });
    expect(e.metadata.ownerReferences).toEqual([
      { apiVersion: API_VERSION, kind: 'Resource', name: 'api', uid: res.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(e.metadata.labels).toMatchObject({ [RESOURCE_LABEL]: 'api', 'apphost.dev/endpoint': 'http' });
    expect(e.status).toMatchObject({ address: 'localhost', port: 40000, url: 'http://localhost:40000', proxied: true, targets: [], readyTargets: '0/0' });
    expect(cond(e, 'PortAllocated')).toMatchObject({ status: 'True', reason: 'Allocated' });
    expect(cond(e, 'Ready')).toMatchObject({ status: 'False', reason: 'ProxyNotBound' });
    expect(ports.isReserved(40000)).toBe(true);
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });

  it('takes back its Endpoint when someone removed the label', async () => {
    const { f } = await setup();
    await f.apply(resource('api', { endpoints: [{ scheme: 'http' }] }));
    const port = ep(f, 'api-http')!.status!.port;
    await f.client.patch('Endpoint', NS, 'api-http', { metadata: { labels: { [RESOURCE_LABEL]: null } } });
    await f.settle();
    expect(ep(f, 'api-http')!.metadata.labels?.[RESOURCE_LABEL]).toBe('api');
    expect(ep(f, 'api-http')!.status!.port).toBe(port);
    expect(f.errors()).toEqual([]);
    await f.assertSteady();
  });

  it('uses a fixed port as given and keeps a random port stable across spec changes', async () => {
    const { f, ports } = await setup();
    await f.apply(resource('web', { endpoints: [{ name: 'http', scheme: 'http', port: 5066 }, { name: 'admin', scheme: 'http' }] }));
    expect(ep(f, 'web-http')!.status?.port).toBe(5066);
    expect(ports.isReserved(5066)).toBe(true);
    const random = ep(f, 'web-admin')!.status!.port!;
    expect(random).toBeGreaterThan(0);
    await f.apply(resource('web', { endpoints: [{ name: 'http', scheme: 'http', port: 5067 }, { name: 'admin', scheme: 'https' }] }));
    expect(ep(f, 'web-http')!.status?.port).toBe(5067);
    expect(ports.isReserved(5066)).toBe(false);
    expect(ep(f, 'web-admin')!.status).toMatchObject({ port: random, url: `https://localhost:${random}` });
    await f.assertSteady();
  });

  it('deletes the Endpoint of a removed endpoint and releases its port; releases all on Resource deletion', async () => {
    const { f, ports } = await setup();
    await f.apply(resource('svc', { endpoints: [{ name: 'a', scheme: 'http' }, { name: 'b', scheme: 'tcp' }] }));
    const pa = ep(f, 'svc-a')!.status!.port!;
    const pb = ep(f, 'svc-b')!.status!.port!;
    expect(pa).not.toBe(pb);
    await f.apply(resource('svc', { endpoints: [{ name: 'a', scheme: 'http' }] }));
    expect(ep(f, 'svc-b')).toBeUndefined();
    expect(ports.isReserved(pb)).toBe(false);
    expect(ports.isReserved(pa)).toBe(true);
    f.store.delete('Resource', NS, 'svc');
    await f.settle();
    expect(ep(f, 'svc-a')).toBeUndefined();
    expect(ports.isReserved(pa)).toBe(false);
  });

  it('lists the replicas as targets, ready ones counted, and is Ready once the proxy is bound and a target is ready', async () => {
    const { f } = await setup();
    const res = await f.apply(resource('api', { replicas: 2, endpoints: [{ scheme: 'http' }] }));
    f.store.create(replica(res, 1, 41001, false));
    f.store.create(replica(res, 0, 41000, false));
    await f.settle();
    expect(ep(f, 'api-http')!.status).toMatchObject({
      targets: [
        { replica: 'api-0', address: '127.0.0.1', port: 41000, ready: false },
        { replica: 'api-1', address: '127.0.0.1', port: 41001, ready: false },
      ],
      readyTargets: '0/2',
    });
    await proxyBound(f, 'api-http', { status: 'True', reason: 'Bound' });
    expect(cond(ep(f, 'api-http'), 'Ready')).toMatchObject({ status: 'False', reason: 'NoReadyTargets' });
    await setReplicaStatus(f, 'api-0', { ready: true });
    expect(ep(f, 'api-http')!.status?.readyTargets).toBe('1/2');
    expect(cond(ep(f, 'api-http'), 'Ready')).toMatchObject({ status: 'True', reason: 'Ready', message: '1/2 targets ready' });
    // A replica being deleted leaves the targets.
    await f.client.patch('Replica', NS, 'api-1', { metadata: { finalizers: ['test/hold'] } });
    f.store.delete('Replica', NS, 'api-1');
    await f.settle();
    expect(ep(f, 'api-http')!.status?.targets?.map((t) => t.replica)).toEqual(['api-0']);
    await f.assertSteady();
  });

  it('shows PortInUse naming the holder when the proxy cannot bind, and recovers when it binds', async () => {
    const ports = createFakePortAllocator();
    ports.occupy(5066, { pid: 4242, command: 'python3 -m http.server 5066' });
    const { f } = await setup(ports);
    await f.apply(resource('web', { endpoints: [{ scheme: 'http', port: 5066 }] }));
    await proxyBound(f, 'web-http', { status: 'False', reason: 'PortInUse', message: 'listen EADDRINUSE 127.0.0.1:5066' });
    const e = ep(f, 'web-http')!;
    expect(cond(e, 'PortAllocated')).toMatchObject({
      status: 'False',
      reason: 'PortInUse',
      message: 'listen EADDRINUSE 127.0.0.1:5066 (held by pid 4242: python3 -m http.server 5066)',
    });
    expect(cond(e, 'Ready')).toMatchObject({ status: 'False', reason: 'PortInUse' });
    expect(e.status?.port).toBe(5066);
    await f.assertSteady();
    ports.vacate(5066);
    await proxyBound(f, 'web-http', { status: 'True', reason: 'Bound' });
    expect(cond(ep(f, 'web-http'), 'PortAllocated')).toMatchObject({ status: 'True', reason: 'Allocated' });
  });

  it('proxyless: uses the given targetPort, or allocates from the proxyless range', async () => {
    const { f } = await setup();
    await f.apply(resource('db', { endpoints: [{ name: 'tcp', scheme: 'tcp', targetPort: 3001, isProxied: false }] }));
    expect(ep(f, 'db-tcp')!.status).toMatchObject({ port: 3001, url: 'tcp://localhost:3001', proxied: false });
    await f.apply(resource('cache', { endpoints: [{ name: 'tcp', scheme: 'tcp', isProxied: false }] }));
    const p = ep(f, 'cache-tcp')!.status!.port!;
    expect(p).toBeGreaterThanOrEqual(10000);
    expect(p).toBeLessThanOrEqual(32767);
    await f.assertSteady();
  });

  it('proxyless: a fixed port held by another process is PortInUse until it is free', async () => {
    const ports = createFakePortAllocator();
    ports.occupy(3002, { pid: 99, command: 'other-app' });
    const { f } = await setup(ports);
    await f.apply(resource('db', { endpoints: [{ name: 'tcp', scheme: 'tcp', port: 3002, isProxied: false }] }));
    expect(cond(ep(f, 'db-tcp'), 'PortAllocated')).toMatchObject({
      status: 'False',
      reason: 'PortInUse',
      message: 'port 3002 is in use (held by pid 99: other-app)',
    });
    ports.vacate(3002);
    await f.advance(1000);
    expect(cond(ep(f, 'db-tcp'), 'PortAllocated')).toMatchObject({ status: 'True' });
  });

  it('two endpoints with the same fixed port: the second reports PortConflict until the first lets go', async () => {
    const { f } = await setup();
    await f.apply(resource('one', { endpoints: [{ scheme: 'http', port: 6000 }] }));
    await f.apply(resource('two', { endpoints: [{ scheme: 'http', port: 6000 }] }));
    expect(ep(f, 'one-http')!.status?.port).toBe(6000);
    const two = ep(f, 'two-http')!;
    expect(cond(two, 'PortAllocated')).toMatchObject({ status: 'False', reason: 'PortConflict' });
    expect(cond(two, 'PortAllocated')?.message).toContain('one-http');
    expect(two.status?.port).toBeUndefined();
    f.store.delete('Resource', NS, 'one');
    await f.advance(1000);
    expect(ep(f, 'two-http')!.status?.port).toBe(6000);
    expect(cond(ep(f, 'two-http'), 'PortAllocated')).toMatchObject({ status: 'True' });
  });

  it('an allocation failure is reported and retried', async () => {
    const ports = createFakePortAllocator();
    ports.failNextAllocate('PORT_ALLOCATION_FAILED');
    const { f } = await setup(ports);
    const seen: string[] = [];
    const sub = f.store.watch<Endpoint>('Endpoint').subscribe((ev) => {
      const c = cond(ev.object, 'PortAllocated');
      if (c) seen.push(`${c.status}:${c.reason}`);
    });
    await f.apply(resource('api', { endpoints: [{ scheme: 'http' }] }));
    await f.advance(1000);
    sub.unsubscribe();
    expect(seen[0]).toBe('False:AllocationFailed');
    expect(cond(ep(f, 'api-http'), 'PortAllocated')).toMatchObject({ status: 'True' });
    expect(ep(f, 'api-http')!.status?.port).toBeGreaterThan(0);
  });

  it('container targets use the published host port only', async () => {
    const { f } = await setup();
    const res = await f.apply({
      ...resource('cache', { endpoints: [{ name: 'tcp', scheme: 'tcp', targetPort: 6379 }] }),
      spec: { container: { image: 'redis' }, endpoints: [{ name: 'tcp', scheme: 'tcp', targetPort: 6379 }] },
    });
    const rep = replica(res, 0, 6379, true, { ports: [{ name: 'tcp', targetPort: 6379 }] });
    f.store.create(rep);
    await f.settle();
    expect(ep(f, 'cache-tcp')!.status?.targets).toEqual([]);
    await setReplicaStatus(f, 'cache-0', { ready: true, ports: [{ name: 'tcp', targetPort: 6379, hostPort: 32768 }] });
    expect(ep(f, 'cache-tcp')!.status?.targets).toEqual([{ replica: 'cache-0', address: '127.0.0.1', port: 32768, ready: true }]);
  });
});
