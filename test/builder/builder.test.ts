import { describe, expect, it } from 'vitest';
import { createBuilder } from '../../src/builder/builder.ts';
import { BuilderError } from '../../src/builder/errors.ts';
import { BASE_DIR_ANNOTATION } from '../../src/api/annotations.ts';
import type { Resource } from '../../src/api/types.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BuilderError ? err.code : `other: ${(err as Error).message}`;
  }
  return undefined;
}

const byName = (objs: unknown[]) => Object.fromEntries((objs as Resource[]).map((o) => [o.metadata.name, o]));

describe('createBuilder', () => {
  it('produces the manifests of DESIGN.md 5b', () => {
    const builder = createBuilder({ baseDir: '/apps/shop' });
    const cache = builder
      .addContainer('cache', { image: 'redis', tag: '7' })
      .withEndpoint({ name: 'tcp', targetPort: 6379 })
      .withContainerNetworkAlias('redis-primary');
    const api = builder
      .addExecutable('api', 'node', './api', ['server.js'])
      .withHttpEndpoint({ env: 'PORT' })
      .withReplicas(2)
      .withReference(cache)
      .waitFor(cache);
    builder
      .addNodeApp('frontend', './frontend', 'server.js')
      .withHttpEndpoint({ port: 5066, env: 'PORT' })
      .withEndpointCallback('admin', (ep) => {
        ep.port = 17003;
        ep.scheme = 'http';
      })
      .withReference(api.getEndpoint('http'));
    const objs = builder.build().manifests();
    expect(objs.map((o) => o.metadata.name)).toEqual(['cache', 'api', 'frontend']);
    for (const o of objs) {
      expect(o).toMatchObject({ apiVersion: 'apphost.dev/v1', kind: 'Resource' });
      expect(o.metadata.annotations?.[BASE_DIR_ANNOTATION]).toBe('/apps/shop');
    }
    const m = byName(objs);
    expect(m.cache.spec).toEqual({
      container: { image: 'redis', tag: '7', networkAliases: ['redis-primary'] },
      endpoints: [{ targetPort: 6379 }],
    });
    expect(m.api.spec).toEqual({
      executable: { command: 'node', args: ['server.js'], workingDir: './api' },
      replicas: 2,
      endpoints: [{ scheme: 'http', env: 'PORT' }],
      references: [{ resource: 'cache' }],
      waitFor: [{ resource: 'cache' }],
    });
    expect(m.frontend.spec).toEqual({
      executable: { command: 'node', args: ['server.js'], workingDir: './frontend' },
      endpoints: [
        { scheme: 'http', port: 5066, env: 'PORT' },
        { name: 'admin', port: 17003, scheme: 'http' },
      ],
      references: [{ resource: 'api', endpoint: 'http' }],
    });
  });

  it('withEndpointCallback edits an existing endpoint in place', () => {
    const b = createBuilder({ baseDir: '/x' });
    b.addNodeApp('web', '.', 'a.js')
      .withHttpEndpoint({ env: 'PORT' })
      .withEndpointCallback('http', (ep) => {
        ep.port = 8080;
        ep.isExternal = true;
      });
    expect(b.build().manifests()[0].spec).toEqual({
      executable: { command: 'node', args: ['a.js'] },
      endpoints: [{ scheme: 'http', env: 'PORT', port: 8080, isExternal: true }],
    });
  });

  it('withEnvironment takes values and endpoint references (valueFrom.endpoint)', () => {
    const b = createBuilder({ baseDir: '/x' });
    const db = b.addContainer('db', 'postgres').withEndpoint({ name: 'pg', scheme: 'tcp', targetPort: 5432 });
    b.addExecutable('job', 'sh', '.', ['-c', 'env'])
      .withEnvironment('MODE', 'batch')
      .withEnvironment('RETRIES', 3)
      .withEnvironment('DB_URL', db.getEndpoint('pg'))
      .withEnvironment('DB_PORT', db.getEndpoint('pg').property('port'))
      .withEnvironment('MODE', 'stream')
      .withLifetime('persistent')
      .withRestartPolicy('OnFailure')
      .withArgs('--verbose');
    const job = byName(b.build().manifests()).job;
    expect(job.spec.env).toEqual([
      { name: 'MODE', value: 'stream' },
      { name: 'RETRIES', value: '3' },
      { name: 'DB_URL', valueFrom: { endpoint: { resource: 'db', name: 'pg', property: 'url' } } },
      { name: 'DB_PORT', valueFrom: { endpoint: { resource: 'db', name: 'pg', property: 'port' } } },
    ]);
    expect(job.spec.lifetime).toBe('Persistent');
    expect(job.spec.restartPolicy).toBe('OnFailure');
    expect(job.spec.executable?.args).toEqual(['-c', 'env', '--verbose']);
  });

  it('health checks, volumes, udp endpoints and defaults left out', () => {
    const b = createBuilder({ baseDir: '/x' });
    b.addContainer('dns', { image: 'coredns/coredns' })
      .withEndpoint({ protocol: 'UDP', targetPort: 53 })
      .withEndpoint({ name: 'metrics', scheme: 'http', targetPort: 9153 })
      .withHealthCheck({ endpoint: 'metrics', path: '/metrics' })
      .withVolume('dns-data', '/data')
      .withBindMount('./Corefile', '/Corefile', { readOnly: true })
      .withReplicas(1)
      .withLifetime('session');
    expect(b.build().manifests()[0].spec).toEqual({
      container: {
        image: 'coredns/coredns',
        volumes: [
          { source: 'dns-data', target: '/data', type: 'volume' },
          { source: './Corefile', target: '/Corefile', type: 'bind', readOnly: true },
        ],
      },
      endpoints: [{ protocol: 'UDP', targetPort: 53 }, { name: 'metrics', scheme: 'http', targetPort: 9153 }],
      healthCheck: { endpoint: 'metrics', path: '/metrics' },
    });
  });

  it('toYaml prints multi-document YAML', () => {
    const b = createBuilder({ baseDir: '/x' });
    b.addNodeApp('a', '.', 'a.js');
    b.addNodeApp('b', '.', 'b.js');
    const yaml = b.build().toYaml();
    expect(yaml.split('---\n')).toHaveLength(2);
    expect(yaml).toContain('kind: Resource');
    expect(yaml).toContain('name: b');
  });

  it('manifests() hands out copies', () => {
    const b = createBuilder({ baseDir: '/x' });
    b.addNodeApp('a', '.', 'a.js');
    const built = b.build();
    built.manifests()[0].metadata.name = 'changed';
    expect(built.manifests()[0].metadata.name).toBe('a');
  });
});

describe('builder mistakes', () => {
  it('bad and duplicate names', () => {
    const b = createBuilder({ baseDir: '/x' });
    expect(codeOf(() => b.addNodeApp('Bad_Name', '.', 'a.js'))).toBe('BUILDER_INVALID_NAME');
    b.addNodeApp('a', '.', 'a.js');
    expect(codeOf(() => b.addNodeApp('a', '.', 'a.js'))).toBe('BUILDER_DUPLICATE_RESOURCE');
    expect(codeOf(() => createBuilder({ name: 'No!' }))).toBe('BUILDER_INVALID_NAME');
  });

  it('endpoint names: invalid, duplicate, unknown', () => {
    const b = createBuilder({ baseDir: '/x' });
    const a = b.addNodeApp('a', '.', 'a.js').withHttpEndpoint();
    expect(codeOf(() => a.withEndpoint({ name: 'bad--name' }))).toBe('BUILDER_INVALID_NAME');
    expect(codeOf(() => a.withEndpoint({ name: 'x-' }))).toBe('BUILDER_INVALID_NAME');
    expect(codeOf(() => a.withHttpEndpoint())).toBe('BUILDER_DUPLICATE_ENDPOINT');
    // @ts-expect-error 'admin' is not an endpoint of a: a type error, and at run time a clear error
    expect(() => a.getEndpoint('admin')).toThrow('resource "a" has no endpoint "admin" (endpoints: http)');
    expect(codeOf(() => a.withEndpoint({ name: 'p', port: 70000 }))).toBe('BUILDER_INVALID_ARGUMENT');
  });

  it('a resource from another builder is refused', () => {
    const one = createBuilder({ baseDir: '/x' });
    const two = createBuilder({ baseDir: '/x' });
    const stranger = two.addNodeApp('api', '.', 'a.js').withHttpEndpoint();
    const web = one.addNodeApp('web', '.', 'w.js');
    expect(codeOf(() => web.withReference(stranger))).toBe('BUILDER_UNKNOWN_RESOURCE');
    expect(codeOf(() => web.withReference(stranger.getEndpoint('http')))).toBe('BUILDER_UNKNOWN_RESOURCE');
    expect(codeOf(() => web.waitFor(stranger))).toBe('BUILDER_UNKNOWN_RESOURCE');
    expect(codeOf(() => web.withEnvironment('X', stranger.getEndpoint('http')))).toBe('BUILDER_UNKNOWN_RESOURCE');
    expect(() => web.withReference(stranger)).toThrow(/resource "web": withReference\("api"\)/);
  });

  it('container-only methods are type errors on executables and fail at run time', () => {
    const b = createBuilder({ baseDir: '/x' });
    const exe = b.addNodeApp('a', '.', 'a.js');
    // @ts-expect-error network aliases are for containers
    expect(codeOf(() => exe.withContainerNetworkAlias('x'))).toBe('BUILDER_INVALID_ARGUMENT');
  });

  it('withImage sets spec.executable.image (for export); containers refuse it', () => {
    const b = createBuilder({ baseDir: '/x' });
    b.addNodeApp('api', './api', 'server.js').withHttpEndpoint({ env: 'PORT' }).withImage('ghcr.io/org/api:1.2');
    const c = b.addContainer('c', 'redis');
    expect(byName(b.build().manifests()).api.spec.executable).toEqual({ command: 'node', args: ['server.js'], workingDir: './api', image: 'ghcr.io/org/api:1.2' });
    // @ts-expect-error a container has its image already
    expect(codeOf(() => c.withImage('x'))).toBe('BUILDER_INVALID_ARGUMENT');
    expect(codeOf(() => b.addNodeApp('w', '.', 'w.js').withImage('has space'))).toBe('BUILDER_INVALID_ARGUMENT');
  });

  it('bad arguments', () => {
    const b = createBuilder({ baseDir: '/x' });
    const a = b.addNodeApp('a', '.', 'a.js');
    expect(codeOf(() => a.withReplicas(1.5))).toBe('BUILDER_INVALID_ARGUMENT');
    // @ts-expect-error not a lifetime
    expect(codeOf(() => a.withLifetime('forever'))).toBe('BUILDER_INVALID_ARGUMENT');
    expect(codeOf(() => a.withEnvironment('1=2', 'x'))).toBe('BUILDER_INVALID_ARGUMENT');
    expect(codeOf(() => a.withHttpHealthCheck('/health'))).toBe('BUILDER_UNKNOWN_ENDPOINT');
    expect(codeOf(() => a.waitFor(a))).toBe('BUILDER_INVALID_ARGUMENT');
    expect(codeOf(() => b.addContainer('c', { image: '' }))).toBe('BUILDER_INVALID_ARGUMENT');
  });
});
