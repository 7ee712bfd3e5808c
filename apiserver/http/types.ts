// Public types of the HTTPS Kubernetes REST server.
import type { Logger } from 'pino';
import type { Registry } from '../../src/api/registry.ts';
import type { Store } from '../../src/api/store.ts';
import type { Registry as PromRegistry } from 'prom-client';
import type { ConnectionLimits } from './connection-guard.ts';
import type { HealthCheck } from './health.ts';

/** One captured log line of a replica. `time` is epoch milliseconds or an RFC 3339 string. */
export interface LogLine {
  /** Increasing sequence number, when the provider has one (drops duplicates when following). */
  seq?: number;
  time: number | string | Date;
  stream: 'stdout' | 'stderr' | string;
  line: string;
}

/** Source of replica logs; `id` is `<namespace>/<replica name>`. */
export interface LogProvider {
  /**
   * `sinceMs`: only lines of the last that many milliseconds; `tail`: at most the last N lines;
   * `afterSeq`: only lines with a greater `seq` (a slow follower catching up).
   */
  read(id: string, options: { sinceMs?: number; tail?: number; afterSeq?: number }): LogLine[];
  /** Calls `cb` for every new line until the returned function is called. */
  follow(id: string, cb: (line: LogLine) => void): () => void;
  /** What the provider holds (served at /metrics when given). */
  stats?(): LogProviderStats;
}

export interface LogProviderStats {
  ids: number;
  lines: number;
  bytes: number;
  droppedLines: number;
}

export interface ApiServerOptions {
  store: Store;
  registry: Registry;
  host?: '127.0.0.1';
  /** 0 (default) = any free port. */
  port?: number;
  logger?: Logger;
  logs?: LogProvider;
  /** Use this bearer token instead of a random one. */
  token?: string;
  /** Period of the bare-newline keep-alive on quiet watches (default 10 s). */
  watchHeartbeatMs?: number;
  /** Period of BOOKMARK events on watches that allow them (default: the store's, 10 s). */
  watchBookmarkMs?: number;
  /**
   * Ends every watch after this many seconds (clients re-watch from their last resourceVersion), like
   * kube-apiserver's request timeout for watches. Default: watches stay open until the client leaves.
   */
  watchMaxSeconds?: number;
  /**
   * A watcher that falls this far behind (bytes queued for it beyond its initial replay) is closed, as
   * kube-apiserver closes an unresponsive watcher; it re-watches from its last resourceVersion.
   * Default 1 MiB: 50 stalled watchers cost at most ~50 MiB, not a copy of every write each.
   */
  watchMaxBufferedBytes?: number;
  /** Connection limits and timeouts against idle and slow clients (defaults in connection-guard.ts). */
  connectionLimits?: ConnectionLimits & { handshakeTimeoutMs?: number };
  /** Largest accepted request body (default 3 MiB). */
  maxBodyBytes?: number;
  /**
   * The prom-client Registry /metrics serves: the server adds its own metrics to it, the host the
   * controllers' and proxies'. Default: one of its own.
   */
  metrics?: PromRegistry;
  /** Checks /readyz runs after ping, log, store and shutdown (`live` ones also on /livez and /healthz). */
  healthChecks?: HealthCheck[];
  /** Clock for Age cells and timestamps (default Date.now). */
  now?: () => number;
}

export interface ApiServerStats {
  connections: number;
  streams: number;
  openConnections: number;
  refusedConnections: number;
  evictedConnections: number;
  timedOutConnections: number;
  /** Watches open now. */
  watches: number;
  /** Watches closed because their client stopped reading (over the life of the server). */
  slowWatchesClosed: number;
}

export interface ApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  token: string;
  /** PEM of the per-run CA that signed the server certificate. */
  caPem: string;
  /** Open connections and long-running responses (watches, log follows) right now. */
  /**
   * `connections`: TLS connections; `openConnections`: TCP connections the limit counts (handshake
   * included); `streams`: watches and log follows; then what the connection limits did and the
   * watch counters (also served at `/metrics`).
   */
  stats(): ApiServerStats;
  /** Stops accepting, ends watches and closes every connection. */
  close(): Promise<void>;
}
