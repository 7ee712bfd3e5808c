// Replica logs over HTTPS from the platform's in-memory LogStore: plain text, tail/since/timestamps,
// and a chunked follow that sees lines appended later.
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

  it('answers 404 for a missing replica and 405 for writes', async () => {
    expect((await client.request({ path: `${REPLICAS}/nope/log` })).status).toBe(404);
    expect((await client.request({ method: 'POST', path: `${REPLICAS}/api-0/log`, body: '{}' })).status).toBe(405);
    expect((await client.request({ path: `/apis/apphost.dev/v1/namespaces/default/resources/x/log` })).status).toBe(404);
  });
});
