import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import { defineController } from '../../src/runtime/define-controller.ts';
import { isRuntimeError } from '../../src/runtime/errors.ts';
import { TEST_API_VERSION, createTestKindsRegistry } from './test-kinds.ts';
import { createControllerFixture, type ControllerFixture } from './controller-fixture.ts';

const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

const widget = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: TEST_API_VERSION,
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec,
});

/** Mirrors each Widget's spec.size into a Gadget; `sloppy` rewrites the Gadget on every pass. */
function mirror(sloppy: boolean) {
  let pass = 0;
  return defineController({
    name: sloppy ? 'sloppy' : 'mirror',
    for: 'widgets',
    async reconcile(key, { client }) {
      pass++;
      const w = await client.get('widgets', key.namespace, key.name);
      if (!w) return;
      const desired = { size: (w.spec as { size?: number }).size ?? 0, ...(sloppy ? { pass } : {}) };
      const g = await client.get('gadgets', key.namespace, key.name);
      if (!g) {
        await client.create({ apiVersion: TEST_API_VERSION, kind: 'Gadget', metadata: { name: key.name, namespace: key.namespace }, spec: desired });
      } else if (JSON.stringify(g.spec) !== JSON.stringify(desired)) {
        await client.update({ ...g, spec: desired });
      }
    },
  });
}

describe('controller fixture', () => {
  it('settles after apply and accepts a steady controller', async () => {
    const f = await createControllerFixture({ controllers: [mirror(false)], registry: createTestKindsRegistry() });
    fixtures.push(f);
    await f.apply(widget('a', { size: 3 }));
    expect((f.store.get('gadgets', 'default', 'a').spec as { size: number }).size).toBe(3);
    await f.apply(widget('a', { size: 5 }));
    expect((f.store.get('gadgets', 'default', 'a').spec as { size: number }).size).toBe(5);
    await f.assertSteady();
    expect(f.errors()).toEqual([]);
  });

  it('assertSteady fails with ERR_NOT_STEADY naming the object a second pass rewrote', async () => {
    const f = await createControllerFixture({ controllers: [mirror(true)], registry: createTestKindsRegistry() });
    fixtures.push(f);
    await f.apply(widget('b', { size: 1 }));
    let caught: unknown;
    try {
      await f.assertSteady();
    } catch (err) {
      caught = err;
    }
    expect(isRuntimeError(caught, 'ERR_NOT_STEADY')).toBe(true);
    expect((caught as Error).message).toContain('Gadget default/b (updated)');
  });

  it('advance fires requeue-after timers on the fake clock', async () => {
    let calls = 0;
    const f = await createControllerFixture({
      registry: createTestKindsRegistry(),
      controllers: [
        defineController({
          name: 'poller',
          for: 'widgets',
          async reconcile() {
            calls++;
            return { requeueAfterMs: 500 };
          },
        }),
      ],
    });
    fixtures.push(f);
    await f.apply(widget('c'));
    expect(calls).toBe(1);
    await f.advance(500);
    expect(calls).toBe(2);
    await f.advance(499);
    expect(calls).toBe(2);
  });
});
