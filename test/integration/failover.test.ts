// Kill one of two replicas during load: no failed new connections at the proxy; the replica is
// restarted and rejoins the rotation once it is ready again.
import { afterEach, describe, expect, it } from 'vitest';
import type { Proxy } from '../../src/api/types.ts';
import { echoResource, httpGet, isAlive, startTestApphost, waitFor, type EchoAnswer, type TestApphost } from './support/harness.ts';

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

    // Load: 8 workers, each one GET per new connection, for a bounded time and count. The kill
    // happens between requests, and new requests resume once the process is gone (a request in
    // flight on a dying process, or queued in its accept backlog, cannot succeed anywhere), so
    // every failure counted is a new connection the proxy failed to place while it still had the
    // dead replica as a backend.
    let stop = false;
    let killedAt = 0;
    let gate: Promise<void> | undefined;
    let inFlight = 0;
    let ok = 0;
    const failures: string[] = [];
    const servedBy: { replica: string; pid: number; at: number }[] = [];
    const deadline = Date.now() + 20_000;
    const worker = async () => {
      for (let n = 0; !stop && n < 5000 && Date.now() < deadline; n++) {
        if (gate) await gate;
        inFlight++;
        try {
          const res = await httpGet(url);
          if (res.status !== 200) failures.push(`HTTP ${res.status}`);
          else {
            ok++;
            const body = res.json<EchoAnswer>();
            servedBy.push({ replica: body.replica, pid: body.pid, at: Date.now() });
          }
        } catch (err) {
          const px = t!.app.store.tryGet<Proxy>('Proxy', 'default', 'api-http');
          const backends = px?.spec.backends?.map((b) => `${b.name}:${b.port}`).join(',');
          failures.push(`${(err as Error).message} at ${killedAt ? `+${Date.now() - killedAt} ms after the kill` : 'before the kill'} (proxy backends ${backends})`);
        } finally {
          inFlight--;
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);

    await waitFor('some load', () => ok > 100);
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    await waitFor('no request in flight', () => inFlight === 0, 5000, 1);
    process.kill(victimPid, 'SIGKILL');
    killedAt = Date.now();
    await waitFor('victim gone', () => !isAlive(victimPid), 2000, 1);
    gate = undefined;
    release();

    const restarted = await waitFor('victim restarted and ready', () => {
      const rep = t!.replicas('api').find((r) => r.metadata.name === victim!.metadata.name);
      return rep?.status?.ready && rep.status.pid !== victimPid && rep;
    });
    await waitFor('restarted replica serving again', () => servedBy.some((s) => s.pid === restarted.status!.pid));
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(isAlive(victimPid)).toBe(false);
    expect(restarted.status!.restarts).toBeGreaterThanOrEqual(1);
    const afterKill = servedBy.filter((s) => s.at > killedAt);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.some((s) => s.pid === victimPid)).toBe(false);
  });
});
