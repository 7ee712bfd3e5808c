// Replica logs over HTTPS from the platform's in-memory LogStore: plain text, tail/since/timestamps,
// and a chunked follow that sees lines appended later.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogStore, type LogStore } from '../../src/platform/logs/index.ts';
import { startTestApiServer, type TestApiServer } from '../../test/support/apiserver.ts';
import { createRawClient } from '../../test/support/raw-api-client.ts';

const REPLICAS = '/apis/apphost.dev/v1/namespaces/default/replicas';

describe('replica logs', () => {
  let api: TestApiServer;
  let logs: LogStore;
  let client: ReturnType<typeof createRawClient>;

  beforeAll(async () => {
    logs = createLogStore();
    api = await startTestApiServer({ server: { logs } });
    client = createRawClient(api.server);
    api.store.create({ apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name: 'api-0', namespace: 'default' }, spec: { resource: 'api', index: 0 } });
    for (let i = 1; i <= 5; i++) logs.append('default/api-0', i % 2 ? 'stdout' : 'stderr', `line ${i}`);
  });
  afterAll(async () => {
    client.close();
    await api.close();
  });

  it('is advertised in discovery', async () => {
    const res = await client.request({ path: '/apis/apphost.dev/v1' });
    expect(res.json.resources.map((r: any) => r.name)).toContain('replicas/log');
  });

  it('returns plain text, honouring tailLines and timestamps', async () => {
    const all = await client.request({ path: `${REPLICAS}/api-0/log` });
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('text/plain');
    expect(all.text).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    const tail = await client.request({ path: `${REPLICAS}/api-0/log?tailLines=2&timestamps=true` });
    expect(tail.text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z line 4\n\S+ line 5\n$/);
    const since = await client.request({ path: `${REPLICAS}/api-0/log?sinceSeconds=60` });
    expect(since.text.split('\n')).toHaveLength(6);
  });

  it('follows: existing lines, then new ones as they are appended', async () => {
    const s = client.stream({ path: `${REPLICAS}/api-0/log?follow=true&tailLines=1` });
    await s.waitFor((l) => l.includes('line 5'));
    logs.append('default/api-0', 'stdout', 'line 6');
    logs.append('default/api-0', 'stdout', 'line 7');
    await s.waitFor((l) => l.includes('line 7'));
    expect(s.lines).toEqual(['line 5', 'line 6', 'line 7']);
    s.abort();
  });

  it('a follower that stops reading gets the ring after its cursor, not a copy of the whole flood', async () => {
    api.store.create({ apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name: 'flood-0', namespace: 'default' }, spec: { resource: 'flood', index: 0 } });
    const socket = tls.connect({ host: '127.0.0.1', port: api.server.port, ca: api.server.caPem, servername: 'localhost' });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write(`GET ${REPLICAS}/flood-0/log?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.server.token}\r\n\r\n`);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no headers')), 5000);
      const check = () => (received.includes('\r\n\r\n') ? (clearTimeout(t), resolve()) : setTimeout(check, 5));
      check();
    });
    socket.pause();
    // 50 MB of lines while the client reads nothing; the ring keeps the newest 2 MiB.
    const pad = 'x'.repeat(990);
    for (let i = 0; i < 50_000; i++) {
      logs.append('default/flood-0', 'stdout', `${String(i).padStart(6, '0')} ${pad}`);
      if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
    }
    socket.resume();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`last line never came; got ${received.length} bytes`)), 20_000);
      const check = () => (received.includes('049999 x') ? (clearTimeout(t), resolve()) : setTimeout(check, 10));
      check();
    });
    socket.destroy();
    expect(received).toMatch(/\[apphost\] \d+ lines dropped: the client read too slowly to keep up/);
    // Kernel socket buffers, 256 KiB of queue and one ring: a few MB, not 50.
    expect(received.length).toBeLessThan(12e6);
    const numbers = [...received.matchAll(/^(?:[0-9a-f]+\r\n)?(\d{6}) x/gm)].map((m) => Number(m[1]));
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true); // in order, none twice
  });

  it('answers 404 for a missing replica and 405 for writes', async () => {
    expect((await client.request({ path: `${REPLICAS}/nope/log` })).status).toBe(404);
    expect((await client.request({ method: 'POST', path: `${REPLICAS}/api-0/log`, body: '{}' })).status).toBe(405);
    expect((await client.request({ path: `/apis/apphost.dev/v1/namespaces/default/resources/x/log` })).status).toBe(404);
  });
});
