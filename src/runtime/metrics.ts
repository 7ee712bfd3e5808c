// What the runtime reports about each controller, for /metrics. The runtime keeps plain counters
// (no labels, no allocation per event) and hands a reader to a MetricsRecorder once per controller;
// the recorder (prom-metrics.ts for prom-client) reads them when scraped. Only the three latency
// histograms are pushed per event, to a sink bound to the controller once.

/** A controller's work queue and reconcile counters at one moment (names after client-go / controller-runtime). */
export interface ControllerSnapshot {
  /** Keys waiting for a worker (queued, or re-added while being processed): workqueue_depth. */
  depth: number;
  /** Adds that were not already pending: workqueue_adds_total. */
  adds: number;
  /** Delayed re-adds (requeue-after, error backoff, conflict retries): workqueue_retries_total. */
  retries: number;
  /** Seconds spent so far by the reconciles in progress: workqueue_unfinished_work_seconds. */
  unfinishedWorkSeconds: number;
  /** Seconds the oldest reconcile in progress has run: workqueue_longest_running_processor_seconds. */
  longestRunningProcessorSeconds: number;
  /** Workers reconciling now: controller_runtime_active_workers. */
  activeWorkers: number;
  /** The controller's concurrency: controller_runtime_max_concurrent_reconciles. */
  maxConcurrentReconciles: number;
  /** Finished reconciles by result: controller_runtime_reconcile_total{result}. */
  reconciles: Record<ReconcileResultLabel, number>;
  /** Reconciles that threw (conflicts and terminal errors included): controller_runtime_reconcile_errors_total. */
  errors: number;
  /** Reconciles that threw a TerminalError: controller_runtime_terminal_reconcile_errors_total. */
  terminalErrors: number;
}

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** Where one controller's latencies go (bound to the controller once; seconds). */
export interface ControllerLatencySink {
  /** Time a key waited in the queue before a worker took it. */
  queued(seconds: number): void;
  /** Time from a worker taking a key to `done`. */
  worked(seconds: number): void;
  /** Time of one reconcile call. */
  reconciled(seconds: number): void;
}

export interface MetricsRecorder {
  /** Called once per controller when the manager adds it; `read` is called at scrape time. */
  addController(name: string, read: () => ControllerSnapshot): ControllerLatencySink;
}

export const NO_LATENCY_SINK: ControllerLatencySink = { queued() {}, worked() {}, reconciled() {} };

/** One controller's reconcile counters, kept by the manager. */
export interface ReconcileTally {
  reconciles: Record<ReconcileResultLabel, number>;
  errors: number;
  terminalErrors: number;
}

export function newReconcileTally(): ReconcileTally {
  return { reconciles: { success: 0, error: 0, requeue: 0, requeue_after: 0 }, errors: 0, terminalErrors: 0 };
}

/**
 * Counts a finished reconcile as controller-runtime does: a throw (conflicts and terminal errors
 * included) is `error`, a requeue-after of 0 ms is `requeue`. One ended by the manager's stop is not counted.
 */
export function tallyOutcome(tally: ReconcileTally, outcome: { kind: string; ms?: number }): void {
  switch (outcome.kind) {
    case 'success':
      tally.reconciles.success++;
      return;
    case 'requeue-after':
      if (outcome.ms === 0) tally.reconciles.requeue++;
      else tally.reconciles.requeue_after++;
      return;
    case 'terminal':
    case 'error':
    case 'conflict':
      if (outcome.kind === 'terminal') tally.terminalErrors++;
      tally.errors++;
      tally.reconciles.error++;
      return;
    default:
      return;
  }
}
