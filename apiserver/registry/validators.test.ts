// Every validation error of DESIGN.md section 1, through the real registry (CRD schema, defaults,
// then validateResource), with its field path and a message naming resource and endpoint.
import { describe, expect, it } from 'vitest';
import { ApiError, type StatusCause } from '../../src/api/status.ts';
import { createApphostRegistry, createRegistry, BUILTIN_CRD_DIR } from './index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { registerBuiltinValidators, validateResource } from './validators.ts';

const registry = createApphostRegistry();
const info = registry.resolve('res')!;

function resource(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name, namespace: 'default' }, spec };
}

function admit(obj: KubeObject): KubeObject {
  return registry.admit(info, obj, 'CREATE').object;
}

function causes(obj: KubeObject): StatusCause[] {
  try {
    admit(obj);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'Invalid') return err.details?.causes ?? [];
    throw err;
  }
  return [];
}

const exe = { command: 'node', args: ['server.js'] };
const ctr = { image: 'redis', tag: '7' };

describe('valid resources are admitted', () => {
  it.each([
    ['executable, defaults', { executable: exe, endpoints: [{ scheme: 'http', env: 'PORT' }] }],
    ['executable, 3 replicas behind a fixed proxy port', { executable: exe, replicas: 3, endpoints: [{ scheme: 'http', port: 5066, env: 'PORT' }] }],
    ['container, replicas with a fixed targetPort', { container: ctr, replicas: 2, endpoints: [{ name: 'tcp', targetPort: 6379 }] }],
    ['proxyless executable with equal ports', { executable: exe, endpoints: [{ scheme: 'http', isProxied: false, port: 7000, targetPort: 7000 }] }],
    ['proxyless executable with one port', { executable: exe, endpoints: [{ scheme: 'http', isProxied: false, port: 7000 }] }],
    ['persistent container, one replica', { container: ctr, lifetime: 'Persistent', endpoints: [{ targetPort: 6379 }] }],
    ['persistent proxyless container with only port', { container: ctr, lifetime: 'Persistent', endpoints: [{ port: 6379 }] }],
    ['proxied executable with port != targetPort', { executable: exe, endpoints: [{ scheme: 'http', isProxied: true, port: 5000, targetPort: 5001 }] }],
    ['several endpoints, references, waitFor', {
      executable: exe,
      endpoints: [{ scheme: 'http' }, { scheme: 'https' }, { name: 'admin', scheme: 'http' }],
      references: [{ resource: 'cache' }],
      waitFor: [{ resource: 'cache', condition: 'Healthy' }],
      healthCheck: { type: 'http', endpoint: 'admin', path: '/health' },
      env: [{ name: 'ConnectionStrings__db', value: 'x' }],
    }],
  ])('%s', (_title, spec) => {
    expect(causes(resource('api', spec))).toEqual([]);
  });
});

describe('DESIGN.md validation errors, each with its field path', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<StatusCause>, RegExp]> = [
    [
      'executable with replicas > 1 and a fixed targetPort',
      { executable: exe, replicas: 2, endpoints: [{ scheme: 'http' }, { name: 'admin', scheme: 'http', targetPort: 8081 }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[1].targetPort' },
      /^Invalid value: 8081: resource "api" endpoint "admin": an executable with 2 replicas cannot use a fixed targetPort/,
    ],
    [
      'replicas > 1 with a proxyless endpoint',
      { executable: exe, replicas: 2, endpoints: [{ scheme: 'http', isProxied: false }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].isProxied' },
      /^Invalid value: false: resource "api" endpoint "http" is proxyless, so it cannot serve 2 replicas/,
    ],
    [
      'replicas > 1 with persistent lifetime',
      { container: ctr, replicas: 3, lifetime: 'Persistent' },
      { reason: 'FieldValueInvalid', field: 'spec.replicas' },
      /^Invalid value: 3: resource "api" has lifetime Persistent and cannot run more than 1 replica$/,
    ],
    [
      'executable endpoint explicitly proxied with port == targetPort',
      { executable: exe, endpoints: [{ scheme: 'http', isProxied: true, port: 5000, targetPort: 5000 }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].port' },
      /^Invalid value: 5000: resource "api" endpoint "http" is proxied, so the proxy port and the targetPort/,
    ],
    [
      'proxyless executable with port != targetPort',
      { executable: exe, endpoints: [{ scheme: 'http', isProxied: false, port: 5000, targetPort: 5001 }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].targetPort' },
      /^Invalid value: 5001: resource "api" endpoint "http" is proxyless, so the executable listens on port 5000 itself/,
    ],
    [
      'container endpoint without targetPort',
      { container: ctr, endpoints: [{ name: 'tcp', port: 6379 }] },
      { reason: 'FieldValueRequired', field: 'spec.endpoints[0].targetPort' },
      /^Required value: resource "api" endpoint "tcp": a container endpoint needs targetPort/,
    ],
    [
      'duplicate endpoint names (explicit)',
      { executable: exe, endpoints: [{ name: 'web', scheme: 'http' }, { name: 'web', scheme: 'https' }] },
      { reason: 'FieldValueDuplicate', field: 'spec.endpoints[1].name' },
      /^Duplicate value: "web": resource "api" already has an endpoint named "web" \(spec\.endpoints\[0\]\)$/,
    ],
    [
      'duplicate endpoint names (defaulted from the scheme, case-insensitive)',
      { executable: exe, endpoints: [{ scheme: 'http' }, { name: 'HTTP', port: 9000 }] },
      { reason: 'FieldValueDuplicate', field: 'spec.endpoints[1].name' },
      /^Duplicate value: "HTTP": resource "api" already has an endpoint named "HTTP"/,
    ],
    [
      'endpoint name starting with a digit',
      { executable: exe, endpoints: [{ name: '1http', scheme: 'http' }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].name' },
      /^Invalid value: "1http": resource "api" endpoint "1http": endpoint names are 1-64 letters.*start with a letter$/,
    ],
    [
      "endpoint name with '--'",
      { executable: exe, endpoints: [{ name: 'a--b' }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].name' },
      /must not contain '--'$/,
    ],
    [
      "endpoint name with a trailing '-'",
      { executable: exe, endpoints: [{ name: 'admin-' }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].name' },
      /must not end with '-'$/,
    ],
    [
      'endpoint name with other characters',
      { executable: exe, endpoints: [{ name: 'my_ep' }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].name' },
      /^Invalid value: "my_ep": resource "api" endpoint "my_ep"/,
    ],
    [
      'endpoint name defaulted from an unusable scheme',
      { executable: exe, endpoints: [{ scheme: 'h2c+tls' }] },
      { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].name' },
      /\(defaulted from the scheme\)/,
    ],
    [
      'neither executable nor container',
      { replicas: 1 },
      { reason: 'FieldValueRequired', field: 'spec' },
      /^Required value: resource "api" must set exactly one of spec\.executable or spec\.container$/,
    ],
    [
      'both executable and container',
      { executable: exe, container: ctr },
      { reason: 'FieldValueForbidden', field: 'spec.container' },
      /^Forbidden: resource "api" sets spec\.executable; set exactly one/,
    ],
  ];

  it.each(cases)('%s', (_title, spec, expected, message) => {
    const found = causes(resource('api', spec));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject(expected);
    expect(found[0]!.message).toMatch(message);
  });

  it('endpoint names longer than 64 characters are refused (by the schema)', () => {
    const found = causes(resource('api', { executable: exe, endpoints: [{ name: 'a'.repeat(65) }] }));
    expect(found).toEqual([{ reason: 'FieldValueTooLong', field: 'spec.endpoints[0].name', message: 'Too long: may not be more than 64 bytes' }]);
  });

  it('resource names must be DNS-1123 labels of at most 63 characters', () => {
    const dotted = causes(resource('api.v2', { executable: exe }));
    expect(dotted).toHaveLength(1);
    expect(dotted[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    expect(dotted[0]!.message).toMatch(/^Invalid value: "api\.v2": resource "api\.v2": a resource name is used as a container alias/);
    const long = causes(resource('a'.repeat(64), { executable: exe }));
    expect(long.map((c) => c.message)).toEqual([expect.stringMatching(/must be no more than 63 characters$/)]);
    expect(causes(resource('a'.repeat(63), { executable: exe }))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const found = causes(resource('api', {
      executable: exe,
      replicas: 2,
      endpoints: [
        { scheme: 'http', targetPort: 8080 },
        { scheme: 'http', isProxied: false },
      ],
    }));
    expect(found.map((c) => `${c.reason} ${c.field}`)).toEqual([
      'FieldValueInvalid spec.endpoints[0].targetPort',
      'FieldValueDuplicate spec.endpoints[1].name',
      'FieldValueInvalid spec.endpoints[1].isProxied',
    ]);
  });

  it('the 422 names the resource: Resource.apphost.dev "api" is invalid', () => {
    try {
      admit(resource('api', { container: ctr, endpoints: [{ name: 'tcp' }] }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(422);
      expect((err as ApiError).message).toMatch(/^Resource\.apphost\.dev "api" is invalid: spec\.endpoints\[0\]\.targetPort: Required value: resource "api" endpoint "tcp"/);
    }
  });
});

describe('other checks on a Resource', () => {
  it('env names, env value + valueFrom, reference and waitFor names, health check endpoint, network aliases', () => {
    const found = causes(resource('api', {
      container: { ...ctr, networkAliases: ['cache', 'Bad_Alias'] },
      endpoints: [{ name: 'tcp', targetPort: 1, env: '1PORT' }],
      env: [
        { name: 'A B', value: 'x' },
        { name: 'C', value: 'x', valueFrom: { endpoint: { resource: 'db' } } },
        { name: 'D', valueFrom: { endpoint: { resource: 'Db' } } },
      ],
      references: [{ resource: 'My.Db' }],
      waitFor: [{ resource: 'api' }],
      healthCheck: { endpoint: 'admin' },
    }));
    expect(found.map((c) => c.field)).toEqual([
      'spec.endpoints[0].env',
      'spec.env[0].name',
      'spec.env[1].valueFrom',
      'spec.env[2].valueFrom.endpoint.resource',
      'spec.references[0].resource',
      'spec.waitFor[0].resource',
      'spec.healthCheck.endpoint',
      'spec.container.networkAliases[1]',
    ]);
    expect(found.find((c) => c.field === 'spec.waitFor[0].resource')!.message).toBe('Invalid value: "api": resource "api" cannot wait for itself');
  });

  it('a health check endpoint must exist, unless endpoints come from a launch profile', () => {
    expect(causes(resource('api', { executable: exe, healthCheck: { endpoint: 'http' } })).map((c) => c.field)).toEqual(['spec.healthCheck.endpoint']);
    expect(causes(resource('api', { executable: { ...exe, launchProfile: { name: 'https' } }, healthCheck: { endpoint: 'https' } }))).toEqual([]);
  });

  it('validators are skipped for status writes (a spec that became invalid does not block status)', () => {
    const bad = resource('api', { container: ctr, endpoints: [{ name: 'tcp' }] });
    bad.status = { phase: 'Failed' };
    expect(registry.admit(info, bad, 'UPDATE', bad, { subresource: 'status' }).object.status).toEqual({ phase: 'Failed' });
  });

  it('validateResource is a plain function of the defaulted object', () => {
    const obj = resource('api', { executable: exe, replicas: 2, lifetime: 'Persistent' });
    expect(validateResource(obj, 'CREATE').map((c) => c.field)).toEqual(['spec.replicas']);
  });
});

describe('Endpoint and Proxy validators', () => {
  it('registerBuiltinValidators adds them to a registry', () => {
    const r = createRegistry({ crdDirs: [BUILTIN_CRD_DIR] });
    const px = { apiVersion: 'apphost.dev/v1', kind: 'Proxy', metadata: { name: 'p', namespace: 'default' }, spec: { listen: { address: 'my host' }, backends: [{ name: 'a', address: '127.0.0.1', port: 1 }, { name: 'a', address: '127.0.0.1', port: 2 }] } };
    expect(() => r.admit(r.resolve('px')!, px, 'CREATE')).not.toThrow();
    registerBuiltinValidators(r);
    try {
      r.admit(r.resolve('px')!, px, 'CREATE');
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).details?.causes?.map((c) => `${c.reason} ${c.field}`)).toEqual([
        'FieldValueInvalid spec.listen.address',
        'FieldValueDuplicate spec.backends[1].name',
      ]);
    }
  });

  it('Proxy: localhost, IPv4 and IPv6 listen addresses; defaults applied', () => {
    const pxInfo = registry.resolve('proxies')!;
    for (const address of ['localhost', '127.0.0.1', '::1', '0.0.0.0']) {
      const { object } = registry.admit(pxInfo, { apiVersion: 'apphost.dev/v1', kind: 'Proxy', metadata: { name: 'p' }, spec: { listen: { address }, backends: [{ name: 'a', address: 'localhost', port: 80 }] } }, 'CREATE');
      expect(object.spec).toEqual({ listen: { address, port: 0 }, protocol: 'TCP', policy: 'RoundRobin', clientIPAffinity: false, whenNoBackend: 'Hold', backends: [{ name: 'a', address: 'localhost', port: 80, ready: true }] });
    }
  });

  it('Endpoint: resource and endpoint names', () => {
    const epInfo = registry.resolve('ep')!;
    const ep = (spec: Record<string, unknown>) => ({ apiVersion: 'apphost.dev/v1', kind: 'Endpoint', metadata: { name: 'api-http' }, spec });
    expect(() => registry.admit(epInfo, ep({ resource: 'api', name: 'http' }), 'CREATE')).not.toThrow();
    try {
      registry.admit(epInfo, ep({ resource: 'API', name: 'ht--tp' }), 'CREATE');
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).details?.causes?.map((c) => c.field)).toEqual(['spec.resource', 'spec.name']);
    }
  });
});
