// Live changes (DESIGN.md section 1): scaling leaves the other replicas alone, a new port re-binds the
// proxy, a changed env restarts the replicas it affects.
import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/api/types.ts';
import { echoResource, freePort, httpGet, isAlive, startTestApphost, waitFor, type EchoAnswer, type TestApphost } from './support/harness.ts';

describe('live changes', () => {
  let t: TestApphost | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('scale, port and env changes take effect while running', async () => {
    t = await startTestApphost([echoResource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }] })]);
    const [first] = await t.waitReady('api', 1);
    const pid0 = first!.status!.pid!;

    const update = async (change: (r: Resource) => Resource) => {
      const cur = t!.resource('api')!;
      await t!.app.apply([change(structuredClone({ ...cur, status: undefined }) as Resource)]);
    };

    // Scale up: api-0 keeps running untouched.
    await update((r) => ({ ...r, spec: { ...r.spec, replicas: 3 } }));
    const three = await t.waitReady('api', 3);
    expect(three[0]!.status!.pid).toBe(pid0);
    // Scale down removes the highest indices.
    await update((r) => ({ ...r, spec: { ...r.spec, replicas: 2 } }));
    const two = await t.waitReady('api', 2);
    expect(two.map((r) => r.metadata.name)).toEqual(['api-0', 'api-1']);
    expect(two[0]!.status!.pid).toBe(pid0);
    const gonePid = three[2]!.status!.pid!;
    await waitFor('api-2 process stopped', () => !isAlive(gonePid));

    // A new fixed port re-binds the proxy there.
    const port = await freePort();
    await update((r) => ({ ...r, spec: { ...r.spec, endpoints: [{ scheme: 'http', env: 'PORT', port }] } }));
    await waitFor('endpoint on the new port', () => t!.endpoint('api-http')?.status?.port === port);
    const res = await waitFor('proxy answering on the new port', () => httpGet(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000, 50);
    expect(res.status).toBe(200);

    // A changed env restarts the replicas with the new value.
    await update((r) => ({ ...r, spec: { ...r.spec, env: [{ name: 'GREETING', value: 'hello' }] } }));
    await waitFor('replicas restarted', () => {
      const reps = t!.replicas('api');
      return reps.length === 2 && reps.every((r) => r.status?.ready && r.status.pid !== pid0 && r.status.env?.some((e) => e.name === 'GREETING'));
    });
    expect(isAlive(pid0)).toBe(false);
    const body = (await httpGet(`http://127.0.0.1:${port}/`)).json<EchoAnswer>();
    expect(body.env.GREETING).toBe('hello');
  });
});
