// Console logs for the browser: the lines of one replica, or of every replica of a resource
// interleaved by capture order (the log store's seq), read from the store's ring buffers and then
// followed. Lines go out in batches every 100 ms; a browser that cannot keep up loses lines (and
// is told how many) instead of growing this process's memory.
import type { Replica } from '../api/types.ts';
import type { LogLine, LogStore } from '../platform/logs/types.ts';
import type { SseStream } from './sse.ts';
import type { StateFeed } from './state-feed.ts';

/** [seq, time (ms), stream (o|e|s), replica, text]: compact, since a page may get 100,000 of them. */
export type WireLine = [number, number, 'o' | 'e' | 's', string, string];

export interface LogTarget {
  resource: string;
  /** One replica only; default every replica of the resource. */
  replica?: string;
}

export interface LogFeedOptions {
  logs: Pick<LogStore, 'read' | 'follow'>;
  feed: Pick<StateFeed, 'list' | 'subscribe'>;
  namespace: string;
}

const STREAM_CODE = { stdout: 'o', stderr: 'e', system: 's' } as const;
const FLUSH_MS = 100;
const CHUNK = 5_000;
/** Bytes queued on a slow browser's socket before lines are dropped. */
const MAX_BACKLOG = 4 * 1024 * 1024;

const toWire = (replica: string, l: LogLine): WireLine => [l.seq, l.time.getTime(), STREAM_CODE[l.stream] ?? 'o', replica, l.line];

/** Replica names the target covers now. */
function replicaNames(feed: LogFeedOptions['feed'], t: LogTarget): string[] {
  if (t.replica) return [t.replica];
  return feed
    .list<Replica>('replicas')
    .filter((r) => r.spec?.resource === t.resource)
    .map((r) => r.metadata.name)
    .sort();
}

/** Every kept line of the target, oldest first (at most `tail` when given). */
export function readLines(o: LogFeedOptions, t: LogTarget, tail?: number): WireLine[] {
  const all: WireLine[] = [];
  for (const name of replicaNames(o.feed, t)) {
    for (const l of o.logs.read(`${o.namespace}/${name}`, tail !== undefined ? { tail } : {})) all.push(toWire(name, l));
  }
  all.sort((a, b) => a[0] - b[0]);
  return tail !== undefined ? all.slice(-tail) : all;
}

export function streamLogs(o: LogFeedOptions & { target: LogTarget; sse: SseStream; tail: number }): void {
  const { sse, target } = o;
  const followed = new Map<string, () => void>();
  const lastSeq = new Map<string, number>();
  let pending: WireLine[] = [];
  let dropped = 0;

  const take = (name: string, l: LogLine) => {
    if (l.seq <= (lastSeq.get(name) ?? 0)) return;
    lastSeq.set(name, l.seq);
    pending.push(toWire(name, l));
  };
  const follow = (name: string) => {
    if (followed.has(name)) return;
    followed.set(name, o.logs.follow(`${o.namespace}/${name}`, (l) => take(name, l)));
  };
  const flush = () => {
    if (pending.length === 0 && dropped === 0) return;
    if (sse.backlog() > MAX_BACKLOG) {
      dropped += pending.length;
      pending = [];
      return;
    }
    if (dropped > 0) {
      sse.send('dropped', { lines: dropped });
      dropped = 0;
    }
    pending.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < pending.length; i += CHUNK) sse.send('lines', pending.slice(i, i + CHUNK));
    pending = [];
  };

  // Follow, then read, in one turn: lines are appended from I/O callbacks, so none falls between.
  const names = replicaNames(o.feed, target);
  for (const name of names) follow(name);
  const initial = readLines(o, target, o.tail);
  for (const l of initial) lastSeq.set(l[3], Math.max(lastSeq.get(l[3]) ?? 0, l[0]));
  sse.send('reset', { replicas: names });
  for (let i = 0; i < initial.length; i += CHUNK) sse.send('lines', initial.slice(i, i + CHUNK));

  // Replicas that appear later (scale up): follow them, with what they printed before we noticed.
  const unsubscribe = target.replica
    ? () => undefined
    : o.feed.subscribe(() => {
        for (const name of replicaNames(o.feed, target)) {
          if (followed.has(name)) continue;
          follow(name);
          for (const l of o.logs.read(`${o.namespace}/${name}`)) take(name, l);
        }
      });
  const timer = setInterval(flush, FLUSH_MS);
  sse.onClose(() => {
    clearInterval(timer);
    unsubscribe();
    for (const stop of followed.values()) stop();
  });
}

const STREAM_NAME = { o: 'stdout', e: 'stderr', s: 'system' } as const;

/** The kept lines as a text file: `<time> <replica> <stream> <line>`. */
export function logsAsText(lines: WireLine[]): string {
  return lines.map(([, t, s, r, text]) => `${new Date(t).toISOString()} ${r} ${STREAM_NAME[s]} ${text}\n`).join('');
}
