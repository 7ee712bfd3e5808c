// The runtime's metrics: the work queue's counters and timings as client-go counts them, the
// manager's reconcile tally by result as controller-runtime counts it, and readiness (not started,
// failing watches). Real store, fake clock.
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../apiserver/store/index.ts';
import { errors } from '../api/status.ts';
import type { KubeObject } from '../api/types.ts';
import { TEST_API_VERSION, createTestKindsRegistry } from '../../test/support/test-kinds.ts';
import { createFakeClock } from './clock.ts';
import { defineController } from './define-controller.ts';
import { TerminalError } from './errors.ts';
import { createManager, type Manager } from './manager.ts';
import type { ControllerSnapshot, MetricsRecorder } from './metrics.ts';
import { promMetricsRecorder } from './prom-metrics.ts';
import { WorkQueue } from './work-queue.ts';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

describe('WorkQueue stats', () => {
  it('counts adds that were not pending, delayed re-adds as retries, and depth as keys waiting for a pass', async () => {
    const clock = createFakeClock();
    const waits: number[] = [];
    const works: number[] = [];
    const q = new WorkQueue({ clock, latency: { queued: (s) => waits.push(s), worked: (s) => works.push(s) } });
    q.add('a');
    q.add('a'); // already pending: not an add
    q.add('b');
    expect(q.stats()).toMatchObject({ depth: 2, adds: 2, retries: 0, processing: 0 });
    const a = await q.get();
    expect(q.stats()).toMatchObject({ depth: 1, processing: 1 });
    expect(waits).toHaveLength(1);
    q.add('a'); // re-added while processing: pending again, counted
    expect(q.stats()).toMatchObject({ depth: 2, adds: 3 });
    expect(q.stats().longestRunningSeconds).toBeGreaterThanOrEqual(0);
    q.done(a!);
    expect(works).toHaveLength(1);
    q.addAfter('c', 100);
    q.addRateLimited('d');
    expect(q.stats()).toMatchObject({ retries: 2, adds: 3 });
    clock.advance(100);
    expect(q.stats()).toMatchObject({ adds: 5, depth: 4 });
  });

  it('times nothing without a latency sink', async () => {
    const q = new WorkQueue({ clock: createFakeClock() });
    q.add('a');
    await q.get();
    expect(q.stats()).toMatchObject({ adds: 1, depth: 0, processing: 1, unfinishedSeconds: 0, longestRunningSeconds: 0 });
  });
});

function widget(name: string): KubeObject {
  return { apiVersion: TEST_API_VERSION, kind: 'Widget', metadata: { name, namespace: 'default' }, spec: {} };
}

function setup(metrics?: MetricsRecorder) {
  const registry = createTestKindsRegistry();
  const store = createStore({ registry });
  const clock = createFakeClock();
  const manager = createManager({ store, registry, logger: pino({ level: 'silent' }), clock, ...(metrics ? { metrics } : {}) });
  managers.push(manager);
  return { store, manager, clock };
}

describe('manager metrics', () => {
  it('tallies reconciles by result as controller-runtime does and reports each controller once', async () => {
    const reads = new Map<string, () => ControllerSnapshot>();
    const timed: string[] = [];
    const recorder: MetricsRecorder = {
      addController(name, read) {
        reads.set(name, read);
        return { queued: () => timed.push('queued'), worked: () => timed.push('worked'), reconciled: () => timed.push('reconciled') };
      },
    };
    const { store, manager, clock } = setup(recorder);
    const by: Record<string, () => unknown> = {
      ok: () => undefined,
      later: () => ({ requeueAfterMs: 60_000 }),
      now: () => ({ requeueAfterMs: 0 }),
      boom: () => {
        throw new Error('boom');
      },
      final: () => {
        throw new TerminalError('fix the spec');
      },
      conflict: () => {
        throw errors.conflict('widgets', 'test.dev', 'conflict', 'changed');
      },
    };
    const seen = new Map<string, number>();
    manager.add(defineController({
      name: 'tally',
      for: 'Widget',
      concurrency: 3,
      async reconcile(key) {
        const n = (seen.get(key.name) ?? 0) + 1;
        seen.set(key.name, n);
        // `now` and `conflict` once only, so they settle.
        if ((key.name === 'now' || key.name === 'conflict') && n > 1) return undefined;
        return by[key.name]!() as undefined;
      },
    }));
    await manager.start();
    for (const name of Object.keys(by)) store.create(widget(name));
    await manager.idle();
    const s = reads.get('tally')!();
    expect(s.maxConcurrentReconciles).toBe(3);
    expect(s.activeWorkers).toBe(0);
    // ok, later, now (2nd pass), conflict (2nd pass): success; boom, final, conflict: error.
    expect(s.reconciles).toMatchObject({ requeue_after: 1, requeue: 1 });
    expect(s.reconciles.success).toBe(3);
    expect(s.errors).toBeGreaterThanOrEqual(3);
    expect(s.reconciles.error).toBe(s.errors);
    expect(s.terminalErrors).toBe(1);
    expect(s.adds).toBeGreaterThanOrEqual(6);
    // Retries: the requeue of `now`, the conflict's, boom's backoff and `later`'s requeue-after.
    expect(s.retries).toBeGreaterThanOrEqual(4);
    const reconciles = s.reconciles.success + s.reconciles.error + s.reconciles.requeue + s.reconciles.requeue_after;
    expect(timed.filter((t) => t === 'reconciled')).toHaveLength(reconciles);
    expect(timed.filter((t) => t === 'worked')).toHaveLength(reconciles);
    clock.advance(10);
    await manager.idle();
    expect(reads.get('tally')!().errors).toBeGreaterThan(s.errors); // boom retried with backoff, failed again
  });

  it('serves them in a prom-client Registry under controller-runtime names', async () => {
    const registry = new Registry();
    const { store, manager } = setup(promMetricsRecorder(registry));
    manager.add(defineController({ name: 'one', for: 'Widget', async reconcile() {} }));
    await manager.start();
    store.create(widget('w'));
    await manager.idle();
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="one",controller="one"} 1');
    expect(text).toContain('controller_runtime_reconcile_total{controller="one",result="success"} 1');
    expect(text).toContain('controller_runtime_reconcile_total{controller="one",result="error"} 0');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="one"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="one",controller="one"} 1');
    expect(text).toContain('controller_runtime_max_concurrent_reconciles{controller="one"} 4');
    // Read twice: counters are set from the snapshot, not added up per scrape.
    expect(await registry.metrics()).toContain('workqueue_adds_total{name="one",controller="one"} 1');
  });

  it('readiness: controllers not started yet are named; every one once stopping', async () => {
    const { manager } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    manager.add(defineController({ name: 'slow', for: 'Widget', async setup() { await gate; }, async reconcile() {} }));
    manager.add(defineController({ name: 'after', for: 'Widget', async reconcile() {} }));
    expect(manager.notStarted()).toEqual(['slow', 'after']);
    const started = manager.start();
    await new Promise((r) => setImmediate(r));
    expect(manager.notStarted()).toEqual(['slow', 'after']);
    release();
    await started;
    expect(manager.notStarted()).toEqual([]);
    expect(manager.failingWatches()).toEqual([]);
    await manager.stop();
    expect(manager.notStarted()).toEqual(['slow', 'after']);
  });

  it('readiness: a watch of an unknown kind keeps failing and is named', async () => {
    const { manager } = setup();
    manager.add(defineController({ name: 'lost', for: 'Nothing', async reconcile() {} }));
    await manager.start();
    expect(manager.failingWatches()).toEqual(['lost: Nothing']);
  });
});
