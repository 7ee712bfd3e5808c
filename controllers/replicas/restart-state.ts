// Whether an ended replica will be started again. The processes controller says BackOff while it
// waits out the backoff; the containers controller names the start failure (ImageNotFound...) while
// it retries; both follow the Resource's restartPolicy. So the policy decides, and one rule holds for
// processes and containers alike.
import type { Replica, RestartPolicy } from '../../src/api/types.ts';
import { getCondition } from '../../src/runtime/conditions.ts';

/** Waiting out a restart backoff after an exit. */
export function inBackoff(r: Replica): boolean {
  return getCondition(r.status?.conditions, 'Running')?.reason === 'BackOff';
}

/** Ended (or failed to start), and its controller will start it again. */
export function willRestart(r: Replica, policy: RestartPolicy | undefined): boolean {
  if (inBackoff(r)) return true;
  const p = policy ?? 'Always';
  if (r.status?.state === 'Failed') return p !== 'Never';
  if (r.status?.state === 'Exited') return p === 'Always';
  return false;
}
