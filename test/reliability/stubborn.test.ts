// A replica that ignores SIGTERM, with a grandchild that ignores it too, through the real
// `apphostctl up`: Ctrl+C sends SIGTERM to the process group, waits the grace period (10 s by
// default, as DESIGN.md states; Kubernetes' own default is 30 s), then SIGKILLs the group, so the
// command returns within grace + 2 s and nothing of the group survives.
import { describe, expect, it } from 'vitest';
import { startCliApp, STUBBORN_RESOURCE as STUBBORN } from '../support/cli-app.ts';
import { isRunning, pidsWithEnv } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

const GRACE_MS = 10_000;


describe('stubborn replicas', { timeout: 60_000 }, () => {
  it('Ctrl+C kills a replica that ignores SIGTERM after the grace period, its whole process group, within grace + 2 s', async () => {
    const app = await startCliApp({ name: 'stubborn', files: { 'apphost.yaml': STUBBORN }, ready: /\[stubborn-0\] started/ });
    const group = await waitFor('the replica and its grandchild running', () => {
      const pids = pidsWithEnv({ APPHOST_REPLICA: 'stubborn-0', APPHOST_RESOURCE: 'stubborn' });
      return pids.length >= 2 && pids;
    });
    const t0 = Date.now();
    const code = await app.stop('SIGINT');
    const took = Date.now() - t0;
    expect(code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 500);
    expect(took).toBeLessThan(GRACE_MS + 2000);
    for (const pid of group) expect({ pid, running: isRunning(pid) }).toEqual({ pid, running: false });
    expect(pidsWithEnv({ APPHOST_REPLICA: 'stubborn-0' })).toEqual([]);
  });
});
