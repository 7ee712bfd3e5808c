// What the containers controller remembers per Replica (a slot: its container, restarts, backoff,
// log stream) and the indexes its watches map through: replicas by Resource, replicas waiting for
// the network, and the network fields containers depend on.
import type { Network } from '../../src/api/types.ts';
import type { Subscription } from '../../src/platform/docker/index.ts';
import type { ObjectKey } from '../../src/runtime/types.ts';

export interface Slot {
  uid: string;
  namespace: string;
  resource: string;
  containerId?: string;
  name?: string;
  key?: string;
  persistent: boolean;
  restarts: number;
  attempt: number;
  /** finishedAt of the exit the backoff was computed for. */
  handledExit?: string;
  notBefore: number;
  graceSeconds: number;
  /**
   * The last create/start the daemon refused (image missing, port taken...), for the definition
   * `key`: retried after `notBefore` when the restart policy allows, else not until the definition
   * changes.
   */
  startFailure?: { key: string; retry: boolean };
  /** `<container id>@<startedAt>` the log stream follows. */
  logFor?: string;
  logSub?: Subscription;
}

const slotId = (k: ObjectKey) => `${k.namespace}/${k.name}`;

export class SlotTable {
  private readonly slots = new Map<string, Slot>();
  /** `ns/resource` -> replica names (for Resource / Endpoint watches). */
  private readonly byResource = new Map<string, Set<string>>();
  /** Replicas waiting for the network, by namespace. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Last seen `runtimeName|gateway|deleting` of each namespace's network (Network watch). */
  private readonly networkSeen = new Map<string, string>();

  get size(): number {
    return this.slots.size;
  }

  get(key: ObjectKey): Slot | undefined {
    return this.slots.get(slotId(key));
  }

  set(key: ObjectKey, slot: Slot): void {
    this.slots.set(slotId(key), slot);
  }

  values(): IterableIterator<Slot> {
    return this.slots.values();
  }

  /** Forgets a replica (its slot and its place in the indexes). */
  delete(key: ObjectKey): void {
    const slot = this.get(key);
    if (slot) this.byResource.get(`${slot.namespace}/${slot.resource}`)?.delete(key.name);
    this.slots.delete(slotId(key));
    this.setWaiting(key, false);
  }

  clear(): void {
    this.slots.clear();
  }

  /** Records that `replica` belongs to `resource` (for the Resource and Endpoint watches). */
  track(namespace: string, resource: string, replica: string): void {
    const k = `${namespace}/${resource}`;
    let set = this.byResource.get(k);
    if (!set) this.byResource.set(k, (set = new Set()));
    set.add(replica);
  }

  replicasOf(namespace: string, resource: string): ObjectKey[] {
    return [...(this.byResource.get(`${namespace}/${resource}`) ?? [])].map((name) => ({ namespace, name }));
  }

  setWaiting(k: ObjectKey, on: boolean): void {
    const set = this.waiting.get(k.namespace) ?? new Set<string>();
    if (on) set.add(k.name);
    else set.delete(k.name);
    this.waiting.set(k.namespace, set);
  }

  /** Every replica with a slot or waiting for the network. */
  all(): ObjectKey[] {
    const keys = [...this.slots.keys()].map((s) => ({ namespace: s.slice(0, s.indexOf('/')), name: s.slice(s.indexOf('/') + 1) }));
    for (const [namespace, names] of this.waiting) for (const name of names) keys.push({ namespace, name });
    return keys;
  }

  /**
   * Replicas a change of `network` concerns: those waiting for it, and everyone in its namespace
   * when what containers depend on changed (not on every attachments update).
   */
  affectedBy(network: Network, networkName: string): ObjectKey[] {
    const ns = network.metadata.namespace ?? 'default';
    if (network.metadata.name !== networkName) return [];
    const names = [...(this.waiting.get(ns) ?? [])];
    const status = network.status ?? {};
    const seen = `${status.runtimeName ?? ''}|${status.gateway ?? ''}|${network.metadata.deletionTimestamp ?? ''}`;
    if (this.networkSeen.get(ns) !== seen) {
      this.networkSeen.set(ns, seen);
      for (const k of this.slots.keys()) if (k.startsWith(`${ns}/`)) names.push(k.slice(ns.length + 1));
    }
    return [...new Set(names)].map((name) => ({ namespace: ns, name }));
  }
}
