// The runtime's metrics in a prom-client Registry, under controller-runtime's names and labels
// (client-go's workqueue_* with name and controller, controller_runtime_* with controller). Counters
// and gauges are read from each controller's snapshot when scraped; the latency histograms get one
// series bound per controller (histogram-family.ts: no label work per observation).
import { Counter, Gauge, type Registry } from 'prom-client';
import { HistogramFamily } from './histogram-family.ts';
import type { ControllerLatencySink, ControllerSnapshot, MetricsRecorder, ReconcileResultLabel } from './metrics.ts';

/** client-go's workqueue buckets: 10 ns to 1000 s, factor 10. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);
/** controller-runtime's reconcile time buckets. */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const RESULTS: ReconcileResultLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

export function promMetricsRecorder(registry: Registry): MetricsRecorder {
  const controllers = new Map<string, () => ControllerSnapshot>();
  const each = (fn: (name: string, s: ControllerSnapshot) => void) => {
    for (const [name, read] of controllers) fn(name, read());
  };
  // One series per controller, read from its snapshot when scraped: workqueue_* carry name and
  // controller, controller_runtime_* the controller.
  const scraped = (type: 'gauge' | 'counter', labels: 'queue' | 'controller') => (name: string, help: string, read: (s: ControllerSnapshot) => number) => {
    const labelsOf = (c: string) => (labels === 'queue' ? { name: c, controller: c } : { controller: c });
    const labelNames = labels === 'queue' ? ['name', 'controller'] : ['controller'];
    const collect = function (this: Gauge | Counter) {
      this.reset();
      each((c, s) => (this instanceof Gauge ? this.set(labelsOf(c), read(s)) : this.inc(labelsOf(c), read(s))));
    };
    return type === 'gauge' ? new Gauge({ name, help, labelNames, registers: [registry], collect }) : new Counter({ name, help, labelNames, registers: [registry], collect });
  };
  const queueGauge = scraped('gauge', 'queue');
  const queueCounter = scraped('counter', 'queue');
  const controllerGauge = scraped('gauge', 'controller');
  const controllerCounter = scraped('counter', 'controller');

  queueGauge('workqueue_depth', 'Current depth of workqueue', (s) => s.depth);
  queueCounter('workqueue_adds_total', 'Total number of adds handled by workqueue', (s) => s.adds);
  queueCounter('workqueue_retries_total', 'Total number of retries handled by workqueue', (s) => s.retries);
  queueGauge('workqueue_unfinished_work_seconds', 'How many seconds of work has been done that is in progress and has not been observed by work_duration', (s) => s.unfinishedWorkSeconds);
  queueGauge('workqueue_longest_running_processor_seconds', 'How many seconds the longest running processor for workqueue has been running', (s) => s.longestRunningProcessorSeconds);
  const queueDuration = new HistogramFamily('workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested', QUEUE_BUCKETS, registry);
  const workDuration = new HistogramFamily('workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes', QUEUE_BUCKETS, registry);

  new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      each((c, s) => { for (const result of RESULTS) this.inc({ controller: c, result }, s.reconciles[result]); });
    },
  });
  controllerCounter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller', (s) => s.errors);
  controllerCounter('controller_runtime_terminal_reconcile_errors_total', 'Total number of terminal reconciliation errors per controller', (s) => s.terminalErrors);
  controllerGauge('controller_runtime_active_workers', 'Number of currently used workers per controller', (s) => s.activeWorkers);
  controllerGauge('controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller', (s) => s.maxConcurrentReconciles);
  const reconcileTime = new HistogramFamily('controller_runtime_reconcile_time_seconds', 'Length of time per reconciliation per controller', RECONCILE_BUCKETS, registry);

  return {
    addController(name, read): ControllerLatencySink {
      controllers.set(name, read);
      // Series exist from the start, so a controller that never ran shows zeros.
      return {
        queued: queueDuration.bind({ name, controller: name }),
        worked: workDuration.bind({ name, controller: name }),
        reconciled: reconcileTime.bind({ controller: name }),
      };
    },
  };
}
