import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { createFakeClock } from './clock.ts';
import { WorkQueue } from './work-queue.ts';

describe('WorkQueue', () => {
  it('collapses repeated adds of a queued key into one', async () => {
    const q = new WorkQueue({ clock: createFakeClock() });
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands out a key that is being processed; a re-add while running gives exactly one more pass', async () => {
    const q = new WorkQueue({ clock: createFakeClock() });
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a');
    q.add('a');
    q.add('a');
    // 'a' is processing: a second worker must not get it.
    expect(q.length).toBe(0);
    let handed: string | undefined = 'none';
    const second = q.get().then((k) => (handed = k));
    await Promise.resolve();
    expect(handed).toBe('none');
    q.done('a');
    await second;
    expect(handed).toBe('a');
    q.done('a');
    expect(q.isIdle()).toBe(true);
    expect(q.length).toBe(0);
  });

  it('does not requeue a key done without re-add', async () => {
    const q = new WorkQueue({ clock: createFakeClock() });
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.length).toBe(0);
    expect(q.isIdle()).toBe(true);
  });

  it('hands keys to waiting getters in order', async () => {
    const q = new WorkQueue({ clock: createFakeClock() });
    const got: (string | undefined)[] = [];
    const p1 = q.get().then((k) => got.push(k));
    const p2 = q.get().then((k) => got.push(k));
    q.add('x');
    q.add('y');
    await Promise.all([p1, p2]);
    expect(got).toEqual(['x', 'y']);
  });

  it('addAfter fires after the delay, and the earliest of two delays wins', async () => {
    const clock = createFakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(49);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    clock.advance(1000);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off per key: 5 ms doubling, capped at 30 s, reset by forget', () => {
    const clock = createFakeClock();
    const q = new WorkQueue({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 16; i++) delays.push(q.addRateLimited('k'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[12]).toBe(20_480);
    expect(delays[13]).toBe(30_000);
    expect(delays[15]).toBe(30_000);
    expect(q.numRequeues('k')).toBe(16);
    // Another key has its own count.
    expect(q.addRateLimited('other')).toBe(5);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
    expect(q.addRateLimited('k')).toBe(5);
  });

  it('a rate-limited key becomes ready only after its delay', async () => {
    const clock = createFakeClock();
    const q = new WorkQueue({ clock });
    q.addRateLimited('k');
    q.addRateLimited('k');
    clock.advance(4);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
  });

  it('shutDown resolves waiting getters with undefined and drops delayed adds', async () => {
    const clock = createFakeClock();
    const q = new WorkQueue({ clock });
    const waiting = q.get();
    q.addAfter('later', 10);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
    q.add('x');
    expect(await q.get()).toBeUndefined();
  });

  it('backoffDelay handles large attempts without overflow', () => {
    expect(backoffDelay(0)).toBe(5);
    expect(backoffDelay(1e9)).toBe(30_000);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000 })).toBe(800);
  });
});
