// Which Replicas are known to carry the spec the controller wants, so that a pass triggered by one
// Replica's status change does not re-hash and re-compare all the others. A Replica counts as
// synced when it is the same object (uid) at the same spec generation that the controller last
// wrote or checked, and everything its desired spec is computed from is unchanged: that is the
// `inputs` fingerprint, computed once per pass (see `syncInputs`). Anything else is a full check.
import type { Endpoint, Replica, Resource } from '../../src/api/types.ts';
import type { EnvVarValue } from './env.ts';

interface Entry {
  uid: string;
  generation: number;
  inputs: string;
}

export class SyncedSpecs {
  /** resource key (`ns/name`) -> replica name -> what was verified. */
  private readonly byResource = new Map<string, Map<string, Entry>>();

  /** True when `rep` was verified against the same inputs and has not changed its spec since. */
  isSynced(resource: string, rep: Replica, inputs: string): boolean {
    const entry = this.byResource.get(resource)?.get(rep.metadata.name);
    return (
      entry !== undefined &&
      entry.uid === rep.metadata.uid &&
      entry.generation === rep.metadata.generation &&
      entry.inputs === inputs
    );
  }

  /** Record that `rep` (as returned by the store) carries the spec wanted for `inputs`. */
  markSynced(resource: string, rep: Replica, inputs: string): void {
    const { uid, generation } = rep.metadata;
    if (uid === undefined || generation === undefined) return;
    let replicas = this.byResource.get(resource);
    if (!replicas) this.byResource.set(resource, (replicas = new Map()));
    replicas.set(rep.metadata.name, { uid, generation, inputs });
  }

  /** Forget replicas of `resource` not in `keep` (all of them without `keep`). */
  forget(resource: string, keep?: ReadonlySet<string>): void {
    const replicas = this.byResource.get(resource);
    if (!replicas) return;
    if (keep) for (const name of [...replicas.keys()]) if (!keep.has(name)) replicas.delete(name);
    if (!keep || replicas.size === 0) this.byResource.delete(resource);
  }

  clear(): void {
    this.byResource.clear();
  }
}

/**
 * Everything a replica's desired spec depends on apart from its own index and ports: the
 * Resource's spec (uid + generation), the env shared by all replicas (references and other
 * resources' endpoints already resolved into it) and the resource's own Endpoint objects (their
 * spec and allocated port, and the first target port, which a `targetPort` valueFrom can fall back
 * to). Computed once per pass; proportional to the spec, not to the number of replicas.
 */
export function syncInputs(res: Resource, shared: readonly EnvVarValue[], endpoints: ReadonlyMap<string, Endpoint>): string {
  const own: unknown[] = [];
  for (const e of endpoints.values()) {
    if (e.spec.resource !== res.metadata.name) continue;
    own.push([e.metadata.name, e.metadata.uid, e.metadata.deletionTimestamp ?? null, e.spec, e.status?.port ?? null, e.status?.targets?.[0]?.port ?? null]);
  }
  const spec = res.metadata.generation !== undefined ? res.metadata.generation : res.spec;
  return JSON.stringify([res.metadata.uid, spec, shared, own]);
}
