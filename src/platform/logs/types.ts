// Captured output of processes and containers, kept in memory per id (a replica key such as
// `default/api-0`). Pure and synchronous: appending and reading never touch the disk.

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  /** Increasing per store (not per id): lets a follower resume without duplicates. */
  readonly seq: number;
  /** When the line was captured (injected clock). */
  readonly time: Date;
  readonly stream: LogStream;
  /** One line, without its trailing newline. */
  readonly line: string;
}

export interface ReadOptions {
  /** Only lines captured within the last `sinceMs` milliseconds (like `kubectl logs --since`). */
  sinceMs?: number;
  /** Only lines captured at or after this time. */
  sinceTime?: Date;
  /** Only lines with a sequence number greater than this one (a cursor: `lastSeq()` or a line's `seq`). */
  afterSeq?: number;
  /** At most the last `tail` lines (after the filters above). */
  tail?: number;
}

export type LogListener = (line: LogLine, id: string) => void;

export interface LogStore {
  /** Appends one line (no newline inside) to the ring buffer of `id` and notifies followers. */
  append(id: string, stream: LogStream, line: string): LogLine;
  /** Lines of `id`, oldest first. Unknown id: empty array. */
  read(id: string, options?: ReadOptions): LogLine[];
  /** Calls `listener` for every line appended to `id` from now on. Returns an unsubscribe function. */
  follow(id: string, listener: LogListener): () => void;
  /** Calls `listener` for every line of every id from now on (e.g. `apphostctl up`'s prefixed output). */
  followAll(listener: LogListener): () => void;
  /** Ids that have at least one line, in first-seen order. */
  ids(): string[];
  /** Forgets the lines of `id` and frees its ring (followers stay subscribed). */
  clear(id: string): void;
  /** Sequence number of the newest line of any id (0 before the first): read `afterSeq` from here. */
  lastSeq(): number;
  /** What the store holds now, and how many lines its bounds dropped so far. */
  stats(): LogStoreStats;
}

export interface LogStoreStats {
  /** Ids with a ring. */
  ids: number;
  lines: number;
  /** Text length plus a per-line overhead, summed over every ring. */
  bytes: number;
  /** Lines dropped (oldest first) to keep rings within their bounds, since the store was made. */
  droppedLines: number;
}

export interface LogStoreOptions {
  /** Lines kept per id; older lines are dropped. Default 10 000. */
  maxLinesPerId?: number;
  /** Bytes kept per id (text plus ~96 bytes a line); older lines are dropped. Default 2 MiB. */
  maxBytesPerId?: number;
  /** Longer lines are cut to this many characters (with a trailing `…`). Default 16 384. */
  maxLineLength?: number;
  now?: () => Date;
}
