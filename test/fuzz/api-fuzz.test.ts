// Fuzz test of the HTTPS API: thousands of random and mutated requests (bad JSON, wrong types, huge
// strings, bad names, bad selectors, bad patches, random paths, methods and content types, garbage
// on the wire). The server must answer every one with a Status of the right shape and never a 5xx,
// keep serving, and every object it stored must still pass admission. Seeded and bounded in time.
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawClient, type RawRequest, type RawResponse } from '../support/raw-api-client.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.ts';
import { expectStoredObjectsValid, responseProblem } from '../support/api-invariants.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 2500);
const TIME_BUDGET_MS = 60_000;
const CONCURRENCY = 16;

/** mulberry32: small, fast, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof rng>;

const KINDS = ['resources', 'replicas', 'endpoints', 'networks', 'proxies'] as const;
const PLACEHOLDERS = ['pods', 'services', 'configmaps', 'secrets', 'coreendpoints', 'persistentvolumeclaims', 'replicationcontrollers'];
const VALID: Record<(typeof KINDS)[number], (name: string) => KubeObject> = {
  resources: (name) => ({
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name, labels: { app: name } },
    spec: { executable: { command: 'node', args: ['a.js'] }, replicas: 1, endpoints: [{ scheme: 'http', env: 'PORT' }] },
  }),
  replicas: (name) => ({ apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name }, spec: { resource: 'api', index: 0 } }),
  endpoints: (name) => ({ apiVersion: 'apphost.dev/v1', kind: 'Endpoint', metadata: { name }, spec: { resource: 'api', name: 'http', scheme: 'http' } }),
  networks: (name) => ({ apiVersion: 'apphost.dev/v1', kind: 'Network', metadata: { name }, spec: { driver: 'bridge' } }),
  proxies: (name) => ({ apiVersion: 'apphost.dev/v1', kind: 'Proxy', metadata: { name }, spec: { listen: { address: '127.0.0.1', port: 0 } } }),
};

const WEIRD_STRINGS = ['', ' ', 'a'.repeat(300), 'x'.repeat(70_000), 'UPPER', 'with space', 'ünïcödé', '../../etc/passwd', '%00', '\u0000', '-lead', 'trail-', 'a..b', 'dot.ted', '😀', '{"a":1}', 'null', '0', "'; DROP TABLE", '\\', '\n'];
const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), 99999, '', 'str', [], [1, 'a', null], {}, { nested: { deep: [1, 2, { x: 'y' }] } }, 'x'.repeat(10_000)];
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain', 'application/xml', 'application/vnd.kubernetes.protobuf', 'multipart/form-data; boundary=x', '', 'application/json; charset=utf-8', '*/*', 'garbage/!!'];
const ACCEPTS = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf', 'text/html', '*/*', ';;;,,,', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'];
const SELECTORS = ['app=a', 'app in (a,b)', 'app notin (x)', '!app', 'app', 'a=b,c!=d', 'app in (', '=', '!!', 'a b c', 'a==', 'x'.repeat(400) + '=1', 'app in ()', ',,,', '%zz', 'a=b=c', 'metadata.name=a', 'metadata.namespace!=default', 'spec.x=1', 'metadata.name'];

function weirdName(r: Rng): string {
  return r.chance(0.5) ? r.pick(WEIRD_STRINGS) : `n${r.int(1e6)}-${r.pick(['ok', 'X', '_', '.', '--', ''])}`;
}

/** Mutates one random place of a JSON value: replace, delete, or insert a weird value. */
function mutate(r: Rng, value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object' || r.chance(0.2)) return r.pick(WEIRD_VALUES);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length === 0 || r.chance(0.2)) copy.push(r.pick(WEIRD_VALUES));
    else {
      const i = r.int(copy.length);
      copy[i] = mutate(r, copy[i], depth + 1);
    }
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const roll = r.next();
  if (keys.length === 0 || roll < 0.15) copy[r.pick(['extra', 'spec', 'status', 'metadata', 'apiVersion', 'kind', r.pick(WEIRD_STRINGS)])] = r.pick(WEIRD_VALUES);
  else if (roll < 0.3) delete copy[r.pick(keys)];
  else {
    const k = r.pick(keys);
    copy[k] = mutate(r, copy[k], depth + 1);
  }
  return copy;
}

function randomJsonPatch(r: Rng): unknown {
  const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'];
  const paths = ['/spec', '/spec/replicas', '/metadata/name', '/metadata/labels/x', '/status', '/', '', '/apiVersion', '/kind', '/metadata', '/spec/endpoints/0', '/spec/endpoints/-', '/spec/nope/deeper', '~1', '/metadata/resourceVersion', '/metadata/uid'];
  const n = r.int(4);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const op: Record<string, unknown> = { op: r.pick(ops), path: r.pick(paths) };
    if (r.chance(0.7)) op['value'] = r.pick(WEIRD_VALUES);
    if (r.chance(0.3)) op['from'] = r.pick(paths);
    out.push(r.chance(0.05) ? r.pick(WEIRD_VALUES) : op);
  }
  return r.chance(0.1) ? { not: 'an array' } : out;
}

function randomBody(r: Rng, base: KubeObject): string {
  const roll = r.next();
  if (roll < 0.1) return '{"unterminated": ';
  if (roll < 0.15) return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256))).toString('latin1');
  if (roll < 0.2) return JSON.stringify(r.pick(WEIRD_VALUES));
  if (roll < 0.25) return 'apiVersion: apphost.dev/v1\nkind: [unclosed\n  - : :';
  if (roll < 0.3) return '&a [*a, *a, *a]';
  if (roll < 0.32) {
    const depth = 400 + r.int(3000);
    return JSON.stringify(base).replace(/}$/, `,"deep":${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}}`);
  }
  let obj = base as unknown;
  const mutations = 1 + r.int(3);
  for (let i = 0; i < mutations; i++) obj = mutate(r, obj);
  if (r.chance(0.3) && obj && typeof obj === 'object' && !Array.isArray(obj)) {
    (obj as Record<string, unknown>)['metadata'] = { ...((obj as any).metadata ?? {}), name: weirdName(r) };
  }
  return JSON.stringify(obj);
}

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw: Namespace{metadata{name}, spec{finalizers}}}, sometimes mangled. */
function protobufNamespace(r: Rng): Buffer {
  const field = (n: number, bytes: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
  const str = (n: number, s: string) => field(n, Buffer.from(s.slice(0, 100)));
  const kind = r.chance(0.8) ? 'Namespace' : r.pick(['Pod', '', 'x'.repeat(90)]);
  const meta = Buffer.concat([str(1, r.chance(0.8) ? `ns${r.int(50)}` : weirdName(r)), str(2, ''), ...(r.chance(0.3) ? [field(11, Buffer.concat([str(1, 'a'), str(2, 'b')]))] : [])]);
  const raw = Buffer.concat([field(1, meta), field(2, str(1, 'kubernetes'))]);
  let buf = Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([str(1, 'v1'), str(2, kind)])), field(2, raw), str(3, ''), str(4, 'application/vnd.kubernetes.protobuf')]);
  if (r.chance(0.3)) buf = buf.subarray(0, r.int(buf.length));
  if (r.chance(0.2)) buf = Buffer.from(buf.map((b) => (r.chance(0.1) ? r.int(256) : b)));
  return buf;
}

function randomPath(r: Rng, names: string[]): string {
  const kind = r.chance(0.9) ? r.pick(KINDS) : r.pick(['nothings', 'Resources', 'res', 'events', '%2e%2e', 'resources.apphost.dev']);
  const ns = r.chance(0.85) ? 'default' : r.pick(['other', 'UPPER', '', 'x'.repeat(300), '%00', 'kube-system']);
  const name = r.chance(0.6) && names.length > 0 ? r.pick(names) : weirdName(r);
  const enc = (s: string) => (r.chance(0.9) ? encodeURIComponent(s) : s.replace(/[\s\n]/g, '%20'));
  const templates = [
    () => `/apis/apphost.dev/v1/namespaces/${enc(ns)}/${kind}`,
    () => `/apis/apphost.dev/v1/namespaces/${enc(ns)}/${kind}/${enc(name)}`,
    () => `/apis/apphost.dev/v1/namespaces/${enc(ns)}/${kind}/${enc(name)}/status`,
    () => `/apis/apphost.dev/v1/namespaces/${enc(ns)}/${kind}/${enc(name)}/${r.pick(['log', 'scale', 'exec', '', 'status/extra'])}`,
    () => `/apis/apphost.dev/v1/${kind}`,
    () => `/api/v1/namespaces/${enc(ns)}/events${r.chance(0.5) ? `/${enc(name)}` : `?fieldSelector=${enc(r.pick(['involvedObject.name=api', 'type=Warning', 'spec.x=1', 'involvedObject.kind==Resource,reason!=Started', '=,=']))}`}`,
    () => `/api/v1/events?watch=${r.pick(['true', 'True', '1', 'yes'])}&timeoutSeconds=1`,
    // Core Namespaces (cluster-scoped, with a status subresource) and kubectl's prune placeholders.
    () => `/api/v1/namespaces${r.chance(0.7) ? `/${enc(r.chance(0.5) ? ns : name)}${r.pick(['', '', '/status', '/finalize', '/status/x'])}` : ''}`,
    () => `/api/v1/${r.chance(0.5) ? 'watch/' : ''}namespaces?timeoutSeconds=1&${r.pick(['fieldSelector=metadata.name%3Ddefault', 'fieldSelector=status.phase%3DActive', 'labelSelector=kubernetes.io/metadata.name', 'watch=1'])}`,
    () => `/api/v1/namespaces/${enc(ns)}/${r.pick(PLACEHOLDERS)}${r.chance(0.4) ? `/${enc(name)}` : ''}`,
    () => `/apis/${r.pick(['apps/v1/deployments', 'apps/v1/namespaces/default/replicasets', 'batch/v1/namespaces/default/jobs', 'networking.k8s.io/v1/namespaces/x/ingresses', 'apps', 'batch/v1'])}${r.chance(0.3) ? `/${enc(name)}` : ''}`,
    () => `/api/v1/${r.pick(['persistentvolumes', 'pods', 'coreendpoints', 'namespaces/default/persistentvolumes'])}?watch=${r.pick(['1', 'false'])}&timeoutSeconds=1`,
    () => `/apis/apphost.dev/v1/${kind}/${enc(name)}`,
    () => `/apis/apphost.dev/v1/watch/namespaces/${enc(ns)}/${kind}?timeoutSeconds=1&resourceVersion=${r.pick(['1', 'abc', '-5', '99999999999999999999', '0', ''])}`,
    () => `/apis/apphost.dev/${r.pick(['v1', 'v2', 'v1beta1', ''])}`,
    () => `/${r.pick(['readyz', 'livez', 'healthz'])}${r.pick(['', '/ping', '/store', '/controllers', `/${enc(name)}`, '/ping/extra'])}?${r.pick(['verbose', 'verbose=0', `exclude=${enc(name)}`, 'exclude=ping&exclude=ping', ''])}`,
    () => r.pick(['/metrics', '/metrics/extra', '/metrics?name[]=x']),
    () => r.pick(['/', '/api', '/apis', '/version', '/healthz', '/openapi/v2', '/openapi/v3', '/openapi/v3/apis/apphost.dev/v1', '/api/v1', '/api/v1/namespaces/default/pods', '//', '/apis//', '/%', '/apis/apphost.dev/v1/namespaces', '/apis/apphost.dev/v1/namespaces/default']),
    () => '/' + Array.from({ length: 1 + r.int(8) }, () => enc(weirdName(r))).join('/'),
  ];
  let path = r.pick(templates)();
  if (r.chance(0.5)) {
    const params = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'dryRun', 'fieldValidation', 'fieldManager', 'force', 'propagationPolicy', 'includeObject', 'resourceVersion', 'gracePeriodSeconds', 'orphanDependents', 'timeoutSeconds', 'tailLines', r.pick(WEIRD_STRINGS)];
    const values = [...SELECTORS, 'All', 'Strict', 'Warn', 'Ignore', 'Bogus', 'true', 'false', '1', '-1', '1e9', 'Background', 'Orphan', 'Foreground', 'Object', 'None', '%%%', 'eyJrIjoiYSJ9', 'x'.repeat(5000)];
    const q = Array.from({ length: 1 + r.int(3) }, () => `${encodeURIComponent(r.pick(params))}=${r.chance(0.9) ? encodeURIComponent(r.pick(values)) : r.pick(values)}`);
    path += (path.includes('?') ? '&' : '?') + q.join('&');
  }
  // Raw (unencoded) characters the HTTP client itself refuses to send are percent-encoded.
  return path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

function randomRequest(r: Rng, names: string[]): RawRequest {
  const kind = r.pick(KINDS);
  const base = VALID[kind](names.length > 0 && r.chance(0.5) ? r.pick(names) : `f${r.int(1e6)}`);
  const roll = r.next();
  let req: RawRequest;
  if (roll < 0.3) {
    // Create with a mutated object.
    req = { method: 'POST', path: `/apis/apphost.dev/v1/namespaces/default/${kind}`, body: randomBody(r, base), headers: { 'content-type': r.chance(0.85) ? 'application/json' : r.pick(CONTENT_TYPES) } };
  } else if (roll < 0.45) {
    // Patch (every patch type, bad bodies, wrong types).
    const type = r.pick(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', r.pick(CONTENT_TYPES)]);
    const body = type === 'application/json-patch+json' ? JSON.stringify(randomJsonPatch(r)) : randomBody(r, r.chance(0.5) ? base : ({ spec: mutate(r, base.spec) } as KubeObject));
    const manager = r.chance(0.7) ? '&fieldManager=fuzz' : '';
    req = { method: 'PATCH', path: `/apis/apphost.dev/v1/namespaces/default/${kind}/${encodeURIComponent(base.metadata.name)}${r.chance(0.2) ? '/status' : ''}?x=1${manager}`, body, headers: { 'content-type': type } };
  } else if (roll < 0.55) {
    // Replace with a mutated object and a random resourceVersion.
    const obj = JSON.parse(randomBody(r, base).startsWith('{') ? JSON.stringify(base) : '{}');
    if (obj.metadata) obj.metadata.resourceVersion = r.pick(['1', 'abc', '', '999999999999999999']);
    req = { method: 'PUT', path: `/apis/apphost.dev/v1/namespaces/default/${kind}/${encodeURIComponent(base.metadata.name)}`, body: JSON.stringify(mutate(r, obj)), headers: { 'content-type': 'application/json' } };
  } else if (roll < 0.62) {
    // Delete with random options.
    const body = r.chance(0.5) ? JSON.stringify(mutate(r, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: 'x' } })) : undefined;
    req = { method: 'DELETE', path: randomPath(r, names), body, headers: body ? { 'content-type': r.pick(CONTENT_TYPES) } : {} };
  } else if (roll < 0.68) {
    // A Namespace: JSON (mutated) or a protobuf body as `kubectl create namespace` sends, intact or cut.
    const body = r.chance(0.5) ? randomBody(r, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${r.int(50)}` } } as KubeObject) : protobufNamespace(r);
    const method = r.pick(['POST', 'POST', 'POST', 'PUT', 'DELETE']);
    const named = method !== 'POST' || r.chance(0.2);
    req = { method, path: `/api/v1/namespaces${named ? `/${r.chance(0.15) ? 'default' : `ns${r.int(50)}`}` : ''}`, body, headers: { 'content-type': typeof body === 'string' ? 'application/json' : 'application/vnd.kubernetes.protobuf' } };
  } else if (roll < 0.85) {
    req = { method: r.chance(0.8) ? 'GET' : r.pick(METHODS), path: randomPath(r, names), headers: { accept: r.pick(ACCEPTS) } };
  } else {
    // Anything goes: random method, path, content type and body.
    req = { method: r.pick(METHODS), path: randomPath(r, names), body: r.chance(0.7) ? randomBody(r, base) : undefined, headers: { 'content-type': r.pick(CONTENT_TYPES), accept: r.pick(ACCEPTS) } };
  }
  if (req.method === 'HEAD' || req.method === 'TRACE') delete req.body;
  if (r.chance(0.03)) req.noAuth = true;
  if (r.chance(0.02)) req.headers = { ...req.headers, authorization: r.pick(['Bearer', 'Bearer x', 'Basic Zm9vOmJhcg==', 'x'.repeat(1000), `Bearer ${'\u00e9'.repeat(43)}`, `Bearer ${'\u00ff'.repeat(43)}`]) };
  return req;
}

describe('API fuzz', () => {
  let api: TestApiServer;
  let client: ReturnType<typeof createRawClient>;

  // What the server logs at error level (the cause of any 500) ends up in the failure message.
  const serverErrors: string[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        serverErrors.push(chunk.toString().slice(0, 1500));
        done();
      },
    }),
  );

  beforeAll(async () => {
    api = await startTestApiServer({ logger, server: { watchHeartbeatMs: 500 } });
    client = createRawClient(api.server);
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  it(`survives ${REQUESTS} random and mutated requests (seed ${SEED}) and keeps every stored object valid`, async () => {
    const r = rng(SEED);
    const names: string[] = [];
    for (const kind of KINDS) {
      for (let i = 0; i < 3; i++) {
        const name = `seed-${kind}-${i}`;
        names.push(name);
        const res = await client.request({ method: 'POST', path: `/apis/apphost.dev/v1/namespaces/default/${kind}`, body: JSON.stringify(VALID[kind](name)), headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(201);
      }
    }

    const problems: string[] = [];
    const statusCounts = new Map<number, number>();
    const t0 = Date.now();
    let sent = 0;
    const work = async () => {
      while (sent < REQUESTS && Date.now() - t0 < TIME_BUDGET_MS) {
        const req = randomRequest(r, names);
        sent++;
        let res: RawResponse;
        try {
          res = await client.request({ ...req, timeoutMs: 5000 });
        } catch (err) {
          problems.push(`no answer: ${req.method} ${req.path.slice(0, 200)}: ${(err as Error).message}`);
          continue;
        }
        statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
        const problem = responseProblem(req, res);
        if (problem) problems.push(`${problem}\n  body: ${String(req.body ?? '').slice(0, 500)}\n  server: ${serverErrors.at(-1) ?? ''}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, work));

    // Huge bodies: the server refuses them with 413 and goes on.
    for (let i = 0; i < 3; i++) {
      const res = await client.request({ method: 'POST', path: '/apis/apphost.dev/v1/namespaces/default/networks', body: 'x'.repeat(3 * 1024 * 1024 + 1 + i), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(413);
    }

    // Garbage on the wire (not HTTP at all, or broken HTTP) over TLS.
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: api.server.port, ca: api.server.caPem, servername: 'localhost' }, () => {
          const junk = i % 2 ? Buffer.from(Array.from({ length: 100 + r.int(2000) }, () => r.int(256))) : Buffer.from(`GET /${'a'.repeat(r.int(100))} HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`);
          socket.end(junk);
        });
        socket.on('data', () => {});
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(3000, () => socket.destroy());
      });
    }

    expect(sent).toBeGreaterThanOrEqual(Math.min(REQUESTS, 2000));
    expect(problems.slice(0, 20)).toEqual([]);
    // Some requests of every class must have succeeded and failed, or the generator is broken.
    expect(statusCounts.get(200) ?? 0).toBeGreaterThan(50);
    expect(statusCounts.get(201) ?? 0).toBeGreaterThan(5);
    for (const code of [400, 404, 405, 415, 422]) expect(statusCounts.get(code) ?? 0, `status ${code}`).toBeGreaterThan(5);
    expect(statusCounts.get(403) ?? 0, 'status 403 (default may not be deleted, content in a Terminating namespace)').toBeGreaterThan(0);
    // Namespaces were created (JSON and protobuf bodies) and some are Terminating.
    const namespaces = api.store.list<any>('namespaces').items;
    expect(namespaces.length).toBeGreaterThan(5);
    expect(namespaces.some((n) => n.status?.phase === 'Terminating')).toBe(true);

    // Still serving; the fuzzed watches (timeoutSeconds=1) have all been released.
    expect((await client.request({ path: '/version' })).status).toBe(200);
    const t1 = Date.now();
    while (api.server.stats().streams > 0 && Date.now() - t1 < 5000) await new Promise((res) => setTimeout(res, 50));
    expect(api.server.stats().streams).toBe(0);

    // Every stored object is still admissible and well-formed.
    const checked = await expectStoredObjectsValid(api, client);
    expect(checked).toBeGreaterThan(0);
  }, 120_000);
});
