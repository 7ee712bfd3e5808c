// The dashboard server against a real store and log store: browser-token login and the 401s, the
// state stream (snapshot, deltas after a write, resuming after a reconnect), actions through the
// API with its refusals, and console log streams.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { Store } from '../../src/api/store.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.ts';
import { createStateFeed } from '../../src/dashboard/state-feed.ts';
import { createLogStore, type LogStore } from '../../src/platform/logs/index.ts';
import { createTestRegistry } from '../support/test-registry.ts';
import { waitFor } from '../support/wait.ts';
import { openSseReader } from './sse-client.ts';

const resource = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { executable: { command: 'node', args: ['x.js'] }, replicas },
});

let store: Store;
let logs: LogStore;
let dash: Dashboard;
let cookie: string;

beforeAll(async () => {
  store = createStore({ registry: createApphostRegistry() });
  logs = createLogStore();
  store.create(resource('api'));
  dash = await startDashboard({ store, logs, appName: 'shop', debounceMs: 20 });
  const login = await fetch(dash.loginUrl, { redirect: 'manual' });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
});
afterAll(async () => {
  await dash?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(dash.url + path, { headers: { cookie, ...headers } });
const post = (path: string, body: unknown, type = 'application/json') =>
  fetch(dash.url + path, { method: 'POST', headers: { cookie, 'content-type': type }, body: JSON.stringify(body) });

describe('login', () => {
  it('listens on 127.0.0.1 and prints a login URL with the token', () => {
    expect(dash.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?t=[\w-]{20,}$/);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and redirects to /', async () => {
    const res = await fetch(dash.loginUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toContain(new URL(dash.loginUrl).searchParams.get('t')!);
  });

  it('answers 401 to every page, asset, API route and stream without the cookie, and to a wrong token', async () => {
    for (const path of ['/', '/assets/main.js', '/api/stream', '/api/logs?resource=api', '/api/logs/download?resource=api', '/nothing']) {
      expect((await fetch(dash.url + path)).status, path).toBe(401);
    }
    expect((await fetch(`${dash.url}/api/resources/api/scale`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"replicas":2}' })).status).toBe(401);
    expect((await fetch(`${dash.url}/login?t=wrong`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${dash.url}/login`, { redirect: 'manual' })).status).toBe(401);
    expect((await get('/', { cookie: 'apphost_dashboard=forged' })).status).toBe(401);
    expect(store.get<any>('resources', 'default', 'api').spec.replicas).toBe(1);
  });

  it('serves the page and its bundle with the cookie', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/main.js');
    const js = await get('/assets/main.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeGreaterThan(5000);
    expect((await get('/assets/main.css')).status).toBe(200);
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const req = request(dash.url + '/', { headers: { host: 'attacker.example:80', cookie } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(code).toBe(421);
  });
});

describe('state stream', () => {
  it('sends a snapshot, then deltas after a write', async () => {
    const sse = await openSseReader(`${dash.url}/api/stream`, { cookie });
    try {
      expect(sse.status).toBe(200);
      const snap = await sse.next('snapshot');
      expect(snap.data.app).toBe('shop');
      expect(snap.data.objects.resources.map((r: KubeObject) => r.metadata.name)).toContain('api');
      store.create(resource('web'));
      const put = await sse.next('delta');
      expect(put.data).toContainEqual(expect.objectContaining({ op: 'put', kind: 'resources', object: expect.objectContaining({ metadata: expect.objectContaining({ name: 'web' }) }) }));
      store.delete('resources', 'default', 'web');
      const del = await sse.next('delta');
      expect(del.data).toContainEqual({ op: 'delete', kind: 'resources', namespace: 'default', name: 'web' });
    } finally {
      sse.close();
    }
  });

  it('coalesces a burst of writes to one object into one delta', async () => {
    const sse = await openSseReader(`${dash.url}/api/stream`, { cookie });
    try {
      await sse.next('snapshot');
      for (let i = 2; i <= 6; i++) store.patch('resources', 'default', 'api', 'merge', { spec: { replicas: i } });
      const d = await sse.next('delta');
      const puts = d.data.filter((x: any) => x.kind === 'resources' && x.object.metadata.name === 'api');
      expect(puts).toHaveLength(1);
      expect(puts[0].object.spec.replicas).toBe(6);
    } finally {
      sse.close();
    }
  });

  it('resumes after a reconnect from the last event id without losing a change', async () => {
    const first = await openSseReader(`${dash.url}/api/stream`, { cookie });
    const snap = await first.next('snapshot');
    first.close();
    // Changes while the browser is away.
    store.create(resource('worker'));
    store.patch('resources', 'default', 'api', 'merge', { spec: { replicas: 4 } });
    store.delete('resources', 'default', 'worker');
    store.create(resource('cache'));
    dash.feed.flush();
    const again = await openSseReader(`${dash.url}/api/stream`, { cookie, 'last-event-id': snap.id! });
    try {
      const missed = await again.next('delta');
      expect(again.events.some((e) => e.event === 'snapshot')).toBe(false);
      // Apply what was missed to the old snapshot: the same state as a fresh snapshot.
      const state = new Map<string, any>(snap.data.objects.resources.map((r: any) => [r.metadata.name, r]));
      for (const ev of again.events.filter((e) => e.event === 'delta')) {
        for (const d of ev.data) {
          if (d.kind !== 'resources') continue;
          if (d.op === 'put') state.set(d.object.metadata.name, d.object);
          else state.delete(d.name);
        }
      }
      expect(missed.id).not.toBe(snap.id);
      const names = [...state.keys()].sort();
      expect(names).toEqual(store.list('resources').items.map((r) => r.metadata.name).sort());
      expect(state.get('api').spec.replicas).toBe(4);
    } finally {
      again.close();
    }
  });

  it('sends a fresh snapshot to an id it cannot resume from (another run, or too old)', async () => {
    for (const id of ['deadbeef-3', 'garbage', '']) {
      const sse = await openSseReader(`${dash.url}/api/stream`, id ? { cookie, 'last-event-id': id } : { cookie });
      try {
        const snap = await sse.next('snapshot');
        expect(snap.data.objects.resources.length).toBeGreaterThan(0);
      } finally {
        sse.close();
      }
    }
  });
});

describe('actions', () => {
  it('scales, stops and starts through the API', async () => {
    expect((await post('/api/resources/api/scale', { replicas: 3 })).status).toBe(200);
    expect(store.get<any>('resources', 'default', 'api').spec.replicas).toBe(3);
    expect((await post('/api/resources/api/stop', {})).status).toBe(200);
    expect(store.get<any>('resources', 'default', 'api').spec.stopped).toBe(true);
    expect((await post('/api/resources/api/start', {})).status).toBe(200);
    expect(store.get<any>('resources', 'default', 'api').spec.stopped).toBe(false);
  });

  it('records a restart on the resource', async () => {
    expect((await post('/api/resources/api/restart', {})).status).toBe(200);
    expect(store.get<any>('resources', 'default', 'api').metadata.annotations['apphost.dev/restartedAt']).toMatch(/^\d{4}-/);
  });

  it('answers a refused action with the API Status', async () => {
    const bad = await post('/api/resources/api/scale', { replicas: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/replicas/);
    const missing = await post('/api/resources/nope/scale', { replicas: 1 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    expect((await post('/api/resources/api/scale', { replicas: 2 }, 'text/plain')).status).toBe(415);
    expect((await post('/api/resources/api/explode', {})).status).toBe(404);
  });
});

describe('console logs', () => {
  const replica = (name: string, index: number): KubeObject => ({
    apiVersion: 'apphost.dev/v1',
    kind: 'Replica',
    metadata: { name, namespace: 'default' },
    spec: { resource: 'api', index },
  });

  it('streams the kept lines of every replica interleaved, then new ones, stderr marked', async () => {
    store.create(replica('api-0', 0));
    logs.append('default/api-0', 'stdout', 'zero says hi');
    logs.append('default/api-1', 'stderr', 'one complains');
    store.create(replica('api-1', 1));
    await waitFor('the feed to see both replicas', () => dash.feed.list('replicas').length === 2);
    const sse = await openSseReader(`${dash.url}/api/logs?resource=api`, { cookie });
    try {
      const first = await sse.next('lines');
      expect(first.data.map((l: any[]) => [l[2], l[3], l[4]])).toEqual([
        ['o', 'api-0', 'zero says hi'],
        ['e', 'api-1', 'one complains'],
      ]);
      logs.append('default/api-1', 'stdout', 'later line');
      const next = await sse.next('lines');
      expect(next.data.map((l: any[]) => l[4])).toEqual(['later line']);
      // A replica that appears later is followed too, with what it printed before.
      logs.append('default/api-2', 'stdout', 'new replica');
      store.create(replica('api-2', 2));
      const third = await sse.next('lines');
      expect(third.data.map((l: any[]) => [l[3], l[4]])).toEqual([['api-2', 'new replica']]);
    } finally {
      sse.close();
    }
  });

  it('streams one replica, and downloads the kept lines as text', async () => {
    const sse = await openSseReader(`${dash.url}/api/logs?resource=api&replica=api-1`, { cookie });
    try {
      const first = await sse.next('lines');
      expect(first.data.every((l: any[]) => l[3] === 'api-1')).toBe(true);
    } finally {
      sse.close();
    }
    const file = await get('/api/logs/download?resource=api');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="api.log"');
    expect((await file.text()).split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(/^\S+Z api-1 stderr one complains$/)]));
  });
});

describe('events', () => {
  const event = (name: string, reason: string, message: string): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      involvedObject: { apiVersion: 'apphost.dev/v1', kind: 'Resource', name: 'api', namespace: 'default' },
      reason,
      message,
      type: 'Warning',
      count: 1,
    }) as KubeObject;

  it('streams the core Events, the newest kept within a bound', async () => {
    const sse = await openSseReader(`${dash.url}/api/stream`, { cookie });
    try {
      const snap = await sse.next('snapshot');
      expect(snap.data.kinds).toContain('events');
      store.create(event('api.1', 'PortInUse', 'endpoint http: port 5066 is in use (held by pid 7: nc)'));
      const put = await sse.next('delta');
      expect(put.data).toContainEqual(expect.objectContaining({ op: 'put', kind: 'events', object: expect.objectContaining({ reason: 'PortInUse' }) }));
    } finally {
      sse.close();
    }
    const feed = createStateFeed({ store, maxEvents: 3, debounceMs: 5 });
    try {
      for (let i = 2; i <= 6; i++) store.create(event(`api.${i}`, 'BackOff', `try ${i}`));
      expect(feed.list('events').map((e) => e.metadata.name)).toEqual(['api.4', 'api.5', 'api.6']);
    } finally {
      feed.close();
    }
  });

  it('leaves out a kind the server does not serve', () => {
    const feed = createStateFeed({ store: createStore({ registry: createTestRegistry() }) });
    try {
      expect(feed.snapshot().kinds).toEqual([]);
    } finally {
      feed.close();
    }
  });
});
