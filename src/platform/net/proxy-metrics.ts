// Per-proxy traffic metrics in a prom-client Registry, labelled with the Proxy's namespace and name.
// The proxies controller tracks each running proxy; its counters (the worker processes' summed in)
// are read when scraped, so the data path pays nothing for them.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProxyStats } from './types.ts';

export interface ProxyMetrics {
  /** Report this proxy's counters until the returned function is called (when it closes). */
  track(namespace: string, name: string, read: () => ProxyStats): () => void;
}

interface Tracked {
  namespace: string;
  name: string;
  read: () => ProxyStats;
}

export function createProxyMetrics(registry: Registry): ProxyMetrics {
  const tracked = new Set<Tracked>();
  const labelNames = ['namespace', 'name'] as const;
  const metric = (type: 'counter' | 'gauge', name: string, help: string, read: (s: ProxyStats) => number) => {
    const collect = function (this: Counter<'namespace' | 'name'> | Gauge<'namespace' | 'name'>) {
      this.reset();
      for (const t of tracked) {
        const value = read(t.read());
        if (this instanceof Counter) this.inc({ namespace: t.namespace, name: t.name }, value);
        else this.set({ namespace: t.namespace, name: t.name }, value);
      }
    };
    return type === 'counter' ? new Counter({ name, help, labelNames, registers: [registry], collect }) : new Gauge({ name, help, labelNames, registers: [registry], collect });
  };
  metric('counter', 'apphost_proxy_connections_total', 'Client connections accepted (UDP: client flows created)', (s) => s.totalConnections);
  metric('gauge', 'apphost_proxy_open_connections', 'Client connections open now, held ones included (UDP: live client flows)', (s) => s.activeConnections);
  metric('counter', 'apphost_proxy_received_bytes_total', 'Bytes received from clients (forwarded to backends)', (s) => s.bytesIn);
  metric('counter', 'apphost_proxy_sent_bytes_total', 'Bytes sent to clients (from backends)', (s) => s.bytesOut);
  metric('counter', 'apphost_proxy_failed_connects_total', 'Connects (TCP) or sends (UDP) to a backend that failed', (s) => s.failedConnects);
  metric('counter', 'apphost_proxy_refused_connections_total', 'Clients turned away by spec.allowedClients', (s) => s.refusedConnections);
  return {
    track(namespace, name, read) {
      const t = { namespace, name, read };
      tracked.add(t);
      return () => tracked.delete(t);
    },
  };
}
