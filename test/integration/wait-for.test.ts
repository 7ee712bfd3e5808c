// waitFor holds a dependent until its dependency is healthy.
import { afterEach, describe, expect, it } from 'vitest';
import { echoResource, startTestApphost, waitFor, type TestApphost } from './support/harness.ts';

describe('waitFor', () => {
  let t: TestApphost | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('starts the dependent only once the dependency passes its health check', async () => {
    t = await startTestApphost([
      echoResource('db', {
        endpoints: [{ scheme: 'http', env: 'PORT' }],
        env: [{ name: 'READY_AFTER_MS', value: '1200' }],
        healthCheck: { endpoint: 'http', path: '/health' },
      }),
      echoResource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }], waitFor: [{ resource: 'db', condition: 'Healthy' }] }),
    ]);
    // db runs but is not healthy yet: api waits, with a condition naming db.
    await waitFor('db running', () => t!.replicas('db')[0]?.status?.state === 'Running');
    const waiting = await waitFor('api Waiting', () => t!.resource('api')?.status?.phase === 'Waiting' && t!.resource('api'));
    expect(JSON.stringify(waiting.status?.conditions)).toContain('db');
    expect(t.replicas('api').filter((r) => r.status?.pid)).toHaveLength(0);

    const [db] = await t.waitReady('db', 1);
    const [api] = await t.waitReady('api', 1);
    expect(Date.parse(api!.status!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(db!.status!.startedAt!) + 1000);
  });
});
