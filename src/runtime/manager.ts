// The Manager: starts controllers (setup, key sources, workers), and stops them (stop the sources,
// shut the queues, abort in-flight reconciles and wait for them, then dispose in reverse order).
import type { Subscription } from 'rxjs';
import type { Logger } from 'pino';
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import { systemClock, type Clock } from './clock.ts';
import { defineController } from './define-controller.ts';
import { RuntimeError } from './errors.ts';
import { KeyBatch } from './key-batch.ts';
import { keyToString } from './keys.ts';
import { runReconcile, type ReconcileOutcome } from './reconcile-wrapper.ts';
import { controllerKeys, type OwnerMatcher } from './sources.ts';
import { createEventRecorder, type EventRecorder } from './events.ts';
import { createStoreClient } from './store-client.ts';
import { NO_LATENCY_SINK, newReconcileTally, tallyOutcome, type ControllerLatencySink, type ControllerSnapshot, type MetricsRecorder, type ReconcileTally } from './metrics.ts';
import type { Client, ControllerDefinition, ObjectKey } from './types.ts';
import { WorkQueue } from './work-queue.ts';

export interface ManagerOptions {
  store: Store;
  logger: Logger;
  clock?: Clock;
  /** Resolves the `for` kind for `owns` matching. Without it, owners are looked up in the store. */
  registry?: Registry;
  /** How long stop() waits for in-flight reconciles after aborting them. Default 10 s. */
  stopTimeoutMs?: number;
  /** Delay before re-subscribing a failed watch. Default 1 s. */
  watchRetryDelayMs?: number;
  /** Per-controller work queue and reconcile metrics go here (e.g. promMetricsRecorder). */
  metrics?: MetricsRecorder;
  /** Observe every finished reconcile (tests). */
  onReconcile?: (event: { controller: string; key: string; outcome: ReconcileOutcome }) => void;
}

export interface IdleOptions {
  /** Give up (ERR_NOT_SETTLED) after this long. Default 10 s. */
  timeoutMs?: number;
}

export interface Manager {
  /** Register a controller. After start() it starts at once. */
  add(def: ControllerDefinition): void;
  start(): Promise<void>;
  /** Stop sources and queues, abort and await in-flight reconciles, then dispose every controller. */
  stop(): Promise<void>;
  /** Ask controller `controller` to reconcile `key` (now or after `afterMs`). */
  enqueue(controller: string, key: ObjectKey, afterMs?: number): void;
  /** Resolves once every queue is empty and nothing is reconciling (delayed requeues not counted). */
  idle(options?: IdleOptions): Promise<void>;
  /** A client over the store for code outside controllers. */
  readonly client: Client;
  readonly controllers: readonly string[];
  /** Controllers not running yet (setup, sources and workers), or every one once stopping: for /readyz. */
  notStarted(): string[];
  /** `<controller>: <kind>` for every watch that failed and is waiting to be re-subscribed: for /readyz. */
  failingWatches(): string[];
}

interface Running {
  def: ControllerDefinition;
  queue: WorkQueue;
  /** Watch keys on their way to the queue, one batch per event-loop turn. */
  batch: KeyBatch;
  client: Client;
  events: EventRecorder;
  log: Logger;
  abort: AbortController;
  conflicts: Map<string, number>;
  subscription?: Subscription;
  workers: Promise<void>[];
  started: boolean;
  tally: ReconcileTally;
  latency: ControllerLatencySink;
  /** Set once its sources and workers run. */
  running: boolean;
  /** Kinds whose watch failed and waits to be re-subscribed. */
  failing: Set<string>;
}

export function createManager(options: ManagerOptions): Manager {
  const { store, logger } = options;
  const clock = options.clock ?? systemClock;
  const controllers = new Map<string, Running>();
  const order: string[] = [];
  let state: 'new' | 'starting' | 'started' | 'stopping' | 'stopped' = 'new';
  let stopping: Promise<void> | undefined;
  let reconcileCounter = 0;
  const client = createStoreClient(store, { fieldManager: 'apphost' });

  function ownerMatcher(forType: string): OwnerMatcher {
    const info = options.registry?.resolve(forType);
    if (info) {
      return (ref) => ref.kind === info.kind && groupOf(ref.apiVersion) === info.group;
    }
    return (ref, namespace) => {
      try {
        const owner = store.tryGet(forType, namespace || undefined, ref.name);
        return owner !== undefined && owner.kind === ref.kind && (!ref.uid || owner.metadata.uid === ref.uid);
      } catch {
        return false;
      }
    };
  }

  const halted = () => state === 'stopping' || state === 'stopped';

  async function startController(rc: Running): Promise<void> {
    if (rc.started || halted()) return;
    rc.started = true;
    const { def, queue } = rc;
    await def.setup?.({
      enqueue: (key, afterMs) => enqueueKey(queue, keyToString(key), afterMs),
      client: rc.client,
      events: rc.events,
      log: rc.log,
    });
    // stop() may have been called while setup ran: then no sources and no workers.
    if (halted()) return;
    rc.subscription = controllerKeys({
      store,
      def,
      isOwnerKind: ownerMatcher(def.for),
      log: rc.log,
      retryDelayMs: options.watchRetryDelayMs,
      failing: rc.failing,
    }).subscribe((key) => rc.batch.add(key));
    const concurrency = def.concurrency ?? DEFAULT_CONCURRENCY;
    for (let i = 0; i < concurrency; i++) rc.workers.push(worker(rc));
    rc.running = true;
  }

  async function worker(rc: Running): Promise<void> {
    for (;;) {
      const key = await rc.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      const outcome = await runReconcile({
        def: rc.def,
        key,
        queue: rc.queue,
        client: rc.client,
        events: rc.events,
        log: logger,
        clock,
        signal: rc.abort.signal,
        reconcileId: String(++reconcileCounter),
        conflicts: rc.conflicts,
      });
      rc.latency.reconciled((performance.now() - started) / 1000);
      tallyOutcome(rc.tally, outcome);
      rc.queue.done(key);
      try {
        options.onReconcile?.({ controller: rc.def.name, key, outcome });
      } catch (err) {
        rc.log.warn({ err }, 'onReconcile observer threw');
      }
    }
  }

  const manager: Manager = {
    client,
    get controllers() {
      return [...order];
    },

    add(input) {
      if (state === 'stopping' || state === 'stopped') {
        throw new RuntimeError('ERR_MANAGER_STOPPED', 'cannot add a controller to a stopped manager');
      }
      const def = defineController(input);
      if (controllers.has(def.name)) {
        throw new RuntimeError('ERR_DUPLICATE_CONTROLLER', `a controller named "${def.name}" is already registered`);
      }
      const concurrency = def.concurrency ?? DEFAULT_CONCURRENCY;
      const tally = newReconcileTally();
      const latency: ControllerLatencySink = options.metrics?.addController(def.name, (): ControllerSnapshot => snapshot(queue, tally, concurrency)) ?? NO_LATENCY_SINK;
      const queue: WorkQueue = new WorkQueue({ clock, ...(options.metrics ? { latency } : {}) });
      const rc: Running = {
        def,
        queue,
        batch: new KeyBatch({ flush: (key) => queue.add(key) }),
        client: createStoreClient(store, { fieldManager: def.name }),
        events: createEventRecorder(createStoreClient(store, { fieldManager: def.name }), { component: def.name, now: () => clock.now(), log: logger.child({ controller: def.name }) }),
        log: logger.child({ controller: def.name }),
        abort: new AbortController(),
        conflicts: new Map(),
        workers: [],
        started: false,
        tally,
        latency,
        running: false,
        failing: new Set(),
      };
      controllers.set(def.name, rc);
      order.push(def.name);
      if (state === 'started') {
        startController(rc).catch((err: unknown) => rc.log.error({ err }, 'controller failed to start'));
      }
    },

    async start() {
      if (state !== 'new') {
        if (state === 'stopping' || state === 'stopped') {
          throw new RuntimeError('ERR_MANAGER_STOPPED', 'the manager was stopped; create a new one');
        }
        return;
      }
      state = 'starting';
      try {
        for (const name of order) await startController(controllers.get(name)!);
      } catch (err) {
        await manager.stop();
        throw err;
      }
      if (state === 'starting') state = 'started';
      logger.debug({ controllers: order }, 'manager started');
    },

    stop() {
      if (stopping) return stopping;
      state = 'stopping';
      stopping = (async () => {
        const all = order.map((n) => controllers.get(n)!);
        for (const rc of all) {
          rc.subscription?.unsubscribe();
          rc.batch.close();
          rc.queue.shutDown();
          rc.abort.abort(new RuntimeError('ERR_MANAGER_STOPPED', 'manager stopped'));
        }
        const workers = Promise.allSettled(all.flatMap((rc) => rc.workers));
        const timeoutMs = options.stopTimeoutMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          workers.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) logger.warn({ timeoutMs }, 'reconciles still running after stop timeout; disposing anyway');
        for (const rc of [...all].reverse()) {
          if (!rc.started) continue;
          try {
            await rc.def.dispose?.();
          } catch (err) {
            rc.log.error({ err }, 'dispose failed');
          }
        }
        state = 'stopped';
        logger.debug('manager stopped');
      })();
      return stopping;
    },

    enqueue(controller, key, afterMs) {
      const rc = controllers.get(controller);
      if (!rc) throw new RuntimeError('ERR_INVALID_CONTROLLER', `no controller named "${controller}"`);
      enqueueKey(rc.queue, keyToString(key), afterMs);
    },

    notStarted() {
      return order.filter((n) => halted() || !controllers.get(n)!.running);
    },

    failingWatches() {
      return order.flatMap((n) => [...controllers.get(n)!.failing].map((kind) => `${n}: ${kind}`));
    },

    async idle(idleOptions = {}) {
      const timeoutMs = idleOptions.timeoutMs ?? 10_000;
      const deadline = Date.now() + timeoutMs;
      let quietTicks = 0;
      // Watch events may arrive a tick after a write; require a few consecutive quiet ticks.
      while (quietTicks < 3) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const busy = [...controllers.values()].some((rc) => rc.started && (!rc.queue.isIdle() || rc.batch.size > 0));
        quietTicks = busy ? 0 : quietTicks + 1;
        if (busy && Date.now() > deadline) {
          const pending = [...controllers.values()].filter((rc) => !rc.queue.isIdle() || rc.batch.size > 0).map((rc) => rc.def.name);
          throw new RuntimeError('ERR_NOT_SETTLED', `controllers still busy after ${timeoutMs} ms: ${pending.join(', ')}`);
        }
      }
    },
  };
  return manager;
}

const DEFAULT_CONCURRENCY = 4;

/** A plain enqueue is an add; one with a delay is a delayed add (and counts as a retry, as in client-go). */
function enqueueKey(queue: WorkQueue, key: string, afterMs: number | undefined): void {
  if (afterMs && afterMs > 0) queue.addAfter(key, afterMs);
  else queue.add(key);
}

function snapshot(queue: WorkQueue, tally: ReconcileTally, concurrency: number): ControllerSnapshot {
  const q = queue.stats();
  return {
    depth: q.depth,
    adds: q.adds,
    retries: q.retries,
    unfinishedWorkSeconds: q.unfinishedSeconds,
    longestRunningProcessorSeconds: q.longestRunningSeconds,
    activeWorkers: q.processing,
    maxConcurrentReconciles: concurrency,
    reconciles: { ...tally.reconciles },
    errors: tally.errors,
    terminalErrors: tally.terminalErrors,
  };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
