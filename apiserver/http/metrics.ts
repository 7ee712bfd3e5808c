// GET /metrics: the server's counters in the Prometheus text format (prom-client), read when scraped.
import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Registry as KindRegistry } from '../../src/api/registry.ts';
import type { Store } from '../../src/api/store.ts';
import type { ApiServerStats, LogProvider } from './types.ts';

export function metricsRegistry(stats: () => ApiServerStats, logs?: LogProvider, registry = new Registry()): Registry {
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

/** How one request went, for apiserver_request_total and apiserver_request_duration_seconds. */
export type RequestObserver = (verb: string, resource: string, code: number, seconds: number | undefined) => void;

/**
 * kube-apiserver's request metrics (by verb, resource and code; latency without the long-running
 * WATCH and log follows) and apiserver_storage_objects per kind, read from the store when scraped.
 */
export function requestMetrics(registry: Registry, store: Store, kinds: KindRegistry): RequestObserver {
  const total = new Counter({ name: 'apiserver_request_total', help: 'Requests by verb, resource and HTTP code', labelNames: ['verb', 'resource', 'code'], registers: [registry] });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency by verb and resource (long-running requests excluded)',
    labelNames: ['verb', 'resource'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'apiserver_storage_objects',
    help: 'Objects stored, by resource',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      this.reset();
      for (const k of kinds.list()) this.set({ resource: k.group ? `${k.plural}.${k.group}` : k.plural }, store.list(k.key).items.length);
    },
  });
  return (verb, resource, code, seconds) => {
    total.inc({ verb, resource, code: String(code) });
    if (seconds !== undefined) duration.observe({ verb, resource }, seconds);
  };
}

/** kube-apiserver's verb for a request: get, list, watch, create, update, patch, delete, deletecollection. */
export function requestVerb(method: string, hasName: boolean, watch: boolean): string {
  if (watch) return 'WATCH';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return hasName ? 'GET' : 'LIST';
    case 'POST':
      return 'POST';
    case 'PUT':
      return 'PUT';
    case 'PATCH':
      return 'PATCH';
    case 'DELETE':
      return hasName ? 'DELETE' : 'DELETECOLLECTION';
    default:
      return 'OTHER';
  }
}

export async function serveMetrics(res: ServerResponse, registry: Registry): Promise<void> {
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}
