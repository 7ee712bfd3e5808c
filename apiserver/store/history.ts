// The bounded window of past events that watches resume from. Events older than the window are
// compacted; asking to resume before the window gets 410 Expired.
import type { KubeObject } from '../../src/api/types.ts';

export interface StoredEvent {
  rv: number;
  /** Registry key of the kind (`resources.apphost.dev`). */
  kindKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED event: lets selector-filtered watches turn it into ADDED/DELETED. */
  old?: KubeObject;
}

export class EventHistory {
  private readonly ring: (StoredEvent | undefined)[];
  private start = 0;
  private size = 0;
  /** Every event with rv > compactedRv is still in the window. */
  private compactedRv: number;

  constructor(
    private readonly capacity: number,
    initialRv: number,
  ) {
    this.ring = new Array(capacity);
    this.compactedRv = initialRv;
  }

  push(event: StoredEvent): void {
    if (this.size === this.capacity) {
      this.compactedRv = this.ring[this.start]!.rv;
      this.ring[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    this.ring[(this.start + this.size) % this.capacity] = event;
    this.size++;
  }

  /** The oldest resourceVersion a watch may resume from. */
  oldestResumable(): number {
    return this.compactedRv;
  }

  /** Events with rv > after, oldest first. Callers check `after >= oldestResumable()` first. */
  *since(after: number): Iterable<StoredEvent> {
    // Binary search for the first event newer than `after`: the ring is ordered by rv.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[(this.start + mid) % this.capacity]!.rv <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.size; i++) yield this.ring[(this.start + i) % this.capacity]!;
  }
}
