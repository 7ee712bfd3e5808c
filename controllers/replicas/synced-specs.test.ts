// The replicas controller skips replicas it already checked against unchanged inputs. These tests
// make sure that shortcut never hides a needed write: a controller without the cache agrees with
// one that has it, an edited spec is restored, and a status change of one replica writes nothing else.
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Replica, type Resource, type ResourceSpec } from '../../src/api/types.ts';
import { createFakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createEndpointsController } from '../endpoints/controller.ts';
import { RESOURCE_LABEL } from '../shared/labels.ts';
import { createReplicasController } from './controller.ts';
import { SyncedSpecs, syncInputs } from './synced-specs.ts';

const NS = 'default';
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

function exe(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return { apiVersion: API_VERSION, kind: 'Resource', metadata: { name, namespace: NS }, spec: { executable: { command: 'node', args: ['server.js'] }, ...spec } };
}

async function setup() {
  const ports = createFakePortAllocator();
  const f = await createControllerFixture({ controllers: [createEndpointsController({ ports }), createReplicasController({ ports })] });
  fixtures.push(f);
  return { f, ports };
}

const replicas = (f: ControllerFixture, name: string) =>
  f.store.list<Replica>('Replica', { namespace: NS, labelSelector: `${RESOURCE_LABEL}=${name}` }).items;
const envOf = (r: Replica | undefined) => Object.fromEntries((r?.spec.env ?? []).map((e) => [e.name, e.value]));

describe('replicas controller: synced replicas are skipped, never wrongly', () => {
  it('a status change of one replica out of 50 rewrites no other replica and counts it ready', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { replicas: 50, endpoints: [{ scheme: 'http', env: 'PORT' }], env: [{ name: 'A', value: '1' }] }));
    const before = new Map(replicas(f, 'api').map((r) => [r.metadata.name, r.metadata.resourceVersion]));
    expect(before.size).toBe(50);
    await f.client.patchStatus('Replica', NS, 'api-7', { status: { state: 'Running', ready: true } });
    await f.settle();
    for (const r of replicas(f, 'api')) {
      if (r.metadata.name !== 'api-7') expect(r.metadata.resourceVersion, r.metadata.name).toBe(before.get(r.metadata.name));
    }
    expect(f.store.get<Resource>('Resource', NS, 'api').status).toMatchObject({ replicas: 50, readyReplicas: 1 });
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });

  it('a Replica spec edited by someone else is put back, though nothing else changed', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { replicas: 3, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const r1 = f.store.get<Replica>('Replica', NS, 'api-1');
    await f.client.update<Replica>({ ...r1, spec: { ...r1.spec, env: [{ name: 'PORT', value: '1' }], templateHash: 'edited' } });
    // Nudge the Resource's key as a Replica event would (the edit itself is such an event).
    await f.settle();
    const back = f.store.get<Replica>('Replica', NS, 'api-1');
    expect(back.spec.templateHash).toBe(r1.spec.templateHash);
    expect(envOf(back).PORT).toBe(envOf(r1).PORT);
    await f.assertSteady();
  });

  it('a new env value reaches every replica (the inputs fingerprint changes with the spec)', async () => {
    const { f } = await setup();
    await f.apply(exe('api', { replicas: 4, endpoints: [{ scheme: 'http', env: 'PORT' }], env: [{ name: 'MODE', value: 'a' }] }));
    const hashes = replicas(f, 'api').map((r) => r.spec.templateHash);
    await f.apply(exe('api', { replicas: 4, endpoints: [{ scheme: 'http', env: 'PORT' }], env: [{ name: 'MODE', value: 'b' }] }));
    const after = replicas(f, 'api');
    expect(after.map((r) => envOf(r).MODE)).toEqual(['b', 'b', 'b', 'b']);
    after.forEach((r, i) => expect(r.spec.templateHash).not.toBe(hashes[i]));
    await f.assertSteady();
  });

  it('a fresh controller (no cache) over the settled store finds nothing to write', async () => {
    const ports = createFakePortAllocator();
    const f = await createControllerFixture({ controllers: [createEndpointsController({ ports }), createReplicasController({ ports })] });
    await f.apply(exe('api', { replicas: 5, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    await f.apply(exe('web', { replicas: 3, references: [{ resource: 'api' }], env: [{ name: 'U', valueFrom: { endpoint: { resource: 'api', property: 'url' } } }] }));
    await f.client.patchStatus('Replica', NS, 'api-2', { status: { state: 'Running', ready: true } });
    await f.settle();
    const rv = f.store.resourceVersion();
    await f.stop();
    // The same store, a new replicas controller: it re-claims each replica's ports from its spec and
    // must agree with every spec the cached controller left (otherwise it would write).
    const again = await createControllerFixture({ store: f.store, registry: f.registry, controllers: [createReplicasController({ ports })] });
    fixtures.push(again);
    await again.settle();
    expect(again.store.resourceVersion()).toBe(rv);
    expect(again.errors()).toEqual([]);
  });
});

describe('SyncedSpecs', () => {
  const rep = (name: string, uid: string, generation: number) =>
    ({ apiVersion: API_VERSION, kind: 'Replica', metadata: { name, uid, generation }, spec: { resource: 'api', index: 0 } }) as Replica;

  it('is synced only for the same uid, generation and inputs; forget drops gone replicas', () => {
    const s = new SyncedSpecs();
    s.markSynced('ns/api', rep('api-0', 'u1', 1), 'in');
    expect(s.isSynced('ns/api', rep('api-0', 'u1', 1), 'in')).toBe(true);
    expect(s.isSynced('ns/api', rep('api-0', 'u1', 2), 'in')).toBe(false);
    expect(s.isSynced('ns/api', rep('api-0', 'u2', 1), 'in')).toBe(false);
    expect(s.isSynced('ns/api', rep('api-0', 'u1', 1), 'other')).toBe(false);
    expect(s.isSynced('ns/web', rep('api-0', 'u1', 1), 'in')).toBe(false);
    s.markSynced('ns/api', rep('api-1', 'u3', 1), 'in');
    s.forget('ns/api', new Set(['api-1']));
    expect(s.isSynced('ns/api', rep('api-0', 'u1', 1), 'in')).toBe(false);
    expect(s.isSynced('ns/api', rep('api-1', 'u3', 1), 'in')).toBe(true);
    s.forget('ns/api');
    expect(s.isSynced('ns/api', rep('api-1', 'u3', 1), 'in')).toBe(false);
  });

  it('the inputs change with the resource generation, the shared env and its own endpoints, not with other endpoints', () => {
    const res = { ...exe('api'), metadata: { name: 'api', namespace: NS, uid: 'r1', generation: 1 } };
    const ep = (name: string, resource: string, port: number) =>
      ({ apiVersion: API_VERSION, kind: 'Endpoint', metadata: { name, namespace: NS, uid: name }, spec: { resource, scheme: 'http' }, status: { port } }) as never;
    const base = syncInputs(res, [{ name: 'A', value: '1' }], new Map([['api-http', ep('api-http', 'api', 1)], ['db-tcp', ep('db-tcp', 'db', 2)]]));
    expect(syncInputs(res, [{ name: 'A', value: '1' }], new Map([['api-http', ep('api-http', 'api', 1)], ['db-tcp', ep('db-tcp', 'db', 3)]]))).toBe(base);
    expect(syncInputs(res, [{ name: 'A', value: '2' }], new Map([['api-http', ep('api-http', 'api', 1)]]))).not.toBe(base);
    expect(syncInputs({ ...res, metadata: { ...res.metadata, generation: 2 } }, [{ name: 'A', value: '1' }], new Map([['api-http', ep('api-http', 'api', 1)]]))).not.toBe(base);
    expect(syncInputs(res, [{ name: 'A', value: '1' }], new Map([['api-http', ep('api-http', 'api', 9)]]))).not.toBe(base);
  });
});

describe('replicas controller: a large scale-up is one pass', () => {
  it('0 -> 200 replicas: all created by one reconcile; the Endpoint status is written a handful of times, not per replica', async () => {
    const { f } = await setup();
    let endpointWrites = 0;
    let resourceWrites = 0;
    const sub = f.store.watch('Endpoint', { resourceVersion: f.store.resourceVersion() }).subscribe((e) => {
      if (e.type === 'MODIFIED') endpointWrites++;
    });
    const sub2 = f.store.watch('Resource', { resourceVersion: f.store.resourceVersion() }).subscribe((e) => {
      if (e.type === 'MODIFIED') resourceWrites++;
    });
    const before = f.reconciles.length;
    await f.apply(exe('api', { replicas: 200, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    sub.unsubscribe();
    sub2.unsubscribe();
    expect(replicas(f, 'api')).toHaveLength(200);
    const ports = new Set(replicas(f, 'api').map((r) => r.spec.ports![0]!.targetPort));
    expect(ports.size).toBe(200);
    const passes = f.reconciles.slice(before).filter((r) => r.controller === 'replicas').length;
    expect(passes).toBeLessThanOrEqual(4);
    expect(endpointWrites).toBeLessThanOrEqual(4);
    expect(resourceWrites).toBeLessThanOrEqual(4);
    expect(f.store.get<Resource>('Resource', NS, 'api').status).toMatchObject({ replicas: 200, readyReplicas: 0 });
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });
});
