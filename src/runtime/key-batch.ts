// Keys from watch events are handed to the work queue once per event-loop turn, not one by one:
// a reconcile that writes many objects in one go (a scale-up creating 200 Replicas) then reaches the
// other controllers as one batch (each key once) instead of interleaving with them write by write.
// The delay is one turn (setImmediate), so single events lose nothing measurable.

export interface KeyBatchOptions {
  /** Receives each distinct key of a turn, in arrival order. */
  flush: (key: string) => void;
  /** Default setImmediate. */
  schedule?: (fn: () => void) => void;
}

export class KeyBatch {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private closed = false;
  private readonly flushKey: (key: string) => void;
  private readonly schedule: (fn: () => void) => void;

  constructor(options: KeyBatchOptions) {
    this.flushKey = options.flush;
    this.schedule = options.schedule ?? ((fn) => setImmediate(fn));
  }

  add(key: string): void {
    if (this.closed) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Keys waiting for the next flush. */
  get size(): number {
    return this.pending.size;
  }

  /** Drop what is pending and ignore further adds. */
  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) this.flushKey(key);
  }
}
