// Connection strings and parameters through the endpoints + replicas controllers (in-memory store,
// fake ports, in-memory parameters): resolved from the consumer's side, never in the Resource.
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Endpoint, type Replica, type Resource, type ResourceSpec } from '../../src/api/types.ts';
import { redisSpec, postgresSpec } from '../../src/integrations/index.ts';
import { createFakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { createMemoryParameterSource } from '../../src/platform/secrets/index.ts';
import { createFakeDatabaseCreator } from '../../src/platform/databases/index.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createDatabasesController } from '../databases/controller.ts';
import { createEndpointsController } from '../endpoints/controller.ts';
import { createReplicasController } from './controller.ts';

const NS = 'default';
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

function resource(name: string, spec: ResourceSpec): Resource {
  return { apiVersion: API_VERSION, kind: 'Resource', metadata: { name, namespace: NS }, spec };
}
/** An integration spec (redis, postgres) as the manifest a YAML user writes. */
function integration(name: string, made: { spec: ResourceSpec; endpoints: ResourceSpec['endpoints'] }): Resource {
  return resource(name, { ...made.spec, endpoints: made.endpoints });
}
const envOf = (f: ControllerFixture, name: string) => Object.fromEntries((f.store.tryGet<Replica>('Replica', NS, name)?.spec.env ?? []).map((e) => [e.name, e.value]));

async function setup(values: Record<string, string> = {}) {
  const ports = createFakePortAllocator();
  const parameters = createMemoryParameterSource(values);
  const postgres = createFakeDatabaseCreator();
  const f = await createControllerFixture({
    controllers: [createEndpointsController({ ports }), createReplicasController({ ports, parameters }), createDatabasesController({ postgres })],
  });
  fixtures.push(f);
  return { f, parameters, postgres };
}

describe('connection strings and parameters', () => {
  it('a process sees localhost and the proxy port, a container the resource name and 6379; the password is the parameter', async () => {
    const { f, parameters } = await setup();
    await f.apply(integration('cache', redisSpec('cache')));
    await f.apply(resource('web', { executable: { command: 'node' }, references: [{ resource: 'cache' }] }));
    await f.apply(resource('worker', { container: { image: 'worker' }, references: [{ resource: 'cache' }] }));
    const password = parameters.values['cache-password']!;
    expect(password).toMatch(/^[A-Za-z0-9]{22}$/);
    const port = f.store.get<Endpoint>('Endpoint', NS, 'cache-tcp').status!.port!;
    expect(envOf(f, 'web-0')).toMatchObject({ ConnectionStrings__cache: `localhost:${port},password=${password}`, services__cache__tcp__0: `tcp://localhost:${port}` });
    expect(envOf(f, 'worker-0')).toMatchObject({ ConnectionStrings__cache: `cache:6379,password=${password}`, CACHE_TCP: 'tcp://cache:6379' });
    expect(envOf(f, 'cache-0').REDIS_PASSWORD).toBe(password);
    expect(JSON.stringify(f.store.get<Resource>('Resource', NS, 'cache'))).not.toContain(password);
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });

  it('a parameter without a value blocks the consumer with ParameterMissing saying where to set it', async () => {
    const { f } = await setup();
    await f.apply(resource('api', { executable: { command: 'node' }, parameters: [{ name: 'api-key', secret: true }], env: [{ name: 'API_KEY', valueFrom: { parameter: { name: 'api-key' } } }] }));
    expect(f.store.tryGet('Replica', NS, 'api-0')).toBeUndefined();
    const c = getCondition(f.store.get<Resource>('Resource', NS, 'api').status?.conditions, 'ReferencesResolved');
    expect(c).toMatchObject({ status: 'False', reason: 'ParameterMissing' });
    expect(c?.message).toContain('Parameters__api-key');
  });

  it('a database reference gets ConnectionStrings__<db>; the databases controller creates it once the server is ready', async () => {
    const { f, parameters, postgres } = await setup({ 'pg-password': 'pw123' });
    await f.apply(integration('pg', { ...postgresSpec('pg'), spec: { ...postgresSpec('pg').spec, databases: [{ name: 'orders' }] } }));
    await f.apply(resource('api', { executable: { command: 'node' }, references: [{ resource: 'pg', database: 'orders' }] }));
    const port = f.store.get<Endpoint>('Endpoint', NS, 'pg-tcp').status!.port!;
    expect(envOf(f, 'api-0').ConnectionStrings__orders).toBe(`Host=localhost;Port=${port};Username=postgres;Password=pw123;Database=orders`);
    expect(parameters.values['pg-password']).toBe('pw123');
    const cond = () => getCondition(f.store.get<Resource>('Resource', NS, 'pg').status?.conditions, 'DatabasesReady');
    expect(cond()).toMatchObject({ status: 'False', reason: 'WaitingForServer' });
    expect(postgres.calls).toEqual([]);

    await f.client.patchStatus('Replica', NS, 'pg-0', { status: { state: 'Running', ready: true, containerId: 'c1', ports: [{ name: 'tcp', targetPort: 5432, hostPort: 40001 }] } });
    await f.settle();
    expect(postgres.databases('127.0.0.1', 40001)).toEqual(['orders']);
    expect(postgres.calls[0]).toMatchObject({ user: 'postgres', password: 'pw123', database: 'orders', port: 40001 });
    expect(cond()).toMatchObject({ status: 'True', reason: 'Created' });
    await f.assertSteady();
    expect(postgres.calls).toHaveLength(1);
  });
});
