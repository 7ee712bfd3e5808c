// What every request handler gets: the store, the registry and the server's settings.
import type { Logger } from 'pino';
import type { Registry } from '../../src/api/registry.ts';
import type { Store } from '../../src/api/store.ts';
import type { LogProvider } from './types.ts';

export interface HandlerContext {
  store: Store;
  registry: Registry;
  logger: Logger;
  now: () => number;
  maxBodyBytes: number;
  heartbeatMs: number;
  watchMaxSeconds?: number;
  watchBookmarkMs?: number;
  watchMaxBufferedBytes: number;
  /** Watches open now, and those closed because their client fell too far behind. */
  watchStats: { open: number; slowClosed: number };
  logs?: LogProvider;
  /** Closers of open long-running responses (watches, log follows), called on server close. */
  streams: Set<() => void>;
}
