// Per-replica target ports: where each replica of an executable listens for each endpoint. A fixed
// targetPort is used as is; otherwise each (replica, endpoint) gets its own port from the shared
// PortAllocator, kept for the life of the Replica (re-claimed from its spec after a restart of the
// controller) and released when the Replica is gone.
import type { PortAllocator } from '../../src/platform/ports/types.ts';

export class TargetPortBook {
  /** resource key (`ns/name`) -> replica name -> endpoint name -> allocated port. */
  private readonly byResource = new Map<string, Map<string, Map<string, number>>>();

  constructor(private readonly ports: PortAllocator) {}

  /**
   * The allocated port of `endpoint` for `replica` of `resource`: the one it has, the `remembered`
   * one (from the Replica's spec) when it can be re-claimed, or a new one.
   */
  async portFor(resource: string, replica: string, endpoint: string, remembered?: number): Promise<number> {
    const have = this.byResource.get(resource)?.get(replica)?.get(endpoint);
    if (have !== undefined) return have;
    let port: number;
    if (remembered !== undefined && remembered > 0 && this.ports.reserve(remembered)) port = remembered;
    else port = await this.ports.allocate();
    let replicas = this.byResource.get(resource);
    if (!replicas) this.byResource.set(resource, (replicas = new Map()));
    let endpoints = replicas.get(replica);
    if (!endpoints) replicas.set(replica, (endpoints = new Map()));
    endpoints.set(endpoint, port);
    return port;
  }

  /** Release the ports of `replica` for endpoints not in `keep`. */
  releaseEndpoints(resource: string, replica: string, keep: ReadonlySet<string>): void {
    const endpoints = this.byResource.get(resource)?.get(replica);
    if (!endpoints) return;
    for (const [endpoint, port] of [...endpoints]) {
      if (keep.has(endpoint)) continue;
      this.ports.release(port);
      endpoints.delete(endpoint);
    }
  }

  /** Release the ports of every replica of `resource` not in `live` (all of them without `live`). */
  releaseGone(resource: string, live: ReadonlySet<string> = new Set()): void {
    const replicas = this.byResource.get(resource);
    if (!replicas) return;
    for (const [replica, endpoints] of [...replicas]) {
      if (live.has(replica)) continue;
      for (const port of endpoints.values()) this.ports.release(port);
      replicas.delete(replica);
    }
    if (replicas.size === 0) this.byResource.delete(resource);
  }

  /** Allocated ports of a replica, by endpoint. */
  portsOf(resource: string, replica: string): ReadonlyMap<string, number> {
    return this.byResource.get(resource)?.get(replica) ?? new Map();
  }

  clear(): void {
    for (const resource of [...this.byResource.keys()]) this.releaseGone(resource);
  }
}
