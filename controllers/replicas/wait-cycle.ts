// A waitFor cycle (a waits for b, b waits for a) would hold every resource in it forever: find it so
// the resource can say so. Only resources that have not started count: waitFor gates the first start
// only, so an edge from a resource whose replicas already exist blocks nothing.

export interface WaitNode {
  /** Names this resource waits for (spec.waitFor[].resource). */
  waitFor: readonly string[];
  /** It has replicas already (its waitFor no longer gates it). */
  started: boolean;
}

/**
 * The cycle through `start`, as names from `start` back to it (`['a', 'b', 'a']`), or undefined.
 * Depth-first over not-yet-started resources; each is looked up at most once.
 */
export async function findWaitCycle(
  start: string,
  lookup: (name: string) => Promise<WaitNode | undefined>,
): Promise<string[] | undefined> {
  const nodes = new Map<string, WaitNode | undefined>();
  const node = async (name: string) => {
    if (!nodes.has(name)) nodes.set(name, await lookup(name));
    return nodes.get(name);
  };
  const done = new Set<string>();
  const path: string[] = [];
  const visit = async (name: string): Promise<string[] | undefined> => {
    const n = await node(name);
    if (!n || n.started || done.has(name)) return undefined;
    path.push(name);
    for (const next of n.waitFor) {
      if (next === start) return [...path, start];
      if (path.includes(next)) continue; // a cycle that does not pass through start: not ours to report
      const found = await visit(next);
      if (found) return found;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  return visit(start);
}

export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' -> ');
}
