// What a delete frees (issue 14 item 12), through the real `apphostctl up`: a ~2.8 MB object applied
// server-side and deleted, three times. The watch history is bounded in bytes as well as in events,
// so the deleted objects' events do not keep megabytes alive, and apphost's RSS comes back to near
// where it started instead of keeping hundreds of MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { rssMiB } from '../support/proc-usage.ts';
import { waitFor } from '../support/wait.ts';

const BASE = '/apis/apphost.dev/v1/namespaces/default/resources';
const ROUNDS = 3;
const ENV_VARS = 20_000;
/**
 * How far above the baseline RSS may stay once the deletes are done (README, "Floods and stalled
 * clients"). The issue saw +400 MB; what the history kept (~26 MiB of heap for these three rounds)
 * is below what RSS shows of V8's lazy collection (-28 to +84 MiB in repeated runs either way), so
 * the history's byte bound itself is checked in apiserver/store/history.test.ts.
 */
const RSS_BOUND_MIB = 100;

/** A Resource of ~2.8 MB: 20,000 env vars of ~140 bytes each (a list map, so server-side apply tracks each). */
function hugeResource(name: string, round: number): string {
  const env = Array.from({ length: ENV_VARS }, (_, i) => ({ name: `VAR_${i}`, value: `${round}-${'v'.repeat(100)}-${i}` }));
  return JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name }, spec: { executable: { command: 'true' }, replicas: 0, env } });
}

/**
 * RSS once V8 has collected what it will: an idle process's memory reducer collects within seconds
 * to tens of seconds. The lowest reading once none lower has come for 20 s (at most 90 s).
 */
async function settledRss(pid: number): Promise<number> {
  let lowest = rssMiB(pid);
  let lowestAt = Date.now();
  await waitFor(
    'RSS to settle',
    () => {
      const now = rssMiB(pid);
      if (now < lowest - 0.5) [lowest, lowestAt] = [now, Date.now()];
      return Date.now() - lowestAt > 20_000;
    },
    90_000,
    500,
  ).catch(() => undefined); // still falling after 90 s: the lowest so far
  return lowest;
}

describe('a delete frees what it frees', { timeout: 360_000 }, () => {
  let app: CliApp;

  beforeAll(async () => {
    app = await startCliApp({ name: 'deletefrees', files: { 'apphost.yaml': '' } });
  });
  afterAll(async () => {
    await app?.stop('SIGINT');
  });

  it('RSS returns near its baseline after three 2.8 MB server-side applies and deletes', async () => {
    const pid = app.up.child.pid!;
    // One round first, so that what a first huge write costs once (code compiled, heap V8 keeps for
    // its young generation) is in the baseline; what the next rounds leave behind is then retained.
    let peak = 0;
    await applyAndDelete(-1);
    const baseline = await settledRss(pid);
    for (let round = 0; round < ROUNDS; round++) {
      await applyAndDelete(round);
      peak = Math.max(peak, rssMiB(pid));
    }
    async function applyAndDelete(round: number) {
      const body = hugeResource('huge', round);
      expect(body.length).toBeGreaterThan(2.7e6);
      expect(body.length).toBeLessThan(3 * 1024 * 1024);
      const applied = await app.client.request({
        method: 'PATCH',
        path: `${BASE}/huge?fieldManager=delete-frees&force=true`,
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body,
        timeoutMs: 60_000,
      });
      expect(applied.status, applied.text.slice(0, 300)).toBeLessThan(300);
      peak = Math.max(peak, rssMiB(pid));
      const deleted = await app.client.request({ method: 'DELETE', path: `${BASE}/huge`, timeoutMs: 60_000 });
      expect(deleted.status, deleted.text.slice(0, 300)).toBeLessThan(300);
      await waitFor('huge gone', async () => (await app.get('resources', 'huge')) === undefined, 30_000);
    }
    const after = await settledRss(pid);
    console.log(`delete frees: RSS baseline ${baseline.toFixed(0)} MiB -> peak ${peak.toFixed(0)} -> after the deletes ${after.toFixed(0)} MiB (${after >= baseline ? '+' : ''}${(after - baseline).toFixed(0)})`);
    expect(after - baseline).toBeLessThan(RSS_BOUND_MIB);
  });
});
