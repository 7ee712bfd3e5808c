// Failover under load, repeatedly: 2 replicas behind one proxy under a bounded load of new
// connections, one replica SIGKILLed every 3 s for 30 s (whichever has been ready longest, and only
// while the other is ready: killing the last ready one is an outage, not a failover). Failed
// requests are counted; the target is 0.
import { afterAll, describe, expect, it } from 'vitest';
import type { Proxy, Replica } from '../../src/api/types.ts';
import { startFailoverLoad } from '../integration/support/failover-load.ts';
import { echoResource, startTestApphost, waitFor, type TestApphost } from '../integration/support/harness.ts';

const DURATION_MS = 30_000;
const EVERY_MS = 3_000;

describe('repeated failover', { timeout: 90_000 }, () => {
  let t: TestApphost | undefined;
  afterAll(() => t?.close());

  it(`one of 2 replicas killed every ${EVERY_MS / 1000} s for ${DURATION_MS / 1000} s under new-connection load: 0 failed requests`, async () => {
    t = await startTestApphost([echoResource('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] })]);
    await t.waitReady('api', 2);
    const url = (await t.waitEndpoint('api-http', 2)).status!.url!;
    const load = startFailoverLoad(url, {
      maxMs: DURATION_MS + 20_000,
      describe: () => {
        const px = t!.app.store.tryGet<Proxy>('Proxy', 'default', 'api-http');
        return `backends ${px?.spec.backends?.map((b) => `${b.name}:${b.port}:${b.ready}`).join(',')}; ${px?.status?.failedConnects} failed connects, last: ${px?.status?.lastError}`;
      },
    });
    await waitFor('some load', () => load.ok() > 100);
    const t0 = Date.now();
    const killed: number[] = [];
    while (Date.now() - t0 < DURATION_MS) {
      const next = t0 + (killed.length + 1) * EVERY_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      // Both ready (the other one takes the load), and the victim has served since it (re)started.
      const ready = await waitFor('both replicas ready', () => {
        const reps = t!.replicas('api').filter((r) => r.status?.ready && r.status.pid);
        return reps.length === 2 && reps;
      }, 20_000);
      const victim = ready.sort((a: Replica, b: Replica) => String(a.status!.startedAt ?? '').localeCompare(String(b.status!.startedAt ?? '')))[0]!;
      killed.push(await load.killBetweenRequests(victim.status!.pid!));
    }
    await t.waitReady('api', 2, 30_000);
    await load.stop();
    console.log(`repeated failover: ${killed.length} kills, ${load.ok()} requests, ${load.failures.length} failed`);
    expect(killed.length).toBeGreaterThanOrEqual(8);
    expect({ requests: load.ok(), failures: load.failures }).toEqual({ requests: load.ok(), failures: [] });
    expect(load.ok()).toBeGreaterThan(1000);
  });
});
