// addRedis / addPostgres / addRabbitMQ / addParameter: the manifests they produce (exactly what a
// YAML user writes), and the mistakes they refuse. Running them for real: test/integrations/.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createBuilder } from '../../src/builder/builder.ts';
import { isBuilderError } from '../../src/builder/errors.ts';

const specOf = (yaml: string, name: string) => yaml.split('---\n').map((d) => parse(d)).find((o) => o.metadata.name === name)!.spec;

describe('integrations in the builder', () => {
  it('addRedis: image, port 6379, generated password parameter, PING health check, connection string; withDataVolume persists /data', () => {
    const b = createBuilder({ name: 'shop', baseDir: '/tmp' });
    const cache = b.addRedis('cache', { port: 6380 }).withDataVolume();
    b.addNodeApp('api', '.', 'server.js').withReference(cache).waitFor(cache);
    const yaml = b.build().toYaml();
    expect(specOf(yaml, 'cache')).toEqual({
      container: {
        image: 'redis',
        tag: '7.4',
        command: '/bin/sh',
        args: ['-c', 'redis-server --requirepass "$REDIS_PASSWORD" --save 60 1'],
        volumes: [{ source: 'shop-cache-data', target: '/data', type: 'volume' }],
      },
      parameters: [{ name: 'cache-password', secret: true, generate: { length: 22 } }],
      env: [{ name: 'REDIS_PASSWORD', valueFrom: { parameter: { name: 'cache-password' } } }],
      endpoints: [{ targetPort: 6379, port: 6380 }],
      connectionString: '{cache.tcp.host}:{cache.tcp.port},password={cache-password}',
      healthCheck: { type: 'redis' },
    });
    expect(specOf(yaml, 'api').references).toEqual([{ resource: 'cache' }]);
  });

  it('addPostgres with a user parameter and a given password; addDatabase is referenced by name', () => {
    const b = createBuilder({ baseDir: '/tmp' });
    const user = b.addParameter('pg-user', { value: 'app' });
    const password = b.addParameter('pg-pass', { secret: true });
    const pg = b.addPostgres('pg', { user, password }).withDataVolume('pgdata');
    const orders = pg.addDatabase('orders', 'orders_db');
    b.addNodeApp('api', '.', 'server.js').withReference(orders);
    const m = b.build().manifests();
    const spec = m.find((o) => o.metadata.name === 'pg')!.spec as Record<string, unknown>;
    expect(spec).toMatchObject({
      container: { image: 'postgres', tag: '17.6', volumes: [{ source: 'pgdata', target: '/var/lib/postgresql/data', type: 'volume' }] },
      parameters: [{ name: 'pg-pass', secret: true }, { name: 'pg-user', value: 'app' }],
      env: [
        { name: 'POSTGRES_USER', valueFrom: { parameter: { name: 'pg-user' } } },
        { name: 'POSTGRES_PASSWORD', valueFrom: { parameter: { name: 'pg-pass' } } },
      ],
      connectionString: 'Host={pg.tcp.host};Port={pg.tcp.port};Username={pg-user};Password={pg-pass}',
      databases: [{ name: 'orders', databaseName: 'orders_db' }],
      healthCheck: { type: 'postgres' },
    });
    expect((m.find((o) => o.metadata.name === 'api')!.spec as Record<string, unknown>).references).toEqual([{ resource: 'pg', database: 'orders' }]);
  });

  it('addRabbitMQ: AMQP endpoint, health check and an amqp:// connection string', () => {
    const b = createBuilder({ baseDir: '/tmp' });
    b.addRabbitMQ('bus', { management: true });
    const spec = b.build().manifests()[0]!.spec as Record<string, unknown>;
    expect(spec).toMatchObject({
      container: { image: 'rabbitmq', tag: '4.1-management' },
      endpoints: [{ targetPort: 5672 }, { name: 'management', scheme: 'http', targetPort: 15672 }],
      connectionString: 'amqp://guest:{bus-password}@{bus.tcp.host}:{bus.tcp.port}',
      healthCheck: { type: 'amqp', endpoint: 'tcp' },
    });
  });

  it('addParameter: a secret goes to withEnvironment as valueFrom.parameter and its declaration travels along', () => {
    const b = createBuilder({ baseDir: '/tmp' });
    const key = b.addParameter('api-key', { secret: true, generate: true });
    b.addNodeApp('api', '.', 'server.js').withEnvironment('API_KEY', key);
    expect(b.build().manifests()[0]!.spec).toMatchObject({
      parameters: [{ name: 'api-key', secret: true, generate: {} }],
      env: [{ name: 'API_KEY', valueFrom: { parameter: { name: 'api-key' } } }],
    });
  });

  it.each([
    ['a secret parameter with a literal value', (b: ReturnType<typeof createBuilder>) => b.addParameter('k', { secret: true, value: 'x' }), 'BUILDER_INVALID_ARGUMENT'],
    ['a password that is not a parameter', (b: ReturnType<typeof createBuilder>) => b.addRedis('c', { password: 'hunter2' as never }), 'BUILDER_INVALID_ARGUMENT'],
    ['a parameter of another builder', (b: ReturnType<typeof createBuilder>) => b.addRedis('c', { password: createBuilder().addParameter('p', { secret: true }) }), 'BUILDER_INVALID_ARGUMENT'],
    ['a bad database name', (b: ReturnType<typeof createBuilder>) => b.addPostgres('pg').addDatabase('no spaces'), 'BUILDER_INVALID_NAME'],
    ['the same database twice', (b: ReturnType<typeof createBuilder>) => { const pg = b.addPostgres('pg'); pg.addDatabase('a'); pg.addDatabase('a'); }, 'BUILDER_DUPLICATE_RESOURCE'],
  ])('refuses %s with a BuilderError', (_what, act, code) => {
    let err: unknown;
    try {
      act(createBuilder({ baseDir: '/tmp' }));
    } catch (e) {
      err = e;
    }
    expect(isBuilderError(err, code as never)).toBe(true);
  });
});

describe('integrations in YAML', () => {
  it('a hand-written manifest says the same as addRedis + withReference (the builder adds only its base-dir annotation)', () => {
    const b = createBuilder({ baseDir: '/tmp' });
    const cache = b.addRedis('cache');
    b.addNodeApp('api', '.', 'server.js').withReference(cache);
    const yaml = `
kind: Resource
metadata: { name: cache }
spec:
  container: { image: redis, tag: "7.4", command: /bin/sh, args: ["-c", 'redis-server --requirepass "$REDIS_PASSWORD"'] }
  parameters: [{ name: cache-password, secret: true, generate: { length: 22 } }]
  env: [{ name: REDIS_PASSWORD, valueFrom: { parameter: { name: cache-password } } }]
  endpoints: [{ targetPort: 6379 }]
  connectionString: "{cache.tcp.host}:{cache.tcp.port},password={cache-password}"
  healthCheck: { type: redis }
`;
    const built = b.build().manifests().find((o) => o.metadata.name === 'cache')!;
    expect(built.spec).toEqual(parse(yaml).spec);
  });
});
