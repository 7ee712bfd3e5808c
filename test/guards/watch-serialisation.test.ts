// Regression guard for the API write path (issue 12): the work per write is counted, not timed.
// With 10 watchers attached, a create serialises the stored object once, shared by the write's own
// response and every watcher's event (apiserver/http/serialize.ts); a per-watcher JSON.stringify
// would add ~10 serialisations per write and shows up here as a count, whatever the machine's load.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRawClient } from '../support/raw-api-client.ts';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.ts';

const WATCHERS = 10;
const PATH = '/apis/apphost.dev/v1/namespaces/default/resources';

function resource(name: string, mode: string) {
  return {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { executable: { command: 'node', args: ['server.js'] }, replicas: 1, env: [{ name: 'MODE', value: mode }] },
  };
}

describe('watch fan-out serialises each event once', () => {
  let api: TestApiServer;
  let client: ReturnType<typeof createRawClient>;
  let watches: ReturnType<ReturnType<typeof createRawClient>['stream']>[];

  beforeAll(async () => {
    api = await startTestApiServer();
    client = createRawClient(api.server);
    watches = Array.from({ length: WATCHERS }, () => client.stream({ path: `${PATH}?watch=1` }));
    await Promise.all(watches.map((w) => w.headersIn));
  });
  afterAll(async () => {
    for (const w of watches ?? []) w.abort();
    await api?.close();
  });

  /** JSON.stringify calls made on stored (frozen) objects named `name` while `write` runs and all watchers receive it. */
  async function serialisationsOf(name: string, type: string, write: () => Promise<{ status: number; text: string }>) {
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      const res = await write();
      expect(res.status).toBeLessThan(300);
      await Promise.all(watches.map((w) => w.waitFor((lines) => lines.some((l) => l.includes(`"type":"${type}"`) && l.includes(`"name":"${name}"`)))));
      const ofObject = stringify.mock.calls.filter(([v]) => Object.isFrozen(v) && (v as { metadata?: { name?: string } })?.metadata?.name === name);
      return { count: ofObject.length, response: res.text };
    } finally {
      stringify.mockRestore();
    }
  }

  it(`a create with ${WATCHERS} watchers: one serialisation, the same bytes in the response and every event`, async () => {
    const { count, response } = await serialisationsOf('guard-create', 'ADDED', () =>
      client.request({ method: 'POST', path: PATH, headers: { 'content-type': 'application/json' }, body: JSON.stringify(resource('guard-create', 'a')) }),
    );
    expect(count).toBe(1);
    for (const w of watches) expect(w.lines).toContain(`{"type":"ADDED","object":${response}}`);
  });

  it(`an update with ${WATCHERS} watchers: one serialisation`, async () => {
    const current = (await client.request({ path: `${PATH}/guard-create` })).json;
    const { count, response } = await serialisationsOf('guard-create', 'MODIFIED', () =>
      client.request({ method: 'PUT', path: `${PATH}/guard-create`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...current, spec: resource('x', 'b').spec }) }),
    );
    expect(count).toBe(1);
    for (const w of watches) expect(w.lines).toContain(`{"type":"MODIFIED","object":${response}}`);
  });
});
