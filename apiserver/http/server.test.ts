// The HTTPS server against a real store, over real TLS sockets on 127.0.0.1, with the store's small
// test registry (kinds widgets/gadgets in test.dev). Kubernetes clients are tested in test/e2e.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/index.ts';
import { createTestRegistry } from '../../test/support/test-registry.ts';
import type { Store } from '../../src/api/store.ts';
import { isApiServerError } from './errors.ts';
import { startApiServer } from './server.ts';
import { createRawClient } from '../../test/support/raw-api-client.ts';
import type { ApiServer } from './types.ts';

const BASE = '/apis/test.dev/v1/namespaces/default/widgets';
const JSON_HEADERS = { 'content-type': 'application/json' };

function widget(name: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name, labels: { app: name } }, spec: { size: 1 }, ...extra });
}

describe('API server over HTTPS', () => {
  let store: Store;
  let server: ApiServer;
  let client: ReturnType<typeof createRawClient>;

  beforeAll(async () => {
    const registry = createTestRegistry();
    store = createStore({ registry });
    server = await startApiServer({ store, registry, watchHeartbeatMs: 300, watchBookmarkMs: 200 });
    client = createRawClient(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('listens on 127.0.0.1 with a certificate signed by the CA it reports', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(server.caPem).toContain('BEGIN CERTIFICATE');
    const res = await client.request({ path: '/version' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ major: '1', minor: '32' });
    expect(res.json.gitVersion).toMatch(/^v1\.32\./);
  });

  it('answers 401 Status without the bearer token or with a wrong one', async () => {
    const none = await client.request({ path: '/version', noAuth: true });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await client.request({ path: BASE, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    // Same length as the real header, with bytes outside ASCII.
    const latin1 = await client.request({ path: BASE, headers: { authorization: `Bearer ${'\u00e9'.repeat(server.token.length)}` } });
    expect(latin1.status).toBe(401);
  });

  it('serves legacy and aggregated discovery', async () => {
    const apis = await client.request({ path: '/apis' });
    expect(apis.json.kind).toBe('APIGroupList');
    expect(apis.json.groups[0]).toMatchObject({ name: 'test.dev', preferredVersion: { groupVersion: 'test.dev/v1' } });
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const agg = await client.request({ path: '/apis', headers: { accept } });
    expect(agg.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.json.kind).toBe('APIGroupDiscoveryList');
    const widgets = agg.json.items[0].versions[0].resources.find((r: any) => r.resource === 'widgets');
    expect(widgets).toMatchObject({ scope: 'Namespaced', responseKind: { kind: 'Widget' }, subresources: [{ subresource: 'status' }] });
    const api = await client.request({ path: '/api' });
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: [] });
    const group = await client.request({ path: '/apis/test.dev' });
    expect(group.json.kind).toBe('APIGroup');
    const list = await client.request({ path: '/apis/test.dev/v1' });
    expect(list.json.kind).toBe('APIResourceList');
    const names = list.json.resources.map((r: any) => r.name);
    expect(names).toEqual(expect.arrayContaining(['widgets', 'widgets/status', 'gadgets']));
    expect((await client.request({ path: '/apis/nope.dev/v1' })).status).toBe(404);
  });

  it('serves OpenAPI v3 with a patch operation per kind that accepts fieldValidation', async () => {
    const root = await client.request({ path: '/openapi/v3' });
    const url = root.json.paths['apis/test.dev/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/test\.dev\/v1\?hash=[0-9A-F]+$/);
    const doc = await client.request({ path: url });
    const item = doc.json.paths['/apis/test.dev/v1/namespaces/{namespace}/widgets/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'test.dev', version: 'v1', kind: 'Widget' });
    expect(item.patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    expect(doc.json.components.schemas['dev.test.v1.Widget']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'test.dev', version: 'v1', kind: 'Widget' },
    ]);
    expect((await client.request({ path: '/openapi/v2' })).status).toBe(404);
  });

  it('creates, reads, replaces, patches and deletes', async () => {
    const created = await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('crud') });
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: 'crud', namespace: 'default', generation: 1 });
    expect(created.json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.json.metadata.uid).toBeTruthy();

    const again = await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('crud') });
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe('AlreadyExists');

    const got = await client.request({ path: `${BASE}/crud` });
    expect(got.json).toEqual(created.json);

    const replaced = JSON.parse(widget('crud', { spec: { size: 2 } }));
    replaced.metadata.resourceVersion = created.json.metadata.resourceVersion;
    const put = await client.request({ method: 'PUT', path: `${BASE}/crud`, headers: JSON_HEADERS, body: JSON.stringify(replaced) });
    expect(put.status).toBe(200);
    expect(put.json.spec.size).toBe(2);
    expect(put.json.metadata.generation).toBe(2);
    const stale = await client.request({ method: 'PUT', path: `${BASE}/crud`, headers: JSON_HEADERS, body: JSON.stringify(replaced) });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');

    const merge = await client.request({ method: 'PATCH', path: `${BASE}/crud`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"spec":{"color":"red"}}' });
    expect(merge.json.spec).toEqual({ size: 2, color: 'red' });
    const strategic = await client.request({ method: 'PATCH', path: `${BASE}/crud`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"spec":{"size":3}}' });
    expect(strategic.json.spec).toEqual({ size: 3, color: 'red' });
    const json = await client.request({ method: 'PATCH', path: `${BASE}/crud`, headers: { 'content-type': 'application/json-patch+json' }, body: '[{"op":"remove","path":"/spec/color"}]' });
    expect(json.json.spec).toEqual({ size: 3 });
    const badOp = await client.request({ method: 'PATCH', path: `${BASE}/crud`, headers: { 'content-type': 'application/json-patch+json' }, body: '[{"op":"remove","path":"/spec/missing"}]' });
    expect(badOp.status).toBe(422);

    const del = await client.request({ method: 'DELETE', path: `${BASE}/crud` });
    expect(del.status).toBe(200);
    expect(del.json.metadata.name).toBe('crud');
    const gone = await client.request({ path: `${BASE}/crud` });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'widgets.test.dev "crud" not found', details: { name: 'crud' } });
  });

  it('does server-side apply with a field manager (201 then 200) and refuses it without one', async () => {
    const path = `${BASE}/applied?fieldManager=test`;
    const headers = { 'content-type': 'application/apply-patch+yaml' };
    const body = 'apiVersion: test.dev/v1\nkind: Widget\nmetadata:\n  name: applied\nspec:\n  size: 5\n';
    const first = await client.request({ method: 'PATCH', path, headers, body });
    expect(first.status).toBe(201);
    const second = await client.request({ method: 'PATCH', path, headers, body: body.replace('5', '6') });
    expect(second.status).toBe(200);
    expect(second.json.spec.size).toBe(6);
    const noManager = await client.request({ method: 'PATCH', path: `${BASE}/applied`, headers, body });
    expect(noManager.status).toBe(400);
    expect(noManager.json.reason).toBe('BadRequest');
  });

  it('maps bad requests to the right Status codes', async () => {
    const cases: [string, Parameters<typeof client.request>[0], number][] = [
      ['malformed JSON', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: '{"apiVersion":' }, 400],
      ['array body', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: '[1,2]' }, 400],
      ['wrong kind', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('x', { kind: 'Gadget' }) }, 400],
      ['namespace mismatch', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: JSON.stringify({ metadata: { name: 'x', namespace: 'other' } }) }, 400],
      ['body too large', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: Buffer.alloc(3 * 1024 * 1024 + 10, 32) }, 413],
      ['unsupported patch type', { method: 'PATCH', path: `${BASE}/x`, headers: { 'content-type': 'text/plain' }, body: '{}' }, 415],
      ['unsupported body type', { method: 'POST', path: BASE, headers: { 'content-type': 'application/xml' }, body: '<x/>' }, 415],
      ['unknown kind', { path: '/apis/test.dev/v1/namespaces/default/nothings' }, 404],
      ['unknown path', { path: '/nowhere' }, 404],
      ['core group', { path: '/api/v1/namespaces/default/events' }, 404],
      ['method on collection', { method: 'PUT', path: BASE, headers: JSON_HEADERS, body: '{}' }, 405],
      ['method on discovery', { method: 'POST', path: '/apis', body: '{}' }, 405],
      ['bad label selector', { path: `${BASE}?labelSelector=${encodeURIComponent('a in (')}` }, 400],
      ['unsupported field selector', { path: `${BASE}?fieldSelector=spec.size%3D1` }, 400],
      ['bad limit', { path: `${BASE}?limit=-1` }, 400],
      ['bad dryRun', { method: 'POST', path: `${BASE}?dryRun=Some`, headers: JSON_HEADERS, body: widget('x') }, 400],
      ['bad continue', { path: `${BASE}?limit=1&continue=%%%` }, 400],
      ['bad path escape', { path: `${BASE}/%E0%A4%A` }, 400],
      ['nested too deep', { method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('deep').replace('"spec":{"size":1}', `"spec":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`) }, 400],
      ['deep merge patch', { method: 'PATCH', path: `${BASE}/x`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) }, 400],
      ['YAML alias bomb', { method: 'POST', path: BASE, headers: { 'content-type': 'application/yaml' }, body: 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n' }, 400],
    ];
    for (const [what, req, code] of cases) {
      const res = await client.request(req);
      expect({ what, status: res.status }).toEqual({ what, status: code });
      expect({ what, kind: res.json?.kind, code: res.json?.code }).toEqual({ what, kind: 'Status', code });
    }
  });

  it('persists nothing on dryRun=All', async () => {
    const res = await client.request({ method: 'POST', path: `${BASE}?dryRun=All`, headers: JSON_HEADERS, body: widget('dry') });
    expect(res.status).toBe(201);
    expect(res.json.metadata.name).toBe('dry');
    expect(store.tryGet('widgets', 'default', 'dry')).toBeUndefined();
  });

  it('pages with limit/continue and filters by labels and fields', async () => {
    for (const n of ['p1', 'p2', 'p3']) await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget(n) });
    const first = await client.request({ path: `${BASE}?limit=2&labelSelector=${encodeURIComponent('app in (p1,p2,p3)')}` });
    expect(first.json.kind).toBe('WidgetList');
    expect(first.json.items.map((i: any) => i.metadata.name)).toEqual(['p1', 'p2']);
    expect(first.json.metadata.continue).toBeTruthy();
    const next = await client.request({ path: `${BASE}?limit=2&labelSelector=${encodeURIComponent('app in (p1,p2,p3)')}&continue=${first.json.metadata.continue}` });
    expect(next.json.items.map((i: any) => i.metadata.name)).toEqual(['p3']);
    expect(next.json.metadata.continue).toBeUndefined();
    const byName = await client.request({ path: `/apis/test.dev/v1/widgets?fieldSelector=metadata.name%3Dp2` });
    expect(byName.json.items.map((i: any) => i.metadata.name)).toEqual(['p2']);
    expect(byName.json.metadata.resourceVersion).toBe(store.resourceVersion());
  });

  it('answers Table when asked, with Name first and ages formatted', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const res = await client.request({ path: `${BASE}?labelSelector=app%3Dp1`, headers: { accept } });
    expect(res.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(res.json.kind).toBe('Table');
    expect(res.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Age']);
    expect(res.json.rows[0].cells[0]).toBe('p1');
    expect(res.json.rows[0].cells[1]).toMatch(/^\d+s$/);
    expect(res.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'p1' } });
    expect(res.json.metadata.resourceVersion).toBeTruthy();
    const full = await client.request({ path: `${BASE}/p1?includeObject=Object`, headers: { accept } });
    expect(full.json.rows[0].object.spec).toEqual({ size: 1 });
  });

  it('writes and reads the status subresource; main writes keep status', async () => {
    await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('st') });
    const patched = await client.request({ method: 'PATCH', path: `${BASE}/st/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"status":{"phase":"Running"},"spec":{"size":99}}' });
    expect(patched.status).toBe(200);
    expect(patched.json.status).toEqual({ phase: 'Running' });
    expect(patched.json.spec.size).toBe(1);
    const got = await client.request({ path: `${BASE}/st/status` });
    expect(got.json.status.phase).toBe('Running');
    const main = await client.request({ method: 'PATCH', path: `${BASE}/st`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"status":{"phase":"Nope"}}' });
    expect(main.json.status.phase).toBe('Running');
    expect((await client.request({ path: `${BASE}/st/scale` })).status).toBe(404);
  });

  it('deletes a collection by label', async () => {
    const res = await client.request({ method: 'DELETE', path: `${BASE}?labelSelector=${encodeURIComponent('app in (p1,p2)')}` });
    expect(res.status).toBe(200);
    expect(res.json.items.map((i: any) => i.metadata.name).sort()).toEqual(['p1', 'p2']);
    expect(store.tryGet('widgets', 'default', 'p1')).toBeUndefined();
    expect(store.tryGet('widgets', 'default', 'p3')).toBeDefined();
  });

  it('watches: initial ADDED, live events, flushed headers, heartbeat and timeoutSeconds', async () => {
    const w = client.stream({ path: `${BASE}?watch=1&labelSelector=app%3Dw1&timeoutSeconds=1` });
    await w.headersIn;
    expect(w.status).toBe(200);
    await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('w1') });
    await client.request({ method: 'PATCH', path: `${BASE}/w1`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"spec":{"size":7}}' });
    await w.waitFor((l) => l.filter((x) => x.startsWith('{')).length >= 2);
    const events = w.lines.filter((x) => x.startsWith('{')).map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(events[1].object.spec.size).toBe(7);
    // Heartbeat (300 ms in this test) sends bare newlines, then timeoutSeconds ends the stream.
    await w.waitFor(() => w.ended, 4000);
    expect(w.lines.some((l) => l === '')).toBe(true);
  });

  it('resumes a watch from a resourceVersion and sends 410 for one that is too old', async () => {
    const a = await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('r1') });
    const rv = a.json.metadata.resourceVersion as string;
    await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('r2') });
    await client.request({ method: 'DELETE', path: `${BASE}/r1` });
    const w = client.stream({ path: `${BASE}?watch=true&resourceVersion=${rv}` });
    await w.waitFor((l) => l.length >= 2);
    const events = w.lines.slice(0, 2).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'r2'],
      ['DELETED', 'r1'],
    ]);
    w.abort();
    const old = client.stream({ path: `/apis/test.dev/v1/watch/namespaces/default/widgets?resourceVersion=1` });
    await old.waitFor(() => old.ended);
    const err = JSON.parse(old.lines[0]!);
    expect(err).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('watches a single object by name and with a Table Accept', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const w = client.stream({ path: `/apis/test.dev/v1/watch/namespaces/default/widgets/r2`, headers: { accept } });
    await w.waitFor((l) => l.length >= 1);
    const ev = JSON.parse(w.lines[0]!);
    expect(ev.type).toBe('ADDED');
    expect(ev.object).toMatchObject({ kind: 'Table', rows: [{ cells: ['r2', expect.any(String)] }] });
    w.abort();
  });

  it('answers a bad watch with a Status and survives clients that vanish mid-watch', async () => {
    const bad = await client.request({ path: `${BASE}?watch=1&labelSelector=${encodeURIComponent('!!')}` });
    expect(bad.status).toBe(400);
    for (let i = 0; i < 5; i++) {
      const w = client.stream({ path: `${BASE}?watch=1` });
      await w.headersIn;
      w.abort();
    }
    expect((await client.request({ path: '/version' })).status).toBe(200);
  });

  it('sends BOOKMARK events only when allowWatchBookmarks is set', async () => {
    const w = client.stream({ path: `${BASE}?watch=1&allowWatchBookmarks=true&labelSelector=app%3Dnone&timeoutSeconds=1` });
    const plain = client.stream({ path: `${BASE}?watch=1&labelSelector=app%3Dnone&timeoutSeconds=1` });
    await w.waitFor(() => w.ended, 4000);
    await plain.waitFor(() => plain.ended, 4000);
    const bookmarks = w.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(bookmarks.length).toBeGreaterThanOrEqual(2);
    expect(bookmarks[0]).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Widget', metadata: { resourceVersion: store.resourceVersion() } } });
    expect(plain.lines.filter((l) => l.startsWith('{'))).toEqual([]);
  });

  it('replaces status with PUT .../status, keeping the spec', async () => {
    const current = await client.request({ path: `${BASE}/st` });
    const body = { ...current.json, spec: { size: 1000 }, status: { phase: 'Done' } };
    const put = await client.request({ method: 'PUT', path: `${BASE}/st/status`, headers: JSON_HEADERS, body: JSON.stringify(body) });
    expect(put.status).toBe(200);
    expect(put.json.status).toEqual({ phase: 'Done' });
    expect(put.json.spec.size).toBe(1);
    expect(put.json.metadata.generation).toBe(current.json.metadata.generation);
  });

  it('deletes with DeleteOptions: preconditions, dryRun and propagationPolicy from the body', async () => {
    const owner = (await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('owner') })).json;
    const ref = { apiVersion: 'test.dev/v1', kind: 'Widget', name: 'owner', uid: owner.metadata.uid };
    const gadgets = '/apis/test.dev/v1/namespaces/default/gadgets';
    const dep = (name: string) => JSON.stringify({ apiVersion: 'test.dev/v1', kind: 'Gadget', metadata: { name, ownerReferences: [ref] } });
    expect((await client.request({ method: 'POST', path: gadgets, headers: JSON_HEADERS, body: dep('kept') })).status).toBe(201);

    const wrongUid = await client.request({ method: 'DELETE', path: `${BASE}/owner`, headers: JSON_HEADERS, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'nope' } }) });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.json.reason).toBe('Conflict');
    const staleRv = await client.request({ method: 'DELETE', path: `${BASE}/owner`, headers: JSON_HEADERS, body: JSON.stringify({ preconditions: { resourceVersion: '1' } }) });
    expect(staleRv.status).toBe(409);
    const dry = await client.request({ method: 'DELETE', path: `${BASE}/owner?dryRun=All` });
    expect(dry.status).toBe(200);
    expect(store.tryGet('widgets', 'default', 'owner')).toBeDefined();
    const bad = await client.request({ method: 'DELETE', path: `${BASE}/owner`, headers: JSON_HEADERS, body: JSON.stringify({ propagationPolicy: 'Sometimes' }) });
    expect(bad.status).toBe(400);

    const orphan = await client.request({ method: 'DELETE', path: `${BASE}/owner`, headers: JSON_HEADERS, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan', preconditions: { uid: owner.metadata.uid } }) });
    expect(orphan.status).toBe(200);
    expect(store.tryGet('widgets', 'default', 'owner')).toBeUndefined();
    const kept = store.get('gadgets', 'default', 'kept');
    expect(kept.metadata.ownerReferences).toBeUndefined();

    const owner2 = (await client.request({ method: 'POST', path: BASE, headers: JSON_HEADERS, body: widget('owner2') })).json;
    await client.request({ method: 'POST', path: gadgets, headers: JSON_HEADERS, body: dep('collected').replace(owner.metadata.uid, owner2.metadata.uid).replace('"name":"owner"', '"name":"owner2"') });
    expect(store.tryGet('gadgets', 'default', 'collected')).toBeDefined();
    await client.request({ method: 'DELETE', path: `${BASE}/owner2?propagationPolicy=Background` });
    expect(store.tryGet('gadgets', 'default', 'collected')).toBeUndefined();
  });

  it('refuses a busy port with PORT_IN_USE and a one-line message', async () => {
    const registry = createTestRegistry();
    const err = await startApiServer({ store: createStore({ registry }), registry, port: server.port }).catch((e: unknown) => e);
    expect(isApiServerError(err, 'PORT_IN_USE')).toBe(true);
    expect((err as Error).message).toBe(`cannot serve the API on 127.0.0.1:${server.port}: the port is already in use`);
  });

  it('cuts off a watcher that stops reading, and counts streams back to zero', async () => {
    const registry = createTestRegistry();
    const s2store = createStore({ registry });
    const s2 = await startApiServer({ store: s2store, registry, watchMaxBufferedBytes: 256 * 1024 });
    try {
      // A client that sends a watch request and then never reads.
      const socket = tls.connect({ host: '127.0.0.1', port: s2.port, ca: s2.caPem, servername: 'localhost' });
      await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
      socket.write(`GET ${BASE}?watch=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s2.token}\r\n\r\n`);
      socket.pause();
      const t0 = Date.now();
      while (s2.stats().streams !== 1) {
        if (Date.now() - t0 > 5000) throw new Error('watch never started');
        await new Promise((r) => setTimeout(r, 10));
      }
      const big = 'x'.repeat(100 * 1024);
      for (let i = 0; i < 200 && s2.stats().streams > 0; i++) {
        s2store.create({ apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name: `big-${i}`, namespace: 'default', annotations: { big } } });
        await new Promise((r) => setImmediate(r));
      }
      expect(s2.stats().streams).toBe(0);
      socket.destroy();

      // Many watchers that come and go leave nothing behind.
      const c2 = createRawClient(s2);
      const streams = Array.from({ length: 30 }, () => c2.stream({ path: `${BASE}?watch=1&labelSelector=app%3Dnone` }));
      await Promise.all(streams.map((w) => w.headersIn));
      expect(s2.stats().streams).toBe(30);
      for (const w of streams) w.abort();
      const t1 = Date.now();
      while (s2.stats().streams > 0 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(s2.stats().streams).toBe(0);
      c2.close();
    } finally {
      await s2.close();
    }
  });

  it('ends open watches on close()', async () => {
    const registry = createTestRegistry();
    const s2 = await startApiServer({ store: createStore({ registry }), registry });
    const c2 = createRawClient(s2);
    const w = c2.stream({ path: `${BASE}?watch=1` });
    await w.headersIn;
    const t0 = Date.now();
    await s2.close();
    await w.waitFor(() => w.ended, 3000);
    expect(Date.now() - t0).toBeLessThan(3000);
    c2.close();
  });
});
