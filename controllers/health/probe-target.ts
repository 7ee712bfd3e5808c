// What to probe for a replica: the Resource's healthCheck (http on an endpoint, or tcp), else a TCP
// connect to the first TCP endpoint's target port. Undefined: nothing to probe (no TCP endpoint),
// so a running replica is ready.
import type { HealthCheckSpec, Replica, ReplicaEndpointPort, Resource } from '../../src/api/types.ts';
import { resourceEndpoints, TARGET_ADDRESS } from '../shared/index.ts';

export type ProbeTarget =
  | { kind: 'tcp'; host: string; port: number; endpoint: string; protocol?: 'redis' | 'postgres' | 'amqp' }
  | { kind: 'http'; url: string; endpoint: string };

/** Probes go where the proxies forward to. */
export const PROBE_HOST = TARGET_ADDRESS;

export function probeTarget(rep: Replica, res: Resource): ProbeTarget | undefined {
  const hc: HealthCheckSpec = res.spec.healthCheck ?? {};
  const endpoints = resourceEndpoints(res);
  const tcpEndpoints = endpoints.filter((e) => e.protocol === 'TCP');
  const ep = hc.endpoint ? endpoints.find((e) => e.name === hc.endpoint) : tcpEndpoints[0];
  if (!ep) return undefined;
  const port = hostPort(rep, ep.name);
  if (port === undefined) return undefined;
  const http = hc.type === 'http' || (hc.type === undefined && hc.path !== undefined);
  if (http) {
    // With tlsTermination: proxy the replicas themselves speak plain http.
    const scheme = ep.scheme === 'https' && ep.tlsTermination !== 'proxy' ? 'https' : 'http';
    const path = hc.path ? (hc.path.startsWith('/') ? hc.path : `/${hc.path}`) : '/';
    return { kind: 'http', url: `${scheme}://${PROBE_HOST}:${port}${path}`, endpoint: ep.name };
  }
  const protocol = hc.type === 'redis' || hc.type === 'postgres' || hc.type === 'amqp' ? hc.type : undefined;
  return { kind: 'tcp', host: PROBE_HOST, port, endpoint: ep.name, ...(protocol ? { protocol } : {}) };
}

/** The port a replica's endpoint is reachable on from the host: hostPort (containers), else targetPort. */
function hostPort(rep: Replica, endpoint: string): number | undefined {
  const find = (ports: ReplicaEndpointPort[] | undefined) => ports?.find((p) => p.name === endpoint);
  const p = find(rep.status?.ports) ?? find(rep.spec.ports);
  return p?.hostPort ?? p?.targetPort;
}
