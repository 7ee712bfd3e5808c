import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createStore } from '../../apiserver/store/index.ts';
import type { KubeObject } from '../api/types.ts';
import { KeyBatch } from './key-batch.ts';
import { createManager, type Manager } from './manager.ts';
import { TEST_API_VERSION, createTestKindsRegistry } from '../../test/support/test-kinds.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyBatch', () => {
  it('hands each distinct key of a turn over once, in arrival order, after the turn', async () => {
    const out: string[] = [];
    const batch = new KeyBatch({ flush: (k) => out.push(k) });
    batch.add('a');
    batch.add('b');
    batch.add('a');
    expect(out).toEqual([]);
    expect(batch.size).toBe(2);
    await turn();
    expect(out).toEqual(['a', 'b']);
    expect(batch.size).toBe(0);
    batch.add('a');
    await turn();
    expect(out).toEqual(['a', 'b', 'a']);
  });

  it('close drops pending keys and ignores later adds', async () => {
    const out: string[] = [];
    const batch = new KeyBatch({ flush: (k) => out.push(k) });
    batch.add('a');
    batch.close();
    batch.add('b');
    await turn();
    expect(out).toEqual([]);
    expect(batch.size).toBe(0);
  });
});

describe('manager: watch keys are batched per event-loop turn', () => {
  const managers: Manager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
  });

  it('50 objects written by one reconcile reach a watching controller as one pass, not 50', async () => {
    const registry = createTestKindsRegistry();
    const store = createStore({ registry });
    const manager = createManager({ store, registry, logger: pino({ level: 'silent' }) });
    managers.push(manager);
    const watcherPasses: number[] = [];
    manager.add({
      name: 'maker',
      for: 'Widget',
      async reconcile(key, { client }) {
        for (let i = 0; i < 50; i++) {
          const name = `${key.name}-${i}`;
          if (await client.get('Gadget', key.namespace, name)) continue;
          await client.create<KubeObject>({ apiVersion: TEST_API_VERSION, kind: 'Gadget', metadata: { name, namespace: key.namespace }, spec: { i } });
        }
      },
    });
    manager.add({
      name: 'counter',
      for: 'Widget',
      watches: [{ type: 'Gadget', map: () => [{ namespace: 'default', name: 'w' }] }],
      async reconcile(key, { client }) {
        watcherPasses.push((await client.list('Gadget', { namespace: key.namespace })).length);
      },
    });
    await manager.start();
    store.create({ apiVersion: TEST_API_VERSION, kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: {} });
    await manager.idle();
    expect(store.list('Gadget').items).toHaveLength(50);
    // The Widget's own ADDED event, then the 50 Gadget events in one batch (at most one more pass).
    expect(watcherPasses.length).toBeLessThanOrEqual(3);
    expect(watcherPasses.at(-1)).toBe(50);
  });
});
