// Helpers for this folder's tests (not exported from index.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcStatSync } from '../../src/platform/process/proc-fs.ts';

/** Polls `check` every 10 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** True when `pid` no longer runs (gone, or a zombie nobody reaped yet). */
export function isGone(pid: number): boolean {
  const stat = readProcStatSync(pid);
  return stat === undefined || stat.state === 'Z';
}

/** Best-effort SIGKILL of a process group, for test cleanup. */
export function killGroupQuietly(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
