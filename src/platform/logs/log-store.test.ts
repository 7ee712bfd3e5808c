import { describe, expect, it } from 'vitest';
import { isLogError } from './errors.ts';
import { createLogStore } from './log-store.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('createLogStore', () => {
  it('keeps lines per id in order with stream, time and increasing seq', () => {
    const c = clock();
    const logs = createLogStore({ now: c.now });
    logs.append('default/a-0', 'stdout', 'one');
    c.advance(5);
    logs.append('default/b-0', 'stderr', 'other');
    logs.append('default/a-0', 'stderr', 'two');
    const a = logs.read('default/a-0');
    expect(a.map((l) => [l.stream, l.line])).toEqual([['stdout', 'one'], ['stderr', 'two']]);
    expect(a[0]!.time.getTime()).toBe(1_000_000);
    expect(a[1]!.seq).toBeGreaterThan(a[0]!.seq);
    expect(logs.ids()).toEqual(['default/a-0', 'default/b-0']);
    expect(logs.read('unknown')).toEqual([]);
  });

  it('is a bounded ring: the oldest lines are dropped', () => {
    const logs = createLogStore({ maxLinesPerId: 3 });
    for (let i = 0; i < 10; i++) logs.append('x', 'stdout', `line ${i}`);
    expect(logs.read('x').map((l) => l.line)).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it('filters by tail, sinceMs, sinceTime and afterSeq', () => {
    const c = clock();
    const logs = createLogStore({ now: c.now });
    const first = logs.append('x', 'stdout', 'old');
    c.advance(10_000);
    logs.append('x', 'stdout', 'mid');
    c.advance(1_000);
    logs.append('x', 'stdout', 'new');
    expect(logs.read('x', { tail: 2 }).map((l) => l.line)).toEqual(['mid', 'new']);
    expect(logs.read('x', { tail: 0 })).toEqual([]);
    expect(logs.read('x', { sinceMs: 5_000 }).map((l) => l.line)).toEqual(['mid', 'new']);
    expect(logs.read('x', { sinceTime: new Date(1_011_000) }).map((l) => l.line)).toEqual(['new']);
    expect(logs.read('x', { afterSeq: first.seq }).map((l) => l.line)).toEqual(['mid', 'new']);
    expect(logs.read('x', { sinceMs: 5_000, tail: 1 }).map((l) => l.line)).toEqual(['new']);
  });

  it('notifies followers of one id and of all ids until they unsubscribe; a throwing follower hurts nobody', () => {
    const logs = createLogStore();
    const seen: string[] = [];
    const all: string[] = [];
    logs.follow('x', () => {
      throw new Error('buggy follower');
    });
    const stop = logs.follow('x', (l) => seen.push(l.line));
    const stopAll = logs.followAll((l, id) => all.push(`${id}:${l.line}`));
    logs.append('x', 'stdout', 'a');
    logs.append('y', 'stdout', 'b');
    stop();
    stopAll();
    logs.append('x', 'stdout', 'c');
    expect(seen).toEqual(['a']);
    expect(all).toEqual(['x:a', 'y:b']);
    expect(logs.read('x').map((l) => l.line)).toEqual(['a', 'c']);
  });

  it('cuts overlong lines, clears an id, and rejects bad options with a stable code', () => {
    const logs = createLogStore({ maxLineLength: 5 });
    expect(logs.append('x', 'stdout', 'abcdefgh').line).toBe('abcde…');
    logs.clear('x');
    expect(logs.read('x')).toEqual([]);
    expect(logs.ids()).toEqual([]);
    let caught: unknown;
    try {
      createLogStore({ maxLinesPerId: 0 });
    } catch (err) {
      caught = err;
    }
    expect(isLogError(caught, 'LOG_INVALID_OPTIONS')).toBe(true);
  });

  it('appends 100k lines quickly', () => {
    const logs = createLogStore({ maxLinesPerId: 1000 });
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) logs.append(`r-${i % 10}`, 'stdout', `line ${i}`);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(logs.read('r-3')).toHaveLength(1000);
  });
});
