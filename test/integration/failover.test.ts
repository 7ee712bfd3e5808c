// Kill one of two replicas during load: no failed new connections at the proxy; the replica is
// restarted and rejoins the rotation once it is ready again.
import { afterEach, describe, expect, it } from 'vitest';
import type { Proxy } from '../../src/api/types.ts';
import { startFailoverLoad } from './support/failover-load.ts';
import { echoResource, isAlive, startTestApphost, waitFor, type TestApphost } from './support/harness.ts';

describe('failover', () => {
  let t: TestApphost | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('SIGKILL of one replica under load of new connections: zero failures, restart, rejoin', async () => {
    t = await startTestApphost([echoResource('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] })]);
    const [victim] = await t.waitReady('api', 2);
    const ep = await t.waitEndpoint('api-http', 2);
    const url = ep.status!.url!;
    const victimPid = victim!.status!.pid!;

    const load = startFailoverLoad(url, {
      maxMs: 20_000,
      describe: () => `proxy backends ${t!.app.store.tryGet<Proxy>('Proxy', 'default', 'api-http')?.spec.backends?.map((b) => `${b.name}:${b.port}`).join(',')}`,
    });
    await waitFor('some load', () => load.ok() > 100);
    const killedAt = await load.killBetweenRequests(victimPid);

    const restarted = await waitFor('victim restarted and ready', () => {
      const rep = t!.replicas('api').find((r) => r.metadata.name === victim!.metadata.name);
      return rep?.status?.ready && rep.status.pid !== victimPid && rep;
    });
    await waitFor('restarted replica serving again', () => load.servedBy.some((s) => s.pid === restarted.status!.pid));
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(isAlive(victimPid)).toBe(false);
    expect(restarted.status!.restarts).toBeGreaterThanOrEqual(1);
    const afterKill = load.servedBy.filter((s) => s.at > killedAt);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.some((s) => s.pid === victimPid)).toBe(false);
  });
});
