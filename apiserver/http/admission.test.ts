// The server with the real apphost registry: fieldValidation (Strict/Warn/Ignore with Warning
// headers), 422 causes, Table printer columns, and a user CRD added while the server runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrdRegistry } from '../registry/index.ts';
import { startTestApiServer, type TestApiServer } from '../../test/support/apiserver.ts';
import { createRawClient } from '../../test/support/raw-api-client.ts';

const NETS = '/apis/apphost.dev/v1/namespaces/default/networks';
const JSON_HEADERS = { 'content-type': 'application/json' };
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

describe('admission, tables and user CRDs over HTTPS', () => {
  let api: TestApiServer;
  let client: ReturnType<typeof createRawClient>;

  beforeAll(async () => {
    api = await startTestApiServer();
    client = createRawClient(api.server);
  });
  afterAll(async () => {
    client.close();
    await api.close();
  });

  const net = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Network', metadata: { name }, spec });

  it('Strict rejects unknown fields, Warn prunes them with a Warning header, Ignore prunes silently', async () => {
    const strict = await client.request({ method: 'POST', path: `${NETS}?fieldValidation=Strict`, headers: JSON_HEADERS, body: net('s', { drivr: 'x' }) });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "spec.drivr"');

    const warn = await client.request({ method: 'POST', path: `${NETS}?fieldValidation=Warn`, headers: JSON_HEADERS, body: net('w', { drivr: 'x', 'ünï': 1 }) });
    expect(warn.status).toBe(201);
    expect(warn.json.spec).toEqual({ driver: 'bridge', lifetime: 'Session' });
    const header = ([] as string[]).concat(warn.headers['warning'] ?? []).join('\n');
    expect(header).toMatch(/^299 - ".*spec\.drivr.*"/m);
    expect(header).toContain('\\u00fc'); // non-ASCII escaped, never a broken header

    // Warnings that quote huge or many unknown fields stay within a small header budget.
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}-${'x'.repeat(100)}`, 1]));
    const big = await client.request({ method: 'POST', path: `${NETS}?fieldValidation=Warn`, headers: JSON_HEADERS, body: net('big', { ...many, ['y'.repeat(50_000)]: 1 }) });
    expect(big.status).toBe(201);
    const bigHeader = ([] as string[]).concat(big.headers['warning'] ?? []);
    expect(bigHeader.join('').length).toBeLessThan(5000);
    expect(bigHeader.at(-1)).toMatch(/more warnings not shown/);

    const ignore = await client.request({ method: 'POST', path: `${NETS}?fieldValidation=Ignore`, headers: JSON_HEADERS, body: net('i', { drivr: 'x' }) });
    expect(ignore.status).toBe(201);
    expect(ignore.headers['warning']).toBeUndefined();
    expect((await client.request({ method: 'POST', path: `${NETS}?fieldValidation=Loose`, headers: JSON_HEADERS, body: net('l', {}) })).status).toBe(400);
  });

  it('answers 422 with field paths for schema and validator errors', async () => {
    const res = await client.request({
      method: 'POST',
      path: '/apis/apphost.dev/v1/namespaces/default/resources',
      headers: JSON_HEADERS,
      body: JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'bad' }, spec: { executable: { command: 'node' }, replicas: -1, endpoints: [{ scheme: 'http', port: 70000 }] } }),
    });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { name: 'bad', kind: 'Resource', group: 'apphost.dev' } });
    expect(res.json.details.causes.map((c: any) => c.field).sort()).toEqual(['spec.endpoints[0].port', 'spec.replicas']);
    const name = await client.request({ method: 'POST', path: NETS, headers: JSON_HEADERS, body: net('Not_A_Name', {}) });
    expect(name.status).toBe(422);
    expect(name.json.details.causes[0].field).toBe('metadata.name');
  });

  it('prints Endpoint tables from the CRD printer columns, priority columns flagged', async () => {
    api.store.create({ apiVersion: 'apphost.dev/v1', kind: 'Endpoint', metadata: { name: 'api-http', namespace: 'default' }, spec: { resource: 'api', name: 'http', scheme: 'http', protocol: 'TCP' } });
    api.store.patch('endpoints', 'default', 'api-http', 'merge', { status: { url: 'http://localhost:5066', proxied: true, conditions: [{ type: 'Ready', status: 'True', reason: 'TargetsReady' }] } }, { subresource: 'status' });
    const res = await client.request({ path: '/apis/apphost.dev/v1/namespaces/default/endpoints', headers: { accept: TABLE } });
    const cols = res.json.columnDefinitions as { name: string; priority: number }[];
    expect(cols[0]!.name).toBe('Name');
    const cells = Object.fromEntries(cols.map((c, i) => [c.name, res.json.rows[0].cells[i]]));
    expect(cells).toMatchObject({ Name: 'api-http', Resource: 'api', URL: 'http://localhost:5066', Proxied: true, Ready: 'True', Reason: 'TargetsReady' });
    expect(cells['Age']).toMatch(/^\d+s$/);
    expect(cols.find((c) => c.name === 'Protocol')!.priority).toBe(1);
  });

  it('serves a user CRD added while running (discovery, OpenAPI, objects), cluster-scoped too', async () => {
    (api.registry as CrdRegistry).addCrds([
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gizmos.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { kind: 'Gizmo', listKind: 'GizmoList', plural: 'gizmos', singular: 'gizmo', shortNames: ['gz'] },
          versions: [
            {
              name: 'v1alpha1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } } } },
            },
          ],
        },
      },
    ]);
    const apis = await client.request({ path: '/apis' });
    expect(apis.json.groups.map((g: any) => g.name)).toContain('example.com');
    const rl = await client.request({ path: '/apis/example.com/v1alpha1' });
    expect(rl.json.resources).toEqual([expect.objectContaining({ name: 'gizmos', namespaced: false, kind: 'Gizmo', shortNames: ['gz'] })]);
    const openapi = await client.request({ path: '/openapi/v3' });
    expect(Object.keys(openapi.json.paths)).toContain('apis/example.com/v1alpha1');

    const created = await client.request({ method: 'POST', path: '/apis/example.com/v1alpha1/gizmos', headers: JSON_HEADERS, body: JSON.stringify({ apiVersion: 'example.com/v1alpha1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { size: 2 } }) });
    expect(created.status).toBe(201);
    expect(created.json.metadata.namespace).toBeUndefined();
    expect((await client.request({ path: '/apis/example.com/v1alpha1/gizmos/g1' })).json.spec.size).toBe(2);
    expect((await client.request({ path: '/apis/example.com/v1alpha1/namespaces/default/gizmos/g1' })).status).toBe(404);
    const bad = await client.request({ method: 'POST', path: '/apis/example.com/v1alpha1/gizmos', headers: JSON_HEADERS, body: JSON.stringify({ metadata: { name: 'g2' }, spec: { size: 0 } }) });
    expect(bad.status).toBe(422);
    expect(bad.json.details.causes[0].field).toBe('spec.size');
  });
});
