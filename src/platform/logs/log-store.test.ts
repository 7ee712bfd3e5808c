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

  it('is bounded in bytes too: a flood of long lines keeps only the newest that fit', () => {
    const logs = createLogStore({ maxLinesPerId: 10_000, maxBytesPerId: 10_000 });
    for (let i = 0; i < 1000; i++) logs.append('flood', 'stdout', `${String(i).padStart(4, '0')}${'x'.repeat(896)}`);
    logs.append('quiet', 'stdout', 'hello');
    const kept = logs.read('flood');
    // 900 characters + ~96 bytes of overhead a line: 10 lines fit in 10,000 bytes.
    expect(kept).toHaveLength(10);
    expect(kept.at(-1)!.line.startsWith('0999')).toBe(true);
    expect(logs.read('quiet').map((l) => l.line)).toEqual(['hello']);
    const stats = logs.stats();
    expect(stats).toMatchObject({ ids: 2, lines: 11, droppedLines: 990 });
    expect(stats.bytes).toBeLessThanOrEqual(10_000 + 101);
    logs.clear('flood');
    expect(logs.stats()).toMatchObject({ ids: 1, lines: 1, droppedLines: 990 });
    expect(logs.stats().bytes).toBeLessThan(200);
  });

  it('reads after a sequence number as a cursor, across drops and from lastSeq()', () => {
    const logs = createLogStore({ maxLinesPerId: 100 });
    expect(logs.lastSeq()).toBe(0);
    for (let i = 0; i < 250; i++) logs.append(i % 2 ? 'a' : 'b', 'stdout', `l${i}`);
    const a = logs.read('a');
    expect(a).toHaveLength(100);
    expect(logs.read('a', { afterSeq: a[41]!.seq }).map((l) => l.line)).toEqual(a.slice(42).map((l) => l.line));
    expect(logs.read('a', { afterSeq: 0 })).toHaveLength(100); // older than the ring: everything kept
    const cursor = logs.lastSeq();
    expect(logs.read('a', { afterSeq: cursor })).toEqual([]);
    logs.append('a', 'stdout', 'next');
    expect(logs.read('a', { afterSeq: cursor }).map((l) => l.line)).toEqual(['next']);
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
      createLogStore({ maxBytesPerId: 0 });
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
