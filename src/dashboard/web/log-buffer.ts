// The console's lines in the browser: a bounded window (oldest dropped first), the indexes of the
// lines matching the filter kept up to date as lines arrive, and a pause that holds new lines back.
export type WireLine = [number, number, 'o' | 'e' | 's', string, string];

export const MAX_LINES = 100_000;

export class LogBuffer {
  lines: WireLine[] = [];
  /** Lines dropped from the front so far: absolute index = dropped + position. */
  dropped = 0;
  /** Absolute indexes of matching lines (only when a filter is set). */
  matches: number[] | undefined;
  held: WireLine[] = [];
  paused = false;
  #filter = '';

  constructor(readonly max = MAX_LINES, private readonly toText: (l: WireLine) => string = (l) => l[4]) {}

  get filter(): string {
    return this.#filter;
  }

  setFilter(text: string): void {
    this.#filter = text.toLowerCase();
    if (!this.#filter) {
      this.matches = undefined;
      return;
    }
    this.matches = [];
    this.lines.forEach((l, i) => this.#test(l) && this.matches!.push(this.dropped + i));
  }

  #test(l: WireLine): boolean {
    return this.toText(l).toLowerCase().includes(this.#filter) || l[3].toLowerCase() === this.#filter;
  }

  add(batch: WireLine[]): void {
    if (this.paused) {
      this.held.push(...batch);
      if (this.held.length > this.max) this.held.splice(0, this.held.length - this.max);
      return;
    }
    this.#append(batch);
  }

  #append(batch: WireLine[]): void {
    for (const l of batch) {
      if (this.matches && this.#test(l)) this.matches.push(this.dropped + this.lines.length);
      this.lines.push(l);
    }
    const over = this.lines.length - this.max;
    if (over > 0) {
      // Drop at least a tenth at once: splicing 100,000 entries per batch would be the slow part.
      const n = Math.max(over, Math.floor(this.max / 10));
      this.lines.splice(0, n);
      this.dropped += n;
      if (this.matches) {
        const first = this.matches.findIndex((i) => i >= this.dropped);
        this.matches.splice(0, first < 0 ? this.matches.length : first);
      }
    }
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused && this.held.length) {
      const held = this.held;
      this.held = [];
      this.#append(held);
    }
  }

  clear(): void {
    this.dropped += this.lines.length;
    this.lines = [];
    this.held = [];
    if (this.matches) this.matches = [];
  }

  /** Number of lines shown (matching the filter, if any). */
  get count(): number {
    return this.matches ? this.matches.length : this.lines.length;
  }

  /** The i-th shown line. */
  at(i: number): WireLine | undefined {
    return this.matches ? this.lines[this.matches[i] - this.dropped] : this.lines[i];
  }
}
