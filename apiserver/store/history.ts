// The bounded window of past events that watches resume from, bounded both in events and in bytes:
// a few huge objects must not keep megabytes alive after they are deleted (issue 14 item 12). Events
// older than the window are compacted, oldest first; asking to resume before the window gets 410
// Expired, which clients answer by relisting.
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

export interface HistoryLimits {
  /** The most events kept. */
  maxEvents: number;
  /** The most bytes kept, as the sum of each event's estimated size (`eventBytes`). */
  maxBytes: number;
}

/**
 * What an event keeps alive, estimated once when it is recorded: about its object's JSON length,
 * walked without serialising it (the watch path serialises each object once, in apiserver/http/
 * serialize.ts; the store does not add a second). The `old` state of a MODIFIED event is the
 * previous event's object, counted there; objects share unchanged subtrees (copy-on-write), so this
 * over- rather than under-counts.
 */
export function eventBytes(event: StoredEvent): number {
  let bytes = 0;
  const pending: unknown[] = [event.object];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') bytes += value.length + 2;
    else if (Array.isArray(value)) {
      bytes += 2 + value.length;
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      bytes += 2;
      for (const [key, item] of Object.entries(value)) {
        bytes += key.length + 4;
        pending.push(item);
      }
    } else bytes += 8; // a number, boolean or null
  }
  return bytes;
}

/** Ring slots allocated at first; the ring doubles (up to maxEvents) when it is full. */
const INITIAL_CAPACITY = 1024;

export class EventHistory {
  /**
   * Allocated as events come: the byte budget usually holds far fewer than maxEvents (4 MiB of
   * ~500-byte objects is ~8,000), and 100,000 slots up front cost every process ~1.6 MB.
   */
  private ring: (StoredEvent | undefined)[];
  private costs: Float64Array;
  private start = 0;
  private size = 0;
  private bytes = 0;
  /** Every event with rv > compactedRv is still in the window. */
  private compactedRv: number;

  constructor(
    private readonly limits: HistoryLimits,
    initialRv: number,
  ) {
    const initial = Math.min(limits.maxEvents, INITIAL_CAPACITY);
    this.ring = new Array(initial);
    this.costs = new Float64Array(initial);
    this.compactedRv = initialRv;
  }

  push(event: StoredEvent): void {
    if (this.size === this.limits.maxEvents) this.dropOldest();
    else if (this.size === this.ring.length) this.grow();
    const at = (this.start + this.size) % this.ring.length;
    this.ring[at] = event;
    this.costs[at] = eventBytes(event);
    this.bytes += this.costs[at]!;
    this.size++;
    // An event larger than the whole budget is dropped too: live watchers already have it.
    while (this.bytes > this.limits.maxBytes && this.size > 0) this.dropOldest();
  }

  /** The oldest resourceVersion a watch may resume from. */
  oldestResumable(): number {
    return this.compactedRv;
  }

  /** Events and estimated bytes in the window. */
  stats(): { events: number; bytes: number } {
    return { events: this.size, bytes: this.bytes };
  }

  /** Events with rv > after, oldest first. Callers check `after >= oldestResumable()` first. */
  *since(after: number): Iterable<StoredEvent> {
    // Binary search for the first event newer than `after`: the ring is ordered by rv.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[(this.start + mid) % this.ring.length]!.rv <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.size; i++) yield this.ring[(this.start + i) % this.ring.length]!;
  }

  private dropOldest(): void {
    this.compactedRv = this.ring[this.start]!.rv;
    this.ring[this.start] = undefined;
    this.bytes -= this.costs[this.start]!;
    this.start = (this.start + 1) % this.ring.length;
    this.size--;
  }

  /** Twice the slots (at most maxEvents), the events moved in order to the front. */
  private grow(): void {
    const capacity = Math.min(this.limits.maxEvents, this.ring.length * 2);
    const ring = new Array<StoredEvent | undefined>(capacity);
    const costs = new Float64Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const from = (this.start + i) % this.ring.length;
      ring[i] = this.ring[from];
      costs[i] = this.costs[from]!;
    }
    this.ring = ring;
    this.costs = costs;
    this.start = 0;
  }
}
