// In-memory LogStore: one bounded ring buffer per id, synchronous followers.
import { LogError } from './errors.ts';
import type {
  LogLine,
  LogListener,
  LogStore,
  LogStoreOptions,
  LogStream,
  ReadOptions,
} from './types.ts';

const DEFAULT_MAX_LINES = 10_000;
const DEFAULT_MAX_LINE_LENGTH = 16_384;

/** Fixed-capacity ring of lines; oldest dropped first. */
class Ring {
  private readonly items: (LogLine | undefined)[];
  private start = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.items = new Array<LogLine | undefined>(capacity);
  }

  push(line: LogLine): void {
    const at = (this.start + this.size) % this.capacity;
    this.items[at] = line;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  toArray(): LogLine[] {
    const out: LogLine[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.size = 0;
  }
}

export function createLogStore(options: LogStoreOptions = {}): LogStore {
  const maxLines = options.maxLinesPerId ?? DEFAULT_MAX_LINES;
  const maxLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isInteger(maxLines) || maxLines < 1) {
    throw new LogError('LOG_INVALID_OPTIONS', `maxLinesPerId must be a positive integer, got ${maxLines}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new LogError('LOG_INVALID_OPTIONS', `maxLineLength must be a positive integer, got ${maxLength}`);
  }
  const now = options.now ?? (() => new Date());
  const rings = new Map<string, Ring>();
  const listeners = new Map<string, Set<LogListener>>();
  const allListeners = new Set<LogListener>();
  let seq = 0;

  function notify(set: Iterable<LogListener>, line: LogLine, id: string): void {
    for (const listener of [...set]) {
      try {
        listener(line, id);
      } catch {
        // A follower's bug must not break capture for everyone else.
      }
    }
  }

  return {
    append(id: string, stream: LogStream, text: string): LogLine {
      const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
      const line: LogLine = Object.freeze({ seq: ++seq, time: now(), stream, line: cut });
      let ring = rings.get(id);
      if (!ring) {
        ring = new Ring(maxLines);
        rings.set(id, ring);
      }
      ring.push(line);
      const set = listeners.get(id);
      if (set) notify(set, line, id);
      notify(allListeners, line, id);
      return line;
    },

    read(id: string, readOptions: ReadOptions = {}): LogLine[] {
      const ring = rings.get(id);
      if (!ring) return [];
      let lines = ring.toArray();
      const { sinceMs, sinceTime, afterSeq, tail } = readOptions;
      if (sinceMs !== undefined) {
        const from = now().getTime() - sinceMs;
        lines = lines.filter((l) => l.time.getTime() >= from);
      }
      if (sinceTime !== undefined) {
        const from = sinceTime.getTime();
        lines = lines.filter((l) => l.time.getTime() >= from);
      }
      if (afterSeq !== undefined) lines = lines.filter((l) => l.seq > afterSeq);
      if (tail !== undefined) lines = tail <= 0 ? [] : lines.slice(-tail);
      return lines;
    },

    follow(id: string, listener: LogListener): () => void {
      let set = listeners.get(id);
      if (!set) {
        set = new Set();
        listeners.set(id, set);
      }
      set.add(listener);
      return () => {
        const current = listeners.get(id);
        if (!current) return;
        current.delete(listener);
        if (current.size === 0) listeners.delete(id);
      };
    },

    followAll(listener: LogListener): () => void {
      allListeners.add(listener);
      return () => {
        allListeners.delete(listener);
      };
    },

    ids(): string[] {
      return [...rings.keys()];
    },

    clear(id: string): void {
      rings.get(id)?.clear();
      rings.delete(id);
    },
  };
}
