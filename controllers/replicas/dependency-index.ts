// Who depends on whom (references, valueFrom, waitFor), learnt as resources are reconciled, so a
// change of a dependency (its Endpoints, status or replicas) reconciles its dependents.

export class DependencyIndex {
  /** dependent key -> dependency keys. */
  private readonly forward = new Map<string, Set<string>>();
  /** dependency key -> dependent keys. */
  private readonly reverse = new Map<string, Set<string>>();

  set(dependent: string, dependencies: Iterable<string>): void {
    this.remove(dependent);
    const deps = new Set(dependencies);
    if (deps.size === 0) return;
    this.forward.set(dependent, deps);
    for (const d of deps) {
      let set = this.reverse.get(d);
      if (!set) this.reverse.set(d, (set = new Set()));
      set.add(dependent);
    }
  }

  remove(dependent: string): void {
    const deps = this.forward.get(dependent);
    if (!deps) return;
    this.forward.delete(dependent);
    for (const d of deps) {
      const set = this.reverse.get(d);
      set?.delete(dependent);
      if (set?.size === 0) this.reverse.delete(d);
    }
  }

  dependentsOf(dependency: string): string[] {
    return [...(this.reverse.get(dependency) ?? [])];
  }
}
