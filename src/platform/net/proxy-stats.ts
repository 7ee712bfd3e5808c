// Adding up proxy counters of several processes serving one proxy.
import type { ProxyStats } from './types.ts';

export const ZERO_STATS: Readonly<ProxyStats> = { activeConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0, failedConnects: 0, refusedConnections: 0 };

/** a + b (the first lastError found); `b` undefined counts as zero. */
export function addStats(a: ProxyStats, b: ProxyStats | undefined): ProxyStats {
  if (!b) return { ...a };
  const lastError = a.lastError ?? b.lastError;
  return {
    activeConnections: a.activeConnections + b.activeConnections,
    totalConnections: a.totalConnections + b.totalConnections,
    bytesIn: a.bytesIn + b.bytesIn,
    bytesOut: a.bytesOut + b.bytesOut,
    failedConnects: a.failedConnects + b.failedConnects,
    refusedConnections: a.refusedConnections + b.refusedConnections,
    ...(lastError !== undefined ? { lastError } : {}),
  };
}

/** The totals of a process that stopped serving: its open connections are gone. */
export function endedStats(s: ProxyStats): ProxyStats {
  const { lastError: _lastError, ...rest } = s;
  return { ...rest, activeConnections: 0 };
}
