// In-memory LogStore: one ring per id, bounded in lines and bytes (a flooding replica keeps only its
// newest few MiB), freed when its id is cleared; synchronous followers.
import { LogError } from './errors.ts';
import { LineRing } from './ring.ts';
import type {
  LogLine,
  LogListener,
  LogStore,
  LogStoreOptions,
  LogStoreStats,
  LogStream,
  ReadOptions,
} from './types.ts';

const DEFAULT_MAX_LINES = 10_000;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_LINE_LENGTH = 16_384;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new LogError('LOG_INVALID_OPTIONS', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export function createLogStore(options: LogStoreOptions = {}): LogStore {
  const maxLines = positiveInteger('maxLinesPerId', options.maxLinesPerId ?? DEFAULT_MAX_LINES);
  const maxBytes = positiveInteger('maxBytesPerId', options.maxBytesPerId ?? DEFAULT_MAX_BYTES);
  const maxLength = positiveInteger('maxLineLength', options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  const now = options.now ?? (() => new Date());
  const rings = new Map<string, LineRing>();
  const listeners = new Map<string, Set<LogListener>>();
  const allListeners = new Set<LogListener>();
  let seq = 0;
  /** Lines dropped by rings already cleared (the live rings count their own). */
  let droppedBefore = 0;

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
        ring = new LineRing(maxLines, maxBytes);
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
      const { sinceMs, sinceTime, afterSeq, tail } = readOptions;
      let lines = ring.toArray(afterSeq);
      if (sinceMs !== undefined) {
        const from = now().getTime() - sinceMs;
        lines = lines.filter((l) => l.time.getTime() >= from);
      }
      if (sinceTime !== undefined) {
        const from = sinceTime.getTime();
        lines = lines.filter((l) => l.time.getTime() >= from);
      }
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
      droppedBefore += rings.get(id)?.dropped ?? 0;
      rings.delete(id);
    },

    lastSeq(): number {
      return seq;
    },

    stats(): LogStoreStats {
      let lines = 0;
      let bytes = 0;
      let dropped = droppedBefore;
      for (const ring of rings.values()) {
        lines += ring.length;
        bytes += ring.bytes;
        dropped += ring.dropped;
      }
      return { ids: rings.size, lines, bytes, droppedLines: dropped };
    },
  };
}
