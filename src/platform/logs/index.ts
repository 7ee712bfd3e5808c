// Public surface of the log store. The store is pure and in-memory, so the real implementation is
// also the one tests use (no separate fake).
export type { LogLine, LogListener, LogStore, LogStoreOptions, LogStoreStats, LogStream, ReadOptions } from './types.ts';
export { createLogStore } from './log-store.ts';
export { LogError, isLogError } from './errors.ts';
export type { LogErrorCode } from './errors.ts';
export { createTurnBudget, DEFAULT_CAPTURE_BYTES_PER_TURN } from './turn-budget.ts';
export type { TurnBudget } from './turn-budget.ts';
