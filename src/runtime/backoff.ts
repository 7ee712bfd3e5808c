// Exponential backoff: base * 2^attempt, capped. attempt 0 is the first retry.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** The runtime's per-key retry policy: 5 ms doubling, capped at 30 s. */
export const RECONCILE_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 30_000 };

export function backoffDelay(attempt: number, options: BackoffOptions = RECONCILE_BACKOFF): number {
  if (attempt < 0 || !Number.isFinite(attempt)) return options.baseMs;
  // 2^31 already exceeds any sane cap; avoid Infinity arithmetic.
  const exp = Math.min(attempt, 31);
  return Math.min(options.maxMs, options.baseMs * 2 ** exp);
}
