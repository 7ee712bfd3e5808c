import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import type { KubeObject } from '../../src/api/types.ts';
import { EventHistory, eventBytes, type StoredEvent } from './history.ts';
import { createStore } from './index.ts';
import { createTestRegistry } from '../../test/support/test-registry.ts';

function widget(name: string, bulk = 0): KubeObject {
  return { apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name, namespace: 'default', annotations: { bulk: 'x'.repeat(bulk) } }, spec: { size: 1 } };
}

function event(rv: number, bulk: number): StoredEvent {
  return { rv, kindKey: 'widgets.test.dev', type: 'ADDED', object: widget(`w${rv}`, bulk) };
}

describe('event history: bounded in bytes as well as events', () => {
  it('drops the oldest events once over its byte budget, and says from where it can resume', () => {
    const size = eventBytes(event(1, 10_000));
    expect(size).toBeGreaterThan(10_000);
    const history = new EventHistory({ maxEvents: 1000, maxBytes: 3 * size }, 0);
    for (let rv = 1; rv <= 3; rv++) history.push(event(rv, 10_000));
    expect(history.stats()).toEqual({ events: 3, bytes: 3 * size });
    expect(history.oldestResumable()).toBe(0);
    history.push(event(4, 10_000));
    expect(history.stats()).toEqual({ events: 3, bytes: 3 * size });
    expect(history.oldestResumable()).toBe(1);
    expect([...history.since(1)].map((e) => e.rv)).toEqual([2, 3, 4]);
    // One huge event pushes out everything older, itself included when it alone is over the budget.
    history.push(event(5, 3 * size));
    expect([...history.since(history.oldestResumable())].map((e) => e.rv)).toEqual([]);
    expect(history.oldestResumable()).toBe(5);
    expect(history.stats()).toEqual({ events: 0, bytes: 0 });
    history.push(event(6, 100));
    expect([...history.since(5)].map((e) => e.rv)).toEqual([6]);
  });

  it('still bounds the number of events', () => {
    const history = new EventHistory({ maxEvents: 2, maxBytes: Infinity }, 0);
    for (let rv = 1; rv <= 5; rv++) history.push(event(rv, 0));
    expect(history.oldestResumable()).toBe(3);
    expect([...history.since(3)].map((e) => e.rv)).toEqual([4, 5]);
  });

  it('grows its ring as events come, keeping their order across the wrap, up to maxEvents', () => {
    // Ten big events first, then small ones: the byte budget drops the big ones from the front, so
    // the ring is full with its start past slot 0 when it first grows (1,024 slots -> 2,048).
    const big = eventBytes(event(1, 10_000));
    const small = eventBytes(event(1000, 0));
    const history = new EventHistory({ maxEvents: 3000, maxBytes: 5 * big + 1100 * small }, 0);
    for (let rv = 1; rv <= 10; rv++) history.push(event(rv, 10_000));
    for (let rv = 1000; rv < 2300; rv++) history.push(event(rv, 0));
    const pushed = [...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 1300 }, (_, i) => 1000 + i)];
    const kept = [...history.since(history.oldestResumable())].map((e) => e.rv);
    expect(history.oldestResumable()).toBeGreaterThanOrEqual(5); // big ones were dropped from the front
    expect(kept.length).toBe(history.stats().events);
    expect(kept.length).toBeGreaterThan(1024);
    expect(kept).toEqual(pushed.slice(pushed.length - kept.length));
    // And the event bound still holds once the ring is at maxEvents.
    const bounded = new EventHistory({ maxEvents: 3000, maxBytes: Infinity }, 0);
    for (let rv = 1; rv <= 4000; rv++) bounded.push(event(rv, 0));
    expect(bounded.stats().events).toBe(3000);
    expect(bounded.oldestResumable()).toBe(1000);
    expect([...bounded.since(3995)].map((e) => e.rv)).toEqual([3996, 3997, 3998, 3999, 4000]);
    expect([...bounded.since(1000)]).toHaveLength(3000);
  });

  it('through the store: a watch resuming from before the dropped events gets 410 Expired, a recent one replays', async () => {
    const store = createStore({ registry: createTestRegistry(), historyBytes: 100 * 1024 });
    const first = store.resourceVersion();
    for (let i = 0; i < 3; i++) {
      store.create(widget(`big${i}`, 40 * 1024));
      store.delete('widgets', 'default', `big${i}`);
    }
    const expired = await firstValueFrom(store.watch('widgets', { resourceVersion: first }).pipe(toArray()));
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    const mark = store.resourceVersion();
    store.create(widget('small'));
    const replay: string[] = [];
    store.watch('widgets', { resourceVersion: mark }).subscribe((e) => replay.push(`${e.type} ${e.object.metadata.name}`)).unsubscribe();
    expect(replay).toEqual(['ADDED small']);
  });
});
