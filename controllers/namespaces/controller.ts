// namespaces: empties a Namespace being deleted, as Kubernetes' namespace controller does, then
// lets it go. Each pass deletes the objects of the namespace that no other object there owns, in
// the foreground: the garbage collector deletes their dependents first (a Resource's Replicas and
// Endpoints) and the owner stays, being deleted, until they are gone, so a Replica is stopped with
// its Resource's settings (stopGracePeriodSeconds) and nothing re-creates it. Replicas keep their
// finalizers until their processes and containers are stopped. Networks go only once everything
// else is gone but what they own (tunnel Proxies), so their containers are detached by then; Events
// last. While anything is left, the Namespace stays Terminating with conditions saying what
// (NamespaceContentRemaining, NamespaceFinalizersRemaining); once nothing is, the `kubernetes`
// finalizer is removed from spec.finalizers and the store removes the Namespace.
import { NAMESPACE_FINALIZER, type Condition, type KubeObject } from '../../src/api/types.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';

/** The built-in namespaced kinds (the host passes every namespaced kind the registry serves). */
export const BUILTIN_NAMESPACED_KINDS = ['resources.apphost.dev', 'replicas.apphost.dev', 'endpoints.apphost.dev', 'networks.apphost.dev', 'proxies.apphost.dev', 'events'];

export interface NamespacesControllerOptions {
  /** Kind references of every namespaced kind whose objects a namespace can hold. */
  kinds?: string[];
}

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: Condition[] };
}

/** Kinds deleted after all others, in this order: containers leave a network before it goes. */
const LAST_KINDS = ['networks.apphost.dev', 'events'];

/** The kinds in deletion waves: everything else at once, then each of LAST_KINDS alone. */
function waves(kinds: string[]): string[][] {
  const rest = kinds.filter((k) => !LAST_KINDS.includes(k));
  return [rest, ...LAST_KINDS.filter((k) => kinds.includes(k)).map((k) => [k])];
}

/** While waiting for finalizers (processes stopping), look again this often besides the watches. */
const RECHECK_MS = 2000;

export function createNamespacesController(options: NamespacesControllerOptions = {}): ControllerDefinition {
  const kinds = options.kinds ?? BUILTIN_NAMESPACED_KINDS;
  const ordered = waves(kinds);
  /** Namespaces being emptied: only changes to their objects wake this controller. */
  const terminating = new Set<string>();
  const ofTerminating = (obj: KubeObject): ObjectKey[] => {
    const ns = obj.metadata.namespace;
    return ns && terminating.has(ns) ? [{ namespace: '', name: ns }] : [];
  };

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const ns = await ctx.client.get<Namespace>('namespaces', '', key.name);
    if (!ns || !ns.metadata.deletionTimestamp) {
      terminating.delete(key.name);
      return;
    }
    terminating.add(key.name);
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;

    const remaining = new Map<string, KubeObject[]>();
    for (const kind of kinds) {
      const items = await ctx.client.list(kind, { namespace: key.name });
      if (items.length > 0) remaining.set(kind, items);
    }
    if (remaining.size === 0) {
      await ctx.client.update<Namespace>({ ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } });
      return;
    }

    for (const { kind, obj } of nextToDelete(ordered, remaining)) {
      await ctx.client.delete(kind, key.name, obj.metadata.name, { propagationPolicy: 'Foreground' });
    }
    await writeConditions(ctx, ns, remaining);
    return { requeueAfterMs: RECHECK_MS };
  }

  return {
    name: 'namespaces',
    for: 'namespaces',
    watches: kinds.map((type) => ({ type, map: ofTerminating })),
    reconcile,
  };
}

/**
 * The objects to delete now: of the first wave that still holds something (not counting what an
 * object of a later wave owns: that goes with its owner), those not being deleted that no object
 * in the namespace owns (owners go first; the garbage collector takes their dependents).
 */
function nextToDelete(ordered: string[][], remaining: Map<string, KubeObject[]>): { kind: string; obj: KubeObject }[] {
  const waveOf = new Map<string, number>();
  ordered.forEach((wave, i) => wave.forEach((kind) => (remaining.get(kind) ?? []).forEach((o) => waveOf.set(o.metadata.uid!, i))));
  for (const [i, wave] of ordered.entries()) {
    const owners = (o: KubeObject) => (o.metadata.ownerReferences ?? []).map((r) => waveOf.get(r.uid)).filter((w) => w !== undefined);
    const pending = wave.flatMap((kind) => (remaining.get(kind) ?? []).filter((o) => !owners(o).some((w) => w > i)).map((obj) => ({ kind, obj })));
    if (pending.length === 0) continue;
    return pending.filter(({ obj }) => !obj.metadata.deletionTimestamp && owners(obj).length === 0);
  }
  return [];
}

/** What is left, as Kubernetes says it: `replicas.apphost.dev has 2 resource instances`. */
async function writeConditions(ctx: ReconcileContext, ns: Namespace, remaining: Map<string, KubeObject[]>): Promise<void> {
  const counts = [...remaining].map(([kind, items]) => `${kind} has ${items.length} resource instances`);
  const finalizers = new Map<string, number>();
  for (const obj of [...remaining.values()].flat()) {
    for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  }
  let conditions = setCondition(ns.status?.conditions, { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${counts.join(', ')}` }, ctx.now());
  conditions = finalizers.size > 0
    ? setCondition(conditions, { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${[...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}` }, ctx.now())
    : setCondition(conditions, { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' }, ctx.now());
  if (JSON.stringify(conditions) === JSON.stringify(ns.status?.conditions ?? [])) return;
  await ctx.client.patchStatus('namespaces', '', ns.metadata.name, { status: { conditions } });
}
