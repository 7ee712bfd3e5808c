// Stopping a process group: SIGTERM to the group, wait up to the grace period for the group to be
// gone, SIGKILL to the group, then wait (bounded) for it to disappear.
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, signalGroup } from './proc-fs.ts';

export interface TerminateGroupOptions {
  pgid: number;
  graceMs: number;
  /** Extra condition for "gone", e.g. "the leader's exit event has fired". */
  isDone?: () => boolean;
  /** How often to check. Default 20 ms. */
  pollMs?: number;
  /** How long to wait after SIGKILL before giving up. Default 2000 ms. */
  killWaitMs?: number;
}

export interface TerminateGroupResult {
  /** Whether SIGKILL had to be sent. */
  killed: boolean;
  /** Whether the group was confirmed gone at the end. */
  gone: boolean;
}

async function waitGone(
  pgid: number,
  isDone: () => boolean,
  timeoutMs: number,
  pollMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isDone() && !(await groupAlive(pgid))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(pollMs, left));
  }
}

export async function terminateGroup(options: TerminateGroupOptions): Promise<TerminateGroupResult> {
  const { pgid, graceMs } = options;
  const isDone = options.isDone ?? (() => true);
  const pollMs = options.pollMs ?? 20;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGone(pgid, isDone, graceMs, pollMs)) return { killed: false, gone: true };
  signalGroup(pgid, 'SIGKILL');
  const gone = await waitGone(pgid, isDone, options.killWaitMs ?? 2000, pollMs);
  return { killed: true, gone };
}
