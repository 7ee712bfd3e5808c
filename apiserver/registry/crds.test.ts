// The built-in CRDs: they load, they are structural (as a real API server requires), every field
// has a description (kubectl explain), and their schemas cover every field of src/api/types.ts:
// a fully populated object of each kind is admitted in Strict mode with nothing pruned.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Endpoint, KubeObject, Network, Proxy, Replica, Resource } from '../../src/api/types.ts';
import { BUILTIN_CRD_DIR, compileJsonPath, createApphostRegistry, crdErrors, structuralErrors } from './index.ts';

const files = readdirSync(BUILTIN_CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
const crds = files.map((f) => ({ file: f, crd: parse(readFileSync(join(BUILTIN_CRD_DIR, f), 'utf8')) as Record<string, any> }));

type Node = Record<string, any>;
function walk(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  visit(node, path);
  for (const [k, child] of Object.entries(node.properties ?? {})) walk(child as Node, `${path}.${k}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`, visit);
}

describe('built-in CRD files', () => {
  it('one file per kind, five kinds', () => {
    expect(crds.map((c) => c.crd.spec.names.kind).sort()).toEqual(['Endpoint', 'Network', 'Proxy', 'Replica', 'Resource']);
  });

  for (const { file, crd } of crds) {
    describe(file, () => {
      const version = crd.spec.versions[0];
      const schema = version.schema.openAPIV3Schema;

      it('is a valid apiextensions.k8s.io/v1 CRD with a structural schema', () => {
        expect(crdErrors(crd)).toEqual([]);
        expect(structuralErrors(schema)).toEqual([]);
      });

      it('has group, scope, names, status subresource, categories', () => {
        expect(crd.spec.group).toBe('apphost.dev');
        expect(crd.spec.scope).toBe('Namespaced');
        expect(crd.spec.versions).toHaveLength(1);
        expect(version).toMatchObject({ name: 'v1', served: true, storage: true, subresources: { status: {} } });
        expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
        // `kubectl get all` lists what a user runs: Resources, their Replicas and Endpoints.
        const all = ['resources', 'replicas', 'endpoints'].includes(crd.spec.names.plural);
        expect(crd.spec.names.categories).toEqual(all ? ['apphost', 'all'] : ['apphost']);
        expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.apphost.dev`);
      });

      it('every schema node has a type, a description (except metadata/apiVersion/kind) and no properties+additionalProperties', () => {
        walk(schema, '', (node, path) => {
          expect(node.type, path).toBeTypeOf('string');
          expect('properties' in node && 'additionalProperties' in node, path).toBe(false);
          expect(node['x-kubernetes-preserve-unknown-fields'], path).toBeUndefined();
          const leafOfList = path.endsWith('[]');
          if (path !== '' && path !== '.metadata' && !leafOfList) expect(node.description, `description of ${path}`).toBeTruthy();
        });
        expect(schema.properties.metadata).toEqual({ type: 'object' });
      });

      it('ports are 0..65535 (backend ports 1..65535), counts are >= 0', () => {
        walk(schema, '', (node, path) => {
          if (/(port|Port)$/.test(path) && node.type === 'integer') {
            expect(node.maximum, path).toBe(65535);
            expect(node.minimum, path).toBeGreaterThanOrEqual(0);
          }
        });
      });

      it('status allows phase, conditions (map keyed by type) and observedGeneration', () => {
        const status = schema.properties.status.properties;
        expect(status.phase.type).toBe('string');
        expect(status.observedGeneration.type).toBe('integer');
        expect(status.conditions['x-kubernetes-list-type']).toBe('map');
        expect(Object.keys(status.conditions.items.properties).sort()).toEqual(
          ['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'status', 'type'],
        );
      });

      it('printer columns are simple JSONPaths we can evaluate, with an Age column', () => {
        const cols = version.additionalPrinterColumns as Node[];
        expect(cols.some((c) => c.name === 'Age' && c.type === 'date' && c.jsonPath === '.metadata.creationTimestamp')).toBe(true);
        for (const c of cols) {
          expect(c.jsonPath.startsWith('.')).toBe(true);
          expect(() => compileJsonPath(c.jsonPath)).not.toThrow();
        }
        expect(cols.some((c) => (c.priority ?? 0) >= 1), 'has wide columns').toBe(true);
      });
    });
  }
});

describe('subresources.scale', () => {
  const resources = createApphostRegistry().resolve('resources')!;
  it('Resource serves spec.replicas / status.replicas / status.selector', () => {
    expect(resources.scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
  });
  it('paths outside .spec / .status are rejected like kube-apiserver does', () => {
    const crd = structuredClone(resources.crd) as any;
    crd.spec.versions[0].subresources.scale = { specReplicasPath: '.status.replicas', statusReplicasPath: 'status.x' };
    expect(crdErrors(crd)).toEqual([
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec.',
      'spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: "status.x": should be a json path under .status.',
    ]);
  });
});

const meta = (name: string) => ({
  name,
  namespace: 'default',
  uid: '0f7b0c49-8a9e-4bb0-9d64-0d7a0a3e0b1c',
  resourceVersion: '12',
  generation: 2,
  creationTimestamp: '2026-01-01T00:00:00Z',
  labels: { 'app.kubernetes.io/name': name },
  annotations: { note: 'x' },
  ownerReferences: [{ apiVersion: 'apphost.dev/v1', kind: 'Resource', name: 'api', uid: 'u1', controller: true, blockOwnerDeletion: true }],
  finalizers: ['apphost.dev/cleanup'],
});
const conditions = [
  { type: 'Ready', status: 'True' as const, reason: 'AllReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 },
];
const common = { phase: 'Running' as const, conditions, observedGeneration: 2 };

const full: KubeObject[] = [
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: meta('api'),
    spec: {
      executable: { command: 'node', args: ['server.js'], workingDir: './api', launchProfile: { file: 'Properties/launchSettings.json', name: 'http' }, image: 'ghcr.io/org/api:1.2' },
      replicas: 2,
      lifetime: 'Session',
      env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { endpoint: { resource: 'cache', name: 'tcp', property: 'hostAndPort' } } }],
      endpoints: [{ name: 'http', scheme: 'http', protocol: 'TCP', transport: 'http', port: 5066, env: 'PORT', isProxied: true, isExternal: false, excludeFromReferences: false }],
      references: [{ resource: 'cache' }, { resource: 'db', endpoint: 'tcp' }],
      waitFor: [{ resource: 'cache', condition: 'Healthy' }],
      healthCheck: { type: 'http', endpoint: 'http', path: '/health', intervalSeconds: 5, timeoutSeconds: 2 },
      restartPolicy: 'Always',
      stopGracePeriodSeconds: 5,
    },
    status: { ...common, type: 'executable', replicas: 2, readyReplicas: 1, selector: 'apphost.dev/resource=api', message: 'one replica starting' },
  } satisfies Resource & { status: { type: string; message: string } },
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: meta('cache'),
    spec: {
      container: {
        image: 'redis',
        tag: '7',
        command: 'redis-server',
        args: ['--save', ''],
        volumes: [{ source: 'data', target: '/data', readOnly: false, type: 'volume' }],
        networkAliases: ['redis-primary'],
      },
      lifetime: 'Persistent',
      endpoints: [{ name: 'tcp', targetPort: 6379 }],
    },
  } satisfies Resource,
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Replica',
    metadata: meta('api-0'),
    spec: { resource: 'api', index: 0, env: [{ name: 'PORT', value: '40001' }], ports: [{ name: 'http', targetPort: 40001, hostPort: 40001 }], templateHash: 'abc' },
    status: {
      ...common,
      state: 'Running',
      pid: 1234,
      containerId: 'c0ffee',
      exitCode: 0,
      restarts: 1,
      ready: true,
      ports: [{ name: 'http', targetPort: 40001 }],
      env: [{ name: 'PORT', value: '40001' }],
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:01:00.123Z',
      message: 'running',
    },
  } satisfies Replica,
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Endpoint',
    metadata: meta('api-http'),
    spec: { resource: 'api', name: 'http', scheme: 'http', protocol: 'TCP', transport: 'http', port: 5066, targetPort: 0, env: 'PORT', isProxied: true, isExternal: false, excludeFromReferences: false },
    status: {
      ...common,
      address: 'localhost',
      port: 5066,
      url: 'http://localhost:5066',
      proxied: true,
      targets: [{ replica: 'api-0', address: '127.0.0.1', port: 40001, ready: true }],
      readyTargets: '1/1',
    },
  } satisfies Endpoint,
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Network',
    metadata: meta('default'),
    spec: { lifetime: 'Session', driver: 'bridge', app: 'shop' },
    status: { ...common, runtimeName: 'apphost-session-network-x-shop', id: 'n1', subnet: '172.20.0.0/16', gateway: '172.20.0.1', attachments: [{ replica: 'cache-0', aliases: ['cache', 'redis-primary'] }] },
  } satisfies Network,
  {
    apiVersion: 'apphost.dev/v1',
    kind: 'Proxy',
    metadata: meta('api-http'),
    spec: {
      listen: { address: '127.0.0.1', port: 5066 },
      protocol: 'TCP',
      backends: [{ name: 'api-0', address: '127.0.0.1', port: 40001, ready: true }],
      policy: 'LeastConnections',
      clientIPAffinity: true,
    },
    status: { ...common, address: '127.0.0.1', port: 5066, activeConnections: 1, totalConnections: 10, bytesIn: 100, bytesOut: 200, failedConnects: 0, lastError: 'none', readyBackends: '1/1' },
  } satisfies Proxy & { status: { readyBackends: string } },
];

describe('schemas cover every field of src/api/types.ts', () => {
  const registry = createApphostRegistry();
  for (const obj of full) {
    it(`${obj.kind} ${obj.metadata.name}: admitted in Strict mode, nothing pruned, nothing changed but defaults`, () => {
      const info = registry.forObject(obj.apiVersion, obj.kind)!;
      const { object, warnings } = registry.admit(info, obj, 'CREATE', undefined, { fieldValidation: 'Strict' });
      expect(warnings).toEqual([]);
      expect(object).toMatchObject(obj as Record<string, unknown>);
    });
  }
});
