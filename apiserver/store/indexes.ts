// The store's tables and the indexes over them: objects by kind and `namespace/name`, each kind's
// keys in sorted order (for lists and pages), uid -> object, and owner uid -> dependents (for
// garbage collection). Only the store writes here; everything is kept in step on every change.
import type { KindInfo, Registry } from '../../src/api/registry.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { flatString } from './objects.ts';

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** `${kindKey}|${objectKey}`: how the dependents index names an object. */
function refOf(info: KindInfo, obj: KubeObject): string {
  return `${info.key}|${objectKey(obj.metadata.namespace, obj.metadata.name)}`;
}

/** An object found through an index, with its kind. */
export interface IndexedObject {
  info: KindInfo;
  obj: KubeObject;
}

export class ObjectTables {
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  /** Kind key -> its table's keys in sorted order; dropped when a key is added or removed. */
  private readonly sortedKeys = new Map<string, string[]>();
  /** uid -> the stored object with its kind (kept in step on every put; no key string per object). */
  private readonly byUid = new Map<string, IndexedObject>();
  /** owner uid -> `${kindKey}|${objectKey}` of objects that reference it. */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(private readonly registry: Registry) {}

  get(info: KindInfo, key: string): KubeObject | undefined {
    return this.tables.get(info.key)?.get(key);
  }

  has(info: KindInfo, key: string): boolean {
    return this.tables.get(info.key)?.has(key) ?? false;
  }

  /** The kind's keys, sorted (cached until a key is added or removed; callers must not modify it). */
  keysOf(info: KindInfo): readonly string[] {
    let keys = this.sortedKeys.get(info.key);
    if (!keys) this.sortedKeys.set(info.key, (keys = [...this.table(info).keys()].sort()));
    return keys;
  }

  /** Stores a new object or a new version of one (`previous`), keeping every index in step. */
  put(info: KindInfo, obj: KubeObject, previous?: KubeObject): void {
    const table = this.table(info);
    let key = objectKey(obj.metadata.namespace, obj.metadata.name);
    if (!table.has(key)) {
      this.sortedKeys.delete(info.key);
      // A new key stays as long as the object: flat (an existing key keeps the string it has).
      key = flatString(key);
    }
    table.set(key, obj);
    if (previous) this.unindex(info, previous);
    this.index(info, obj);
  }

  /** Removes the object if it is the stored version; false when it is not (already replaced or gone). */
  remove(info: KindInfo, obj: KubeObject): boolean {
    const table = this.table(info);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    if (table.get(key) !== obj) return false;
    table.delete(key);
    this.sortedKeys.delete(info.key);
    this.unindex(info, obj);
    return true;
  }

  exists(uid: string): boolean {
    return this.byUid.has(uid);
  }

  byUidOf(uid: string): IndexedObject | undefined {
    return this.byUid.get(uid);
  }

  dependentsOf(owner: KubeObject): IndexedObject[] {
    const refs = this.dependents.get(owner.metadata.uid!);
    if (!refs) return [];
    return [...refs].map((r) => this.resolveRef(r)).filter((d) => d !== undefined);
  }

  hasDependents(owner: KubeObject): boolean {
    return (this.dependents.get(owner.metadata.uid!)?.size ?? 0) > 0;
  }

  private table(info: KindInfo): Map<string, KubeObject> {
    let table = this.tables.get(info.key);
    if (!table) this.tables.set(info.key, (table = new Map()));
    return table;
  }

  private index(info: KindInfo, obj: KubeObject): void {
    this.byUid.set(obj.metadata.uid!, { info, obj });
    const owners = obj.metadata.ownerReferences;
    if (!owners || owners.length === 0) return;
    const ref = flatString(refOf(info, obj));
    for (const owner of owners) {
      let set = this.dependents.get(owner.uid);
      if (!set) this.dependents.set(owner.uid, (set = new Set()));
      set.add(ref);
    }
  }

  private unindex(info: KindInfo, obj: KubeObject): void {
    if (this.byUid.get(obj.metadata.uid!)?.obj === obj) this.byUid.delete(obj.metadata.uid!);
    const owners = obj.metadata.ownerReferences;
    if (!owners || owners.length === 0) return;
    const ref = refOf(info, obj);
    for (const owner of owners) {
      const set = this.dependents.get(owner.uid);
      set?.delete(ref);
      if (set?.size === 0) this.dependents.delete(owner.uid);
    }
  }

  private resolveRef(ref: string): IndexedObject | undefined {
    const bar = ref.indexOf('|');
    const info = this.registry.resolve(ref.slice(0, bar));
    const obj = info && this.tables.get(info.key)?.get(ref.slice(bar + 1));
    return info && obj ? { info, obj } : undefined;
  }
}
