// An Endpoint's targets: where each live replica of the resource listens for this endpoint, and
// whether it is ready. Containers are reached on their published host port.
import type { EndpointTarget, Replica, ReplicaEndpointPort } from '../../src/api/types.ts';
import { TARGET_ADDRESS } from '../shared/endpoint-url.ts';

/** The host port of a replica's endpoint: a container's published port, a process's target port. */
export function replicaPort(rep: Replica, endpoint: string, container = false): number | undefined {
  const find = (ports: ReplicaEndpointPort[] | undefined) => ports?.find((p) => p.name === endpoint);
  const p = find(rep.status?.ports) ?? find(rep.spec.ports);
  const port = container ? p?.hostPort : (p?.hostPort ?? p?.targetPort);
  return typeof port === 'number' && port > 0 ? port : undefined;
}

/** Targets in replica index order; replicas being deleted or without a port yet are left out. */
export function endpointTargets(endpoint: string, replicas: readonly Replica[], container = false): EndpointTarget[] {
  return [...replicas]
    .filter((r) => !r.metadata.deletionTimestamp)
    .sort((a, b) => a.spec.index - b.spec.index)
    .flatMap((rep) => {
      const port = replicaPort(rep, endpoint, container);
      if (port === undefined) return [];
      return [{ replica: rep.metadata.name, address: TARGET_ADDRESS, port, ready: rep.status?.ready === true }];
    });
}

/** `ready/total`, e.g. `2/2`. */
export function readyTargets(targets: readonly EndpointTarget[]): string {
  return `${targets.filter((t) => t.ready).length}/${targets.length}`;
}
