// Per-namespace caps on the number of objects of a kind (Events: 1,000 per namespace, as a busy
// crash loop must not grow memory without bound). The oldest by last write is dropped first, so
// an aggregated event that keeps recurring stays while one-off old ones go.
import type { KindInfo } from '../../src/api/registry.ts';
import type { KubeObject } from '../../src/api/types.ts';

export class NamespaceCaps {
  /** `${kindKey}|${namespace}` -> object name -> object, in last-write order. */
  private readonly byScope = new Map<string, Map<string, KubeObject>>();

  /** `caps`: kind key -> the most objects of that kind one namespace keeps. */
  constructor(private readonly caps: ReadonlyMap<string, number>) {}

  /** Records a create or update; returns the objects now over the cap, oldest first. */
  written(info: KindInfo, obj: KubeObject): KubeObject[] {
    const cap = this.caps.get(info.key);
    if (cap === undefined) return [];
    const scope = this.scope(info, obj, true)!;
    scope.delete(obj.metadata.name);
    scope.set(obj.metadata.name, obj);
    const over: KubeObject[] = [];
    for (const victim of scope.values()) {
      if (scope.size - over.length <= cap) break;
      over.push(victim);
    }
    return over;
  }

  removed(info: KindInfo, obj: KubeObject): void {
    if (!this.caps.has(info.key)) return;
    const scope = this.scope(info, obj, false);
    scope?.delete(obj.metadata.name);
    if (scope?.size === 0) this.byScope.delete(`${info.key}|${obj.metadata.namespace ?? ''}`);
  }

  private scope(info: KindInfo, obj: KubeObject, create: boolean): Map<string, KubeObject> | undefined {
    const key = `${info.key}|${obj.metadata.namespace ?? ''}`;
    let scope = this.byScope.get(key);
    if (!scope && create) this.byScope.set(key, (scope = new Map()));
    return scope;
  }
}
