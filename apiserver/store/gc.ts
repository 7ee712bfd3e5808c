// Owner-reference garbage collection, as Kubernetes' garbage collector does it: background
// (dependents go after their last owner), foreground (the owner waits, with the
// `foregroundDeletion` finalizer, until its blocking dependents are gone) and orphan (dependents
// lose the owner reference and stay). It works through the store's own writes, so every change
// it makes is admitted, versioned and watched like any other.
import { cloneJson } from '../../src/api/json.ts';
import type { KindInfo } from '../../src/api/registry.ts';
import type { DeleteOptions } from '../../src/api/store.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { objectKey, type ObjectTables } from './indexes.ts';

export const FOREGROUND = 'foregroundDeletion';

/** The store operations the collector needs. */
export interface CollectedStore {
  delete(kindKey: string, namespace: string | undefined, name: string, options?: DeleteOptions): KubeObject;
  /** Writes a new version of an object that the collector changed (finalizers, owner references). */
  commit(info: KindInfo, current: KubeObject, next: KubeObject): KubeObject;
  /** Removes an object whose finalizers are all gone. */
  remove(info: KindInfo, obj: KubeObject): void;
}

export class GarbageCollector {
  constructor(
    private readonly tables: ObjectTables,
    private readonly store: CollectedStore,
  ) {}

  /** Whether deleting `owner` in foreground must wait for dependents. */
  mustWaitForDependents(owner: KubeObject): boolean {
    return this.tables.hasDependents(owner);
  }

  /** Kubernetes collects a dependent once none of its owners exists any more. */
  deleteDependents(owner: KubeObject, policy: 'Background' | 'Foreground'): void {
    for (const { info, obj } of this.tables.dependentsOf(owner)) {
      const others = (obj.metadata.ownerReferences ?? []).filter((o) => o.uid !== owner.metadata.uid);
      if (others.some((o) => this.tables.exists(o.uid))) continue;
      if (obj.metadata.deletionTimestamp && policy === 'Background') continue;
      this.store.delete(info.key, obj.metadata.namespace, obj.metadata.name, { propagationPolicy: policy });
    }
  }

  /** After a dependent goes away, an owner waiting in foreground deletion may now be removable. */
  releaseForegroundOwners(dependent: KubeObject): void {
    for (const ownerRef of dependent.metadata.ownerReferences ?? []) {
      const owner = this.tables.byUidOf(ownerRef.uid);
      if (!owner || !(owner.obj.metadata.finalizers ?? []).includes(FOREGROUND)) continue;
      if (this.tables.hasDependents(owner.obj)) continue;
      const next = cloneJson(owner.obj);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
      const committed = this.store.commit(owner.info, owner.obj, next);
      if ((committed.metadata.finalizers ?? []).length === 0) this.store.remove(owner.info, committed);
    }
  }

  orphanDependents(owner: KubeObject): void {
    for (const { info, obj } of this.tables.dependentsOf(owner)) {
      const next = cloneJson(obj);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((o) => o.uid !== owner.metadata.uid);
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      this.store.commit(info, obj, next);
    }
  }

  /** An object created with owner references that all point at missing owners is collected at once. */
  collectIfOwnersGone(info: KindInfo, obj: KubeObject): void {
    const owners = obj.metadata.ownerReferences ?? [];
    if (owners.length === 0 || owners.some((o) => this.tables.exists(o.uid))) return;
    queueMicrotask(() => {
      const still = this.tables.get(info, objectKey(obj.metadata.namespace, obj.metadata.name));
      if (!still || still.metadata.uid !== obj.metadata.uid) return;
      if ((still.metadata.ownerReferences ?? []).some((o) => this.tables.exists(o.uid))) return;
      this.store.delete(info.key, obj.metadata.namespace, obj.metadata.name);
    });
  }
}
