// GET /metrics: the server's counters in the Prometheus text format (prom-client), read when scraped.
import type { ServerResponse } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { ApiServerStats, LogProvider } from './types.ts';

export function metricsRegistry(stats: () => ApiServerStats, logs?: LogProvider): Registry {
  const registry = new Registry();
  const gaugeOf = <S>(source: () => S) => (name: string, help: string, read: (s: S) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(source())); } });
  const gauge = gaugeOf(stats);
  gauge('apphost_apiserver_connections', 'TLS connections open now', (s) => s.connections);
  gauge('apphost_apiserver_streams', 'Long-running responses (watches, log follows) open now', (s) => s.streams);
  gauge('apphost_apiserver_watches', 'Watches open now', (s) => s.watches);
  // Counters whose value lives in the server: a gauge read at scrape time, named *_total as Prometheus expects.
  gauge('apphost_apiserver_watch_slow_closed_total', 'Watches closed because their client stopped reading', (s) => s.slowWatchesClosed);
  gauge('apphost_apiserver_connections_refused_total', 'Connections refused by the connection limit', (s) => s.refusedConnections);
  gauge('apphost_apiserver_connections_evicted_total', 'Idle connections closed to make room', (s) => s.evictedConnections);
  gauge('apphost_apiserver_connections_timed_out_total', 'Connections cut for slow headers or bodies', (s) => s.timedOutConnections);
  const logStats = logs?.stats?.bind(logs);
  if (logStats) {
    const logGauge = gaugeOf(logStats);
    logGauge('apphost_log_replicas', 'Replicas with a log ring', (s) => s.ids);
    logGauge('apphost_log_lines', 'Log lines held in the rings', (s) => s.lines);
    logGauge('apphost_log_bytes', 'Bytes held in the log rings (text plus per-line overhead)', (s) => s.bytes);
    logGauge('apphost_log_dropped_lines_total', 'Oldest lines dropped to keep each ring within its bounds', (s) => s.droppedLines);
  }
  return registry;
}

export async function serveMetrics(res: ServerResponse, registry: Registry): Promise<void> {
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}
