import { describe, expect, it } from 'vitest';
import { findWaitCycle, formatCycle, type WaitNode } from './wait-cycle.ts';

const graph = (edges: Record<string, string[]>, started: string[] = []) => {
  const lookups: string[] = [];
  const lookup = async (name: string): Promise<WaitNode | undefined> => {
    lookups.push(name);
    return edges[name] ? { waitFor: edges[name]!, started: started.includes(name) } : undefined;
  };
  return { lookup, lookups };
};

describe('findWaitCycle', () => {
  it('finds the cycle through the start, from the start back to it', async () => {
    expect(await findWaitCycle('a', graph({ a: ['b'], b: ['a'] }).lookup)).toEqual(['a', 'b', 'a']);
    expect(await findWaitCycle('b', graph({ a: ['b'], b: ['a'] }).lookup)).toEqual(['b', 'a', 'b']);
    const long = graph({ a: ['x', 'b'], x: [], b: ['c'], c: ['d', 'a'], d: [] });
    expect(formatCycle((await findWaitCycle('a', long.lookup))!)).toBe('a -> b -> c -> a');
  });

  it('no cycle: a chain, a missing dependency, a cycle elsewhere, or one through a started resource', async () => {
    expect(await findWaitCycle('a', graph({ a: ['b'], b: ['c'], c: [] }).lookup)).toBeUndefined();
    expect(await findWaitCycle('a', graph({ a: ['gone'] }).lookup)).toBeUndefined();
    expect(await findWaitCycle('a', graph({ a: ['b'], b: ['c'], c: ['b'] }).lookup)).toBeUndefined();
    // b already runs: its waitFor gates nothing, a simply waits for b to be healthy.
    expect(await findWaitCycle('a', graph({ a: ['b'], b: ['a'] }, ['b']).lookup)).toBeUndefined();
  });

  it('looks each resource up once, even in a dense graph', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const g = graph(Object.fromEntries(names.map((n, i) => [n, names.slice(i + 1)])));
    expect(await findWaitCycle('r0', g.lookup)).toBeUndefined();
    expect(g.lookups.length).toBe(30);
  });
});
