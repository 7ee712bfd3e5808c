import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import { isApiError } from '../../src/api/status.ts';
import { BUILTIN_CRD_DIR, createApphostRegistry, createRegistry, isRegistryError, loadCrdFiles } from './index.ts';
import { apiErrorOf } from '../../test/support/api-errors.ts';

const tmp = mkdtempSync(join(tmpdir(), 'apphost-registry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function widgetCrd(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: ['wd'] },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    size: { type: 'integer', default: 3 },
                    labels: { type: 'object', additionalProperties: { type: 'string' } },
                    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    opaque: { type: 'object' },
                    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                    color: { type: 'string', nullable: true },
                    shape: { type: 'object', default: {}, properties: { sides: { type: 'integer', default: 4, minimum: 3 } } },
                    code: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
                    port: { 'x-kubernetes-int-or-string': true },
                    default: { type: 'string', enum: ['a', 'b'] },
                  },
                },
              },
            },
          },
        },
      ],
      ...overrides,
    },
  };
}

const registry = createApphostRegistry();
const resInfo = registry.resolve('Resource')!;

function resource(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'api', namespace: 'default', ...metadata }, spec };
}

describe('loading', () => {
  it('loads the five built-in kinds and the core Events and Namespaces', () => {
    expect(registry.list().filter((k) => !k.placeholder).map((k) => k.key).sort()).toEqual([
      'endpoints.apphost.dev',
      'events',
      'namespaces',
      'networks.apphost.dev',
      'proxies.apphost.dev',
      'replicas.apphost.dev',
      'resources.apphost.dev',
    ]);
    expect(resInfo).toMatchObject({
      group: 'apphost.dev',
      version: 'v1',
      kind: 'Resource',
      listKind: 'ResourceList',
      plural: 'resources',
      singular: 'resource',
      shortNames: ['res'],
      categories: ['apphost', 'all'],
      namespaced: true,
      hasStatusSubresource: true,
    });
    expect(resInfo.printerColumns.map((c) => c.name)).toContain('Phase');
    expect(resInfo.crd).toBeDefined();
  });

  it('resolves kind, plural, singular, short name and qualified names, case-insensitively', () => {
    for (const ref of ['Resource', 'resources', 'resource', 'res', 'RES', 'resources.apphost.dev', 'Resource.apphost.dev', 'resources.v1.apphost.dev']) {
      expect(registry.resolve(ref)?.key, ref).toBe('resources.apphost.dev');
    }
    expect(registry.resolve('ep')?.kind).toBe('Endpoint');
    expect(registry.resolve('px')?.kind).toBe('Proxy');
    expect(registry.resolve('nope')).toBeUndefined();
    expect(registry.forObject('apphost.dev/v1', 'Replica')?.plural).toBe('replicas');
    expect(registry.forObject('apphost.dev/v2', 'Replica')).toBeUndefined();
  });

  it("serves kubectl's default prune allowlist as placeholders that never shadow apphost's names", () => {
    const placeholders = registry.list().filter((k) => k.placeholder);
    expect(placeholders.map((k) => `${k.group}/${k.version}/${k.kind}`).sort()).toEqual([
      '/v1/ConfigMap', '/v1/Endpoints', '/v1/PersistentVolume', '/v1/PersistentVolumeClaim', '/v1/Pod', '/v1/ReplicationController', '/v1/Secret', '/v1/Service',
      'apps/v1/DaemonSet', 'apps/v1/Deployment', 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet', 'batch/v1/CronJob', 'batch/v1/Job', 'networking.k8s.io/v1/Ingress',
    ]);
    for (const ref of ['endpoints', 'Endpoints', 'endpoint', 'ep']) expect(registry.resolve(ref)?.key, ref).toBe('endpoints.apphost.dev');
    expect(registry.forObject('v1', 'Endpoints')?.plural).toBe('coreendpoints');
    expect(registry.resolve('coreendpoints')?.kind).toBe('Endpoints');
    expect(registry.resolve('deploy')?.key).toBe('deployments.apps');
    expect(registry.resolve('ns')?.key).toBe('namespaces');
  });

  it('refuses every write of a placeholder kind with 405 saying what to use instead', () => {
    const pods = registry.resolve('pods')!;
    const err = apiErrorOf(() => registry.admit(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } }, 'CREATE'));
    expect(err.reason).toBe('MethodNotAllowed');
    expect(err.message).toMatch(/^apphost does not run Pod objects .*: describe the process or container as an apphost.dev\/v1 Resource/);
  });

  it('createRegistry from objects, and addCrds for a user kind', () => {
    const r = createRegistry({ crds: [widgetCrd()] });
    expect(r.resolve('wd')?.key).toBe('widgets.example.com');
    expect(r.resolve('wd')?.version).toBe('v1alpha1');
    const r2 = createRegistry({ crdDirs: [BUILTIN_CRD_DIR] });
    expect(r2.resolve('widgets')).toBeUndefined();
    r2.addCrds([widgetCrd()]);
    expect(r2.resolve('widget')?.kind).toBe('Widget');
    expect(r2.list()).toHaveLength(6);
  });

  it('a fully qualified name wins over another kind with the same short name', () => {
    const clash = widgetCrd();
    (clash.spec as any).names.shortNames = ['res'];
    const r = createRegistry({ crdDirs: [BUILTIN_CRD_DIR], crds: [clash] });
    expect(r.resolve('res')?.kind).toBe('Resource');
    expect(r.resolve('widgets.example.com')?.kind).toBe('Widget');
  });

  it('loadCrdFiles reads yaml, multi-document yaml, json and List documents', () => {
    const dir = mkdtempSync(join(tmp, 'crds-'));
    const crd = widgetCrd();
    const gadget = JSON.parse(JSON.stringify(crd).replaceAll('widget', 'gadget').replaceAll('Widget', 'Gadget').replace('"wd"', '"gd"'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(crd));
    writeFileSync(join(dir, 'b.yaml'), `---\n${JSON.stringify({ kind: 'List', items: [gadget] })}\n---\n`);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const loaded = loadCrdFiles(dir);
    expect(loaded.map((l) => l.source.split('/').pop())).toEqual(['a.json', 'b.yaml']);
    const r = createApphostRegistry({ extraCrdDirs: [dir] });
    expect(r.resolve('gd')?.kind).toBe('Gadget');
    expect(r.resolve('wd')?.kind).toBe('Widget');
  });

  it('bad CRDs and unreadable folders fail with stable codes and a one-line message', () => {
    const bad = widgetCrd({ scope: 'Galaxy' });
    try {
      createRegistry({ crds: [bad] });
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'CRD_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(/^CRD widgets\.example\.com is invalid: spec\.scope: Unsupported value: "Galaxy"/);
      expect((err as Error).message).not.toContain('\n');
    }
    const nonStructural = widgetCrd();
    (nonStructural.spec as any).versions[0].schema.openAPIV3Schema.properties.spec.properties.size = { minimum: 1 };
    expect(() => createRegistry({ crds: [nonStructural] })).toThrow(/spec\.size|properties\[size\]\.type: Required value/);
    const badDefault = widgetCrd();
    (badDefault.spec as any).versions[0].schema.openAPIV3Schema.properties.spec.properties.size.default = 'three';
    expect(() => createRegistry({ crds: [badDefault] })).toThrow(/default of spec\.size is not valid/);
    expect(() => loadCrdFiles(join(tmp, 'missing'))).toThrow(expect.objectContaining({ code: 'CRD_READ_FAILED' }));
    const yamlDir = mkdtempSync(join(tmp, 'badyaml-'));
    writeFileSync(join(yamlDir, 'x.yaml'), 'a: [1, 2\n');
    expect(() => loadCrdFiles(yamlDir)).toThrow(expect.objectContaining({ code: 'CRD_INVALID' }));
  });
});

describe('admission: defaults and pruning', () => {
  it('applies defaults and returns a new object; the input is never mutated', () => {
    const input = deepFreeze(resource({ executable: { command: 'node' }, waitFor: [{ resource: 'db' }] }));
    const { object, warnings } = registry.admit(resInfo, input, 'CREATE');
    expect(warnings).toEqual([]);
    expect(object).not.toBe(input);
    expect(object.spec).toEqual({
      executable: { command: 'node' },
      waitFor: [{ resource: 'db', condition: 'Healthy' }],
      replicas: 1,
      lifetime: 'Session',
      restartPolicy: 'OnFailure',
    });
    expect(Object.isFrozen(object)).toBe(false);
    expect((object.metadata as any) !== input.metadata).toBe(true);
  });

  it('keeps explicit values over defaults', () => {
    const { object } = registry.admit(resInfo, resource({ executable: { command: 'x' }, replicas: 0, restartPolicy: 'Never' }), 'CREATE');
    expect(object.spec).toMatchObject({ replicas: 0, restartPolicy: 'Never' });
  });

  it('prunes unknown fields at every level and reports them as warnings', () => {
    const input = deepFreeze({
      ...resource({ executable: { command: 'node', shell: true }, endpoints: [{ scheme: 'http' }, { scheme: 'https', colour: 'red' }], foo: 1 }),
      extra: true,
      metadata: { name: 'api', namespace: 'default', team: 'x' },
    });
    const { object, warnings } = registry.admit(resInfo, input, 'CREATE');
    expect(warnings.sort()).toEqual([
      'unknown field "extra"',
      'unknown field "metadata.team"',
      'unknown field "spec.endpoints[1].colour"',
      'unknown field "spec.executable.shell"',
      'unknown field "spec.foo"',
    ]);
    expect(object).not.toHaveProperty('extra');
    expect(object.metadata).not.toHaveProperty('team');
    expect((object.spec as any).endpoints[1]).toEqual({ scheme: 'https' });
    expect((object.spec as any).executable).toEqual({ command: 'node' });
  });

  it('fieldValidation Ignore prunes silently; Strict refuses with a 400 like Kubernetes', () => {
    const input = resource({ executable: { command: 'node' }, foo: 1, bar: { x: 1 } });
    expect(registry.admit(resInfo, input, 'CREATE', undefined, { fieldValidation: 'Ignore' }).warnings).toEqual([]);
    expect(registry.admit(resInfo, input, 'CREATE', undefined, { fieldValidation: 'Warn' }).warnings).toHaveLength(2);
    const err = apiErrorOf(() => registry.admit(resInfo, input, 'CREATE', undefined, { fieldValidation: 'Strict' }));
    expect(err.reason).toBe('BadRequest');
    expect(err.code).toBe(400);
    expect(err.message).toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
  });

  it('maps, preserve-unknown-fields, opaque objects, nulls and nested defaults (user CRD)', () => {
    const r = createRegistry({ crds: [widgetCrd()] });
    const info = r.resolve('widgets')!;
    const w = (spec: unknown): KubeObject => ({ apiVersion: 'example.com/v1alpha1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec });
    const { object, warnings } = r.admit(info, w({ size: null, color: null, labels: { a: 'b' }, free: { any: { thing: 1 } }, opaque: { gone: 1 } }), 'CREATE');
    expect(object.spec).toEqual({ size: 3, color: null, labels: { a: 'b' }, free: { any: { thing: 1 } }, opaque: {}, shape: { sides: 4 } });
    expect(warnings).toEqual(['unknown field "spec.opaque.gone"']);
    expect(r.admit(info, w({ port: 80 }), 'CREATE').object.spec).toMatchObject({ port: 80 });
    expect(r.admit(info, w({ port: 'http' }), 'CREATE').object.spec).toMatchObject({ port: 'http' });
    const err = apiErrorOf(() => r.admit(info, w({ labels: { a: 1 }, tags: ['x', 'y', 'x'], shape: { sides: 2 }, code: 'ABCDEFG', port: true, default: 'c' }), 'CREATE'));
    expect(err.details?.causes).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.labels[a]', message: 'Invalid value: "integer": spec.labels[a] in body must be of type string: "integer"' },
      { reason: 'FieldValueInvalid', field: 'spec.shape.sides', message: 'Invalid value: 2: spec.shape.sides in body should be greater than or equal to 3' },
      { reason: 'FieldValueTooLong', field: 'spec.code', message: 'Too long: may not be more than 5 bytes' },
      { reason: 'FieldValueInvalid', field: 'spec.code', message: 'Invalid value: "ABCDEFG": spec.code in body should match \'^[a-z]+$\'' },
      { reason: 'FieldValueTypeInvalid', field: 'spec.port', message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"' },
      { reason: 'FieldValueNotSupported', field: 'spec.default', message: 'Unsupported value: "c": supported values: "a", "b"' },
      { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "x"' },
    ]);
  });
});

describe('admission: schema errors with Kubernetes field paths', () => {
  it('rejects with 422 Invalid and one cause per problem', () => {
    const err = apiErrorOf(() =>
      registry.admit(
        resInfo,
        resource({
          executable: { args: 'x' },
          replicas: -1,
          restartPolicy: 'Sometimes',
          endpoints: [{ scheme: 'http' }, { port: 70000, protocol: 'SCTP' }],
          env: [{ value: 'v' }],
        }),
        'CREATE',
      ),
    );
    expect(err.reason).toBe('Invalid');
    expect(err.code).toBe(422);
    expect(err.details).toMatchObject({ name: 'api', group: 'apphost.dev', kind: 'Resource' });
    expect(err.message).toMatch(/^Resource\.apphost\.dev "api" is invalid: /);
    const causes = err.details!.causes!;
    const byField = Object.fromEntries(causes.map((c) => [c.field, c]));
    expect(byField['spec.executable.command']).toEqual({ reason: 'FieldValueRequired', field: 'spec.executable.command', message: 'Required value' });
    expect(byField['spec.executable.args']).toMatchObject({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.executable.args in body must be of type array: "string"' });
    expect(byField['spec.replicas']).toMatchObject({ reason: 'FieldValueInvalid', message: 'Invalid value: -1: spec.replicas in body should be greater than or equal to 0' });
    expect(byField['spec.restartPolicy']).toEqual({
      reason: 'FieldValueNotSupported',
      field: 'spec.restartPolicy',
      message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    });
    expect(byField['spec.endpoints[1].port']).toMatchObject({ message: 'Invalid value: 70000: spec.endpoints[1].port in body should be less than or equal to 65535' });
    expect(byField['spec.endpoints[1].protocol']).toMatchObject({ reason: 'FieldValueNotSupported' });
    expect(byField['spec.env[0].name']).toMatchObject({ reason: 'FieldValueRequired' });
    expect(causes).toHaveLength(7);
  });

  it('requires spec, and checks status on status writes (date-time format, enums)', () => {
    const noSpec = apiErrorOf(() => registry.admit(resInfo, { apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'a' } }, 'CREATE'));
    expect(noSpec.details?.causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' }]);
    const bad = resource({ executable: { command: 'x' } });
    bad.status = { phase: 'Exploded', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'yesterday' }, { type: 'Ready', status: 'False' }] };
    const err = apiErrorOf(() => registry.admit(resInfo, bad, 'UPDATE', undefined, { subresource: 'status' }));
    expect(err.details?.causes?.map((c) => [c.reason, c.field])).toEqual([
      ['FieldValueNotSupported', 'status.phase'],
      ['FieldValueInvalid', 'status.conditions[0].lastTransitionTime'],
      ['FieldValueDuplicate', 'status.conditions[1]'],
    ]);
    expect(err.details?.causes?.[2]?.message).toBe('Duplicate value: {"type":"Ready"}');
  });
});

describe('admission: metadata', () => {
  const fields = (meta: Record<string, unknown>) => {
    const err = apiErrorOf(() => registry.admit(resInfo, resource({ executable: { command: 'x' } }, meta), 'CREATE'));
    return err.details!.causes!.map((c) => `${c.reason} ${c.field}: ${c.message}`);
  };

  it('name is required (or generateName) and must be a DNS-1123 subdomain of at most 253 chars', () => {
    expect(fields({ name: undefined })).toEqual(['FieldValueRequired metadata.name: Required value: name or generateName is required']);
    expect(fields({ name: 'My_Api' })[0]).toMatch(/^FieldValueInvalid metadata\.name: Invalid value: "My_Api": a lowercase RFC 1123 subdomain/);
    expect(fields({ name: 'a'.repeat(254) })).toContain('FieldValueInvalid metadata.name: Invalid value: "' + 'a'.repeat(254) + '": must be no more than 253 characters');
  });

  it('namespace must be a DNS-1123 label', () => {
    expect(fields({ namespace: 'Team.One' })[0]).toMatch(/^FieldValueInvalid metadata\.namespace: Invalid value: "Team\.One": a lowercase RFC 1123 label/);
  });

  it('labels: qualified keys, valid values', () => {
    const out = fields({ labels: { 'bad key': 'v', 'example.com/ok': 'bad value!', fine: 'x'.repeat(64) } });
    expect(out[0]).toMatch(/^FieldValueInvalid metadata\.labels: Invalid value: "bad key": name part must consist/);
    expect(out[1]).toMatch(/^FieldValueInvalid metadata\.labels: Invalid value: "bad value!": a valid label must be/);
    expect(out[2]).toBe(`FieldValueInvalid metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`);
    expect(out).toHaveLength(3);
  });

  it('annotations: total size at most 256 KiB, values must be strings', () => {
    const ok = registry.admit(resInfo, resource({ executable: { command: 'x' } }, { annotations: { a: 'x'.repeat(256 * 1024 - 1) } }), 'CREATE');
    expect(Object.keys(ok.object.metadata.annotations!)).toEqual(['a']);
    expect(fields({ annotations: { a: 'x'.repeat(256 * 1024) } })).toEqual(['FieldValueTooLong metadata.annotations: Too long: must have at most 262144 bytes']);
    expect(fields({ annotations: { a: 'é'.repeat(140 * 1024) } })).toEqual(['FieldValueTooLong metadata.annotations: Too long: must have at most 262144 bytes']);
    expect(fields({ annotations: { n: 1 } })[0]).toMatch(/^FieldValueTypeInvalid metadata\.annotations\[n\]/);
  });

  it('ownerReferences, finalizers and system field types', () => {
    expect(fields({ ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x' }] })).toEqual([
      'FieldValueInvalid metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty',
    ]);
    expect(fields({ finalizers: ['a/b', 'a/b', 'bad finalizer'] })).toEqual([
      'FieldValueDuplicate metadata.finalizers[1]: Duplicate value: "a/b"',
      expect.stringMatching(/^FieldValueInvalid metadata\.finalizers\[2\]: Invalid value: "bad finalizer": name part/),
    ]);
    expect(fields({ generation: 'one' })).toEqual([
      'FieldValueTypeInvalid metadata.generation: Invalid value: "string": metadata.generation in body must be of type integer: "string"',
    ]);
  });
});

describe('admission: validators', () => {
  it('run after defaulting, are skipped on status writes, and their causes become 422', () => {
    const r = createRegistry({ crdDirs: [BUILTIN_CRD_DIR] });
    const seen: unknown[] = [];
    r.addValidator('res', (obj, op, old) => {
      seen.push([(obj.spec as any).replicas, op, old?.metadata.name]);
      return (obj.spec as any).replicas > 5 ? [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: 6: too many' }] : [];
    });
    r.admit(r.resolve('res')!, resource({ executable: { command: 'x' } }), 'CREATE');
    const old = resource({ executable: { command: 'x' } });
    r.admit(r.resolve('res')!, resource({ executable: { command: 'x' }, replicas: 2 }), 'UPDATE', old);
    expect(seen).toEqual([[1, 'CREATE', undefined], [2, 'UPDATE', 'api']]);
    const err = apiErrorOf(() => r.admit(r.resolve('res')!, resource({ executable: { command: 'x' }, replicas: 6 }), 'CREATE'));
    expect(isApiError(err, 'Invalid')).toBe(true);
    expect(err.details?.causes?.[0]?.field).toBe('spec.replicas');
    r.admit(r.resolve('res')!, resource({ executable: { command: 'x' }, replicas: 6 }), 'UPDATE', old, { subresource: 'status' });
    expect(seen).toHaveLength(3);
  });
});

describe('admission speed', () => {
  it('measures admission of a small Resource (printed, not asserted)', () => {
    const obj = resource({
      executable: { command: 'node', args: ['server.js'] },
      replicas: 2,
      endpoints: [{ scheme: 'http', env: 'PORT' }],
      env: [{ name: 'A', value: '1' }],
    }, { labels: { app: 'api' } });
    const proxy: KubeObject = {
      apiVersion: 'apphost.dev/v1',
      kind: 'Proxy',
      metadata: { name: 'p', namespace: 'default' },
      spec: { listen: { address: '127.0.0.1', port: 0 }, backends: [{ name: 'a', address: '127.0.0.1', port: 1 }] },
    };
    const pxInfo = registry.resolve('px')!;
    for (let i = 0; i < 2000; i++) registry.admit(resInfo, obj, 'CREATE');
    const n = 20_000;
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) registry.admit(resInfo, obj, 'CREATE');
    const resUs = Number(process.hrtime.bigint() - t) / 1000 / n;
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) registry.admit(pxInfo, proxy, 'CREATE');
    const pxUs = Number(process.hrtime.bigint() - t) / 1000 / n;
    console.log(`admission: Resource ${resUs.toFixed(2)} µs/op, Proxy ${pxUs.toFixed(2)} µs/op`);
    expect(Number.isFinite(resUs) && Number.isFinite(pxUs)).toBe(true);
  });
});
