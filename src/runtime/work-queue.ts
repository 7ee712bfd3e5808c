// The work queue (client-go semantics): a key is handed to at most one worker at a time; adds of a
// key that is already queued collapse into one; a key added while it is being processed gets exactly
// one more pass after `done`. Delayed adds and per-key exponential backoff on top. Counts adds and
// retries as client-go's queue metrics do; with a latency sink, also times waits and work.
import { RECONCILE_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { ControllerLatencySink } from './metrics.ts';

export interface WorkQueueOptions {
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Receives queue wait and work times (seconds). Without it nothing is timed. */
  latency?: Pick<ControllerLatencySink, 'queued' | 'worked'>;
}

/** Counters and timings of a queue at one moment. */
export interface WorkQueueStats {
  /** Keys waiting for a worker (queued, or re-added while being processed). */
  depth: number;
  /** Adds of a key that was not already pending. */
  adds: number;
  /** Delayed re-adds (`addAfter`, `addRateLimited`). */
  retries: number;
  /** Keys being processed now. */
  processing: number;
  /** Seconds the keys in progress have run so far, summed (0 without a latency sink). */
  unfinishedSeconds: number;
  /** Seconds the oldest key in progress has run (0 without a latency sink). */
  longestRunningSeconds: number;
}

interface Delayed {
  due: number;
  handle: TimerHandle;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;
  private readonly queue: string[] = [];
  /** Keys that need a pass: queued, or re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys handed out and not done yet -> when (performance.now(), 0 when not timed). */
  private readonly processing = new Map<string, number>();
  /** When each pending key was added (only with a latency sink). */
  private readonly addedAt: Map<string, number> | undefined;
  private readonly latency: WorkQueueOptions['latency'];
  private adds = 0;
  private retries = 0;
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? RECONCILE_BACKOFF;
    this.latency = options.latency;
    this.addedAt = options.latency ? new Map() : undefined;
  }

  /** Queue a key now. A no-op when it is already queued; deferred to after `done` while it runs. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.adds++;
    if (this.addedAt && !this.addedAt.has(key)) this.addedAt.set(key, performance.now());
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Queue a key after `ms` (a retry, as client-go counts them). When it is already waiting, the earlier time wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.retries++;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = this.clock.now().getTime() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { due, handle });
  }

  /** Queue a key after its backoff delay and count one more failure. Returns the delay used. */
  addRateLimited(key: string): number {
    const attempt = this.failures.get(key) ?? 0;
    this.failures.set(key, attempt + 1);
    const delay = backoffDelay(attempt, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** Reset the key's backoff (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures recorded for the key. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; waits until there is one. Undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark a key as processed. When it was re-added meanwhile, it is queued once more. */
  done(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    if (this.latency && started !== undefined) this.latency.worked((performance.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
  }

  /** Stop handing out keys: waiting `get` calls resolve to undefined, delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.handle);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.addedAt?.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys ready to be handed out. */
  get length(): number {
    return this.queue.length;
  }

  /** Nothing queued and nothing in progress (delayed adds do not count). */
  isIdle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  /** Counters for metrics; the in-progress times are measured now. */
  stats(): WorkQueueStats {
    let unfinished = 0;
    let longest = 0;
    if (this.latency) {
      const now = performance.now();
      for (const started of this.processing.values()) {
        const s = (now - started) / 1000;
        unfinished += s;
        if (s > longest) longest = s;
      }
    }
    return { depth: this.dirty.size, adds: this.adds, retries: this.retries, processing: this.processing.size, unfinishedSeconds: unfinished, longestRunningSeconds: longest };
  }

  /** Keys waiting for a delayed add. */
  delayedKeys(): string[] {
    return [...this.delayed.keys()];
  }

  private enqueue(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else this.queue.push(key);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    if (!this.latency) {
      this.processing.set(key, 0);
      return key;
    }
    const now = performance.now();
    this.processing.set(key, now);
    const added = this.addedAt!.get(key);
    if (added !== undefined) {
      this.addedAt!.delete(key);
      this.latency.queued((now - added) / 1000);
    }
    return key;
  }
}
