// The one reconcile wrapper: child logger (controller, key, reconcile id), AbortSignal, timing,
// throw capture, and the retry decision (success, requeue-after, backoff, conflict, terminal).
import type { EventRecorder } from './events.ts';
import type { Logger } from 'pino';
import { isApiError } from '../api/status.ts';
import type { Clock } from './clock.ts';
import { isTerminalError } from './errors.ts';
import { parseKey } from './keys.ts';
import type { Client, ControllerDefinition } from './types.ts';
import type { WorkQueue } from './work-queue.ts';

/** Consecutive conflicts retried at once before falling back to backoff (guards against hot loops). */
export const IMMEDIATE_CONFLICT_RETRIES = 5;

export type ReconcileOutcome =
  | { kind: 'success' }
  | { kind: 'requeue-after'; ms: number }
  | { kind: 'conflict'; retryInMs: number }
  | { kind: 'error'; retryInMs: number; error: unknown }
  | { kind: 'terminal'; error: unknown }
  | { kind: 'aborted'; error?: unknown };

export interface RunReconcileOptions {
  def: ControllerDefinition;
  key: string;
  queue: WorkQueue;
  client: Client;
  events: EventRecorder;
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  reconcileId: string;
  /** Consecutive conflicts per key, kept by the caller across passes. */
  conflicts: Map<string, number>;
}

/**
 * Run one reconcile of `key` and schedule its next pass. Never throws. The caller calls
 * `queue.done(key)` afterwards.
 */
export async function runReconcile(options: RunReconcileOptions): Promise<ReconcileOutcome> {
  const { def, key, queue, client, events, clock, signal } = options;
  const log = options.log.child({ controller: def.name, key, reconcileID: options.reconcileId });
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  const conflicts = options.conflicts;
  try {
    const result = await Promise.resolve().then(() =>
      def.reconcile(parseKey(key), { client, events, log, signal, now: () => clock.now() }),
    );
    queue.forget(key);
    conflicts.delete(key);
    const after = result?.requeueAfterMs;
    if (typeof after === 'number' && Number.isFinite(after) && after >= 0 && !signal.aborted) {
      queue.addAfter(key, after);
      log.debug({ durationMs: elapsed(), requeueAfterMs: after }, 'reconciled');
      return { kind: 'requeue-after', ms: after };
    }
    log.debug({ durationMs: elapsed() }, 'reconciled');
    return { kind: 'success' };
  } catch (error) {
    const durationMs = elapsed();
    if (signal.aborted) {
      log.debug({ durationMs, err: error }, 'reconcile ended by stop');
      return { kind: 'aborted', error };
    }
    if (isTerminalError(error)) {
      queue.forget(key);
      conflicts.delete(key);
      log.error({ durationMs, err: error }, 'reconcile failed (terminal, not retried)');
      return { kind: 'terminal', error };
    }
    if (isApiError(error, 'Conflict')) {
      const n = (conflicts.get(key) ?? 0) + 1;
      conflicts.set(key, n);
      if (n <= IMMEDIATE_CONFLICT_RETRIES) {
        queue.addAfter(key, 0); // at once, counted as a retry
        log.debug({ durationMs, conflicts: n }, 'conflict; requeued at once');
        return { kind: 'conflict', retryInMs: 0 };
      }
      const retryInMs = queue.addRateLimited(key);
      log.debug({ durationMs, conflicts: n, retryInMs }, 'repeated conflict; backing off');
      return { kind: 'conflict', retryInMs };
    }
    conflicts.delete(key);
    const retryInMs = queue.addRateLimited(key);
    log.warn({ durationMs, err: error, retryInMs, failures: queue.numRequeues(key) }, 'reconcile failed; will retry');
    return { kind: 'error', retryInMs, error };
  }
}
