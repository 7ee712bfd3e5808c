// The replica logs `up` shows below its status view, read in-process from the log store (the same
// rings `apphostctl logs` and the dashboard read). A replica that floods is folded: each replica may
// print a burst and then a steady rate of lines and bytes; what goes over is counted and summed up at
// most every few seconds as `[flood] web-0: 48,211 lines suppressed, see apphostctl logs replica/web-0`.
// Lines are written in one batch per event-loop turn. So a 50 MB flood costs `up`'s output (a
// terminal, or a file such as up.log) a few hundred lines, not 50 MB.
import type { LogLine, LogStore } from '../../platform/logs/types.ts';

export interface ReplicaLogLimits {
  /** Lines a replica may print at once, then `linesPerSecond`. */
  burstLines: number;
  linesPerSecond: number;
  /** Characters likewise (a flood of long lines is folded as well). */
  burstBytes: number;
  bytesPerSecond: number;
  /** At most one `[flood]` line per replica this often. */
  reportEveryMs: number;
}

export const DEFAULT_REPLICA_LOG_LIMITS: ReplicaLogLimits = {
  burstLines: 200,
  linesPerSecond: 100,
  burstBytes: 256 * 1024,
  bytesPerSecond: 64 * 1024,
  reportEveryMs: 2000,
};

export interface FollowReplicaLogsOptions {
  logs: Pick<LogStore, 'ids' | 'read' | 'followAll'>;
  namespace: string;
  /** Receives a batch of lines, each ending with a newline. */
  write(text: string): void;
  /** Formats one shown line (e.g. with the coloured replica prefix). */
  format(replica: string, line: string): string;
  limits?: Partial<ReplicaLogLimits>;
  now?: () => number;
}

export interface ReplicaLogFollower {
  /** Writes what is pending (and the last `[flood]` counts) and stops following. */
  close(): void;
}

interface Budget {
  lines: number;
  bytes: number;
  at: number;
  suppressed: number;
  lastReport: number;
}

export function followReplicaLogs(o: FollowReplicaLogsOptions): ReplicaLogFollower {
  const limits = { ...DEFAULT_REPLICA_LOG_LIMITS, ...o.limits };
  const now = o.now ?? Date.now;
  const prefix = `${o.namespace}/`;
  const budgets = new Map<string, Budget>();
  let batch: string[] = [];
  let flushScheduled = false;
  let closed = false;

  const flush = () => {
    flushScheduled = false;
    if (batch.length === 0) return;
    const text = batch.join('');
    batch = [];
    o.write(text);
  };
  const queue = (text: string) => {
    batch.push(text);
    if (!flushScheduled && !closed) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const report = (replica: string, b: Budget, t: number) => {
    if (b.suppressed === 0) return;
    const n = b.suppressed;
    queue(`[flood] ${replica}: ${n.toLocaleString('en-US')} line${n === 1 ? '' : 's'} suppressed, see apphostctl logs replica/${replica}\n`);
    b.suppressed = 0;
    b.lastReport = t;
  };

  const take = (line: LogLine, id: string) => {
    if (!id.startsWith(prefix)) return;
    const replica = id.slice(prefix.length);
    const t = now();
    let b = budgets.get(replica);
    if (!b) budgets.set(replica, (b = { lines: limits.burstLines, bytes: limits.burstBytes, at: t, suppressed: 0, lastReport: t }));
    const dt = (t - b.at) / 1000;
    b.at = t;
    b.lines = Math.min(limits.burstLines, b.lines + dt * limits.linesPerSecond);
    b.bytes = Math.min(limits.burstBytes, b.bytes + dt * limits.bytesPerSecond);
    const cost = line.line.length + 1;
    if (b.lines >= 1 && b.bytes >= cost) {
      b.lines -= 1;
      b.bytes -= cost;
      queue(`${o.format(replica, line.line)}\n`);
    } else {
      b.suppressed++;
      if (t - b.lastReport >= limits.reportEveryMs) report(replica, b, t);
    }
  };

  // What replicas printed before `up` looked (start-up lines), then everything new. Both happen in
  // this turn, so no line falls between them or comes twice.
  for (const id of o.logs.ids()) for (const line of o.logs.read(id)) take(line, id);
  const unfollow = o.logs.followAll(take);
  // A flood that stopped still gets its count said, within reportEveryMs.
  const reporter = setInterval(() => {
    const t = now();
    for (const [replica, b] of budgets) if (b.suppressed > 0 && t - b.lastReport >= limits.reportEveryMs) report(replica, b, t);
  }, Math.max(100, limits.reportEveryMs / 2));
  reporter.unref();

  return {
    close() {
      if (closed) return;
      unfollow();
      clearInterval(reporter);
      const t = now();
      for (const [replica, b] of budgets) report(replica, b, t);
      closed = true;
      flush();
    },
  };
}
