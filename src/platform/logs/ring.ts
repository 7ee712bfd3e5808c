// One replica's lines: a ring bounded by a line count and a byte budget, oldest dropped first.
// Sequence numbers only grow, so "lines after seq N" is a binary search, not a scan.
import type { LogLine } from './types.ts';

/** What a line costs beyond its text: the LogLine object, its Date and the slot. */
export const LINE_OVERHEAD_BYTES = 96;

export function lineBytes(line: LogLine): number {
  return line.line.length + LINE_OVERHEAD_BYTES;
}

export class LineRing {
  private items: (LogLine | undefined)[];
  private start = 0;
  private size = 0;
  /** Bytes held now (text length + per-line overhead). */
  bytes = 0;
  /** Lines dropped to stay within the bounds, over the life of this ring. */
  dropped = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {
    // Grows to maxLines as lines arrive: a quiet replica costs a small array, not 10,000 slots.
    this.items = new Array<LogLine | undefined>(Math.min(maxLines, 64));
  }

  get length(): number {
    return this.size;
  }

  push(line: LogLine): void {
    if (this.size === this.items.length && this.size < this.maxLines) this.grow();
    if (this.size === this.maxLines) this.dropOldest();
    this.items[(this.start + this.size) % this.items.length] = line;
    this.size++;
    this.bytes += lineBytes(line);
    while (this.bytes > this.maxBytes && this.size > 1) this.dropOldest();
  }

  /** Lines oldest first; only those with `seq > afterSeq` when given. */
  toArray(afterSeq?: number): LogLine[] {
    let from = 0;
    if (afterSeq !== undefined) {
      let lo = 0;
      let hi = this.size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.at(mid).seq <= afterSeq) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
    }
    const out: LogLine[] = new Array<LogLine>(this.size - from);
    for (let i = from; i < this.size; i++) out[i - from] = this.at(i);
    return out;
  }

  /** Sequence number of the oldest line kept (undefined when empty). */
  oldestSeq(): number | undefined {
    return this.size > 0 ? this.at(0).seq : undefined;
  }

  private at(i: number): LogLine {
    return this.items[(this.start + i) % this.items.length]!;
  }

  private dropOldest(): void {
    const old = this.items[this.start]!;
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.items.length;
    this.size--;
    this.bytes -= lineBytes(old);
    this.dropped++;
  }

  private grow(): void {
    const next = new Array<LogLine | undefined>(Math.min(this.maxLines, this.items.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.at(i);
    this.items = next;
    this.start = 0;
  }
}
