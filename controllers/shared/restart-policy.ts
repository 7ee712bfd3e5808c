// When an exited replica (a process or a container) is started again: the Resource's restartPolicy
// (OnFailure when unset, as the CRD defaults it), and an exponential backoff (first retry <= 1 s,
// doubling, capped at 30 s) that resets after the replica ran for 10 s.
import type { RestartPolicy } from '../../src/api/types.ts';
import { backoffDelay, type BackoffOptions } from '../../src/runtime/backoff.ts';
import type { ProcessExit } from '../../src/platform/process/types.ts';

export interface RestartBackoffOptions extends BackoffOptions {
  /** A process that ran at least this long resets the backoff. */
  resetAfterMs: number;
}

export const RESTART_BACKOFF: RestartBackoffOptions = { baseMs: 500, maxMs: 30_000, resetAfterMs: 10_000 };

/** Whether an exit with `exitCode` (null: killed, or never started) is followed by a restart. */
export function shouldRestart(policy: RestartPolicy | undefined, exitCode: number | null | undefined): boolean {
  switch (policy ?? 'OnFailure') {
    case 'Always':
      return true;
    case 'OnFailure':
      return exitCode !== 0;
    case 'Never':
      return false;
  }
}

/**
 * The delay before the next start and the next attempt number, given how long the process ran and
 * how many consecutive quick failures came before.
 */
export function nextRestart(
  attempt: number,
  ranForMs: number,
  options: RestartBackoffOptions = RESTART_BACKOFF,
): { delayMs: number; attempt: number } {
  const a = ranForMs >= options.resetAfterMs ? 0 : attempt;
  return { delayMs: backoffDelay(a, options), attempt: a + 1 };
}

/** One line describing how a process ended, for status.message and conditions. */
export function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}
