import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { throwError } from 'rxjs';
import { createStore } from '../../apiserver/store/index.ts';
import type { Store } from '../api/store.ts';
import { errors } from '../api/status.ts';
import type { KubeObject } from '../api/types.ts';
import { createFakeClock, type Clock } from './clock.ts';
import { defineController } from './define-controller.ts';
import { RuntimeError, TerminalError, isRuntimeError } from './errors.ts';
import { createManager, type Manager, type ManagerOptions } from './manager.ts';
import { TEST_API_VERSION, createTestKindsRegistry } from '../../test/support/test-kinds.ts';
import type { ControllerDefinition, ObjectKey } from './types.ts';

const logger = pino({ level: 'silent' });
const managers: Manager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

function setup(options: { clock?: Clock; withRegistry?: boolean } & Partial<ManagerOptions> = {}) {
  const registry = createTestKindsRegistry();
  const store = createStore({ registry });
  const manager = createManager({
    store,
    logger,
    ...(options.withRegistry === false ? {} : { registry }),
    ...options,
  });
  managers.push(manager);
  return { store, manager };
}

function widget(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: TEST_API_VERSION, kind: 'Widget', metadata: { name, namespace: 'default' }, spec };
}

function gadget(name: string, spec: Record<string, unknown> = {}, owner?: KubeObject, controller = true): KubeObject {
  return {
    apiVersion: TEST_API_VERSION,
    kind: 'Gadget',
    metadata: {
      name,
      namespace: 'default',
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller },
            ],
          }
        : {}),
    },
    spec,
  };
}

async function until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

function recorder() {
  const keys: string[] = [];
  const def = (extra: Partial<ControllerDefinition> = {}): ControllerDefinition =>
    defineController({
      name: 'rec',
      for: 'Widget',
      async reconcile(key: ObjectKey) {
        keys.push(`${key.namespace}/${key.name}`);
      },
      ...extra,
    });
  return { keys, def };
}

describe('manager: key sources', () => {
  it('reconciles existing and new objects of the `for` kind', async () => {
    const { store, manager } = setup();
    store.create(widget('pre'));
    const r = recorder();
    manager.add(r.def());
    await manager.start();
    await until(() => r.keys.includes('default/pre'));
    store.create(widget('post'));
    await until(() => r.keys.includes('default/post'));
    store.delete('widgets', 'default', 'post');
    await manager.idle();
    expect(r.keys.filter((k) => k === 'default/post').length).toBeGreaterThanOrEqual(2);
  });

  for (const withRegistry of [true, false]) {
    it(`owns: a change of a controlled object enqueues its owner (${withRegistry ? 'registry' : 'store lookup'})`, async () => {
      const { store, manager } = setup({ withRegistry });
      const owner = store.create(widget('owner'));
      const other = store.create(widget('other'));
      const r = recorder();
      manager.add(r.def({ owns: ['gadgets'] }));
      await manager.start();
      await manager.idle();
      r.keys.length = 0;
      store.create(gadget('child', { n: 1 }, owner));
      await manager.idle();
      expect(r.keys).toContain('default/owner');
      r.keys.length = 0;
      // Not a controller reference: ignored.
      store.create(gadget('loose', {}, other, false));
      // No owner at all: ignored.
      store.create(gadget('orphan'));
      await manager.idle();
      expect(r.keys).toEqual([]);
      store.patch('gadgets', 'default', 'child', 'merge', { spec: { n: 2 } });
      await manager.idle();
      expect(r.keys).toEqual(['default/owner']);
    });
  }

  it('watches: the map function picks keys, and a MODIFIED event also enqueues the keys it mapped to before', async () => {
    const { store, manager } = setup();
    const r = recorder();
    manager.add(
      r.def({
        watches: [
          {
            type: 'Gadget',
            map: (obj) => {
              const target = (obj.spec as { target?: string }).target;
              return target ? [{ namespace: 'default', name: target }] : [];
            },
          },
        ],
      }),
    );
    await manager.start();
    store.create(gadget('g', { target: 'a' }));
    await manager.idle();
    expect(r.keys).toEqual(['default/a']);
    r.keys.length = 0;
    store.patch('gadgets', 'default', 'g', 'merge', { spec: { target: 'b' } });
    await manager.idle();
    expect([...r.keys].sort()).toEqual(['default/a', 'default/b']);
    r.keys.length = 0;
    store.delete('gadgets', 'default', 'g');
    await manager.idle();
    expect(r.keys).toEqual(['default/b']);
  });

  it('a throwing map function is contained: the event is skipped, the controller keeps running', async () => {
    const { store, manager } = setup();
    const r = recorder();
    manager.add(
      r.def({
        watches: [
          {
            type: 'Gadget',
            map: (obj) => {
              if (obj.metadata.name === 'bad') throw new Error('boom');
              return [{ namespace: 'default', name: 'from-gadget' }];
            },
          },
        ],
      }),
    );
    await manager.start();
    store.create(gadget('bad'));
    store.create(gadget('good'));
    await manager.idle();
    expect(r.keys).toEqual(['default/from-gadget']);
  });
});

describe('manager: reconcile semantics', () => {
  it('never runs one key twice at once; updates during a pass collapse into exactly one more pass', async () => {
    const { store, manager } = setup();
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    manager.add(
      defineController({
        name: 'slow',
        for: 'widgets',
        concurrency: 4,
        async reconcile() {
          running++;
          maxRunning = Math.max(maxRunning, running);
          passes++;
          if (passes === 1) await gate;
          running--;
        },
      }),
    );
    await manager.start();
    store.create(widget('w', { v: 0 }));
    await until(() => passes === 1);
    for (let i = 1; i <= 10; i++) store.patch('widgets', 'default', 'w', 'merge', { spec: { v: i } });
    // The store emits synchronously and the key batch flushes into the queue on the next turn:
    // after two turns every patch is queued (and collapsed), with the first pass still running.
    await nextTurn();
    await nextTurn();
    expect(passes).toBe(1);
    release();
    await manager.idle();
    expect(passes).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('runs different keys in parallel up to `concurrency`', async () => {
    const { store, manager } = setup();
    let running = 0;
    let maxRunning = 0;
    manager.add(
      defineController({
        name: 'par',
        for: 'widgets',
        concurrency: 3,
        async reconcile() {
          running++;
          maxRunning = Math.max(maxRunning, running);
          // The first reconciles wait for each other: only `concurrency` workers can get all three here.
          await until(() => maxRunning >= 3);
          running--;
        },
      }),
    );
    for (let i = 0; i < 6; i++) store.create(widget(`w${i}`));
    await manager.start();
    await manager.idle();
    expect(maxRunning).toBe(3);
  });

  it('retries a failing key with backoff (5, 10, 20, 40 ms on the clock) and resets after success', async () => {
    const clock = createFakeClock();
    const { store, manager } = setup({ clock });
    let calls = 0;
    let failUntil = 4;
    manager.add(
      defineController({
        name: 'flaky',
        for: 'widgets',
        async reconcile() {
          calls++;
          if (calls <= failUntil) throw new Error('transient');
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    await manager.idle();
    expect(calls).toBe(1);
    for (const delay of [5, 10, 20, 40]) {
      clock.advance(delay - 1);
      await manager.idle();
      const before = calls;
      clock.advance(1);
      await manager.idle();
      expect(calls, `retry after ${delay} ms`).toBe(before + 1);
    }
    expect(calls).toBe(5);
    clock.advance(60_000);
    await manager.idle();
    expect(calls).toBe(5);
    // After a success the backoff starts again at 5 ms.
    failUntil = 6;
    store.patch('widgets', 'default', 'w', 'merge', { spec: { v: 1 } });
    await manager.idle();
    expect(calls).toBe(6);
    clock.advance(5);
    await manager.idle();
    expect(calls).toBe(7);
  });

  it('a TerminalError is logged and not retried; a later change reconciles again', async () => {
    const outcomes: string[] = [];
    let calls = 0;
    const clock = createFakeClock();
    const { store, manager: m } = setup({ clock, onReconcile: (e) => outcomes.push(e.outcome.kind) });
    m.add(
      defineController({
        name: 'terminal',
        for: 'widgets',
        async reconcile() {
          calls++;
          throw new TerminalError('user must fix the spec');
        },
      }),
    );
    await m.start();
    store.create(widget('w'));
    await until(() => calls === 1);
    // A retry would be a backoff timer on the (fake) clock: an hour on it fires any there is.
    clock.advance(3_600_000);
    await m.idle();
    expect(calls).toBe(1);
    expect(outcomes).toEqual(['terminal']);
    store.patch('widgets', 'default', 'w', 'merge', { spec: { fixed: true } });
    await until(() => calls === 2);
  });

  it('an ApiError Conflict requeues at once (no backoff)', async () => {
    const clock = createFakeClock();
    const { store, manager } = setup({ clock });
    let calls = 0;
    manager.add(
      defineController({
        name: 'conflict',
        for: 'widgets',
        async reconcile() {
          calls++;
          if (calls === 1) throw errors.conflict('widgets', 'test.dev', 'w', 'the object has been modified');
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    // The fake clock never advances: only an immediate requeue can produce the second pass.
    await until(() => calls === 2);
    await manager.idle();
    expect(calls).toBe(2);
  });

  it('requeueAfterMs reconciles the key again after that delay', async () => {
    const clock = createFakeClock();
    const { store, manager } = setup({ clock });
    let calls = 0;
    manager.add(
      defineController({
        name: 'poll',
        for: 'widgets',
        async reconcile() {
          calls++;
          return calls < 3 ? { requeueAfterMs: 1000 } : undefined;
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    await manager.idle();
    expect(calls).toBe(1);
    clock.advance(999);
    await manager.idle();
    expect(calls).toBe(1);
    clock.advance(1);
    await manager.idle();
    expect(calls).toBe(2);
    clock.advance(1000);
    await manager.idle();
    expect(calls).toBe(3);
    clock.advance(10_000);
    await manager.idle();
    expect(calls).toBe(3);
  });

  it('gives each reconcile a child logger, a signal and the injected clock', async () => {
    const clock = createFakeClock({ start: '2030-05-05T00:00:00Z' });
    const { store, manager } = setup({ clock });
    const seen: { bindings: Record<string, unknown>; now: string; aborted: boolean }[] = [];
    manager.add(
      defineController({
        name: 'ctx',
        for: 'widgets',
        async reconcile(_key, ctx) {
          seen.push({ bindings: ctx.log.bindings(), now: ctx.now().toISOString(), aborted: ctx.signal.aborted });
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    await manager.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.bindings).toMatchObject({ controller: 'ctx', key: 'default/w' });
    expect(typeof seen[0]!.bindings.reconcileID).toBe('string');
    expect(seen[0]!.now).toBe('2030-05-05T00:00:00.000Z');
    expect(seen[0]!.aborted).toBe(false);
  });

  it('a synchronous throw inside reconcile is captured and retried', async () => {
    const { store, manager } = setup();
    let calls = 0;
    manager.add({
      name: 'sync-throw',
      for: 'widgets',
      reconcile: (() => {
        calls++;
        if (calls === 1) throw new Error('sync');
        return Promise.resolve();
      }) as ControllerDefinition['reconcile'],
    });
    await manager.start();
    store.create(widget('w'));
    await until(() => calls === 2);
  });
});

describe('manager: watch failures', () => {
  it('re-subscribes a failed watch and reconciles what it missed', async () => {
    const registry = createTestKindsRegistry();
    const real = createStore({ registry });
    let failures = 0;
    const flaky = new Proxy(real, {
      get(target, prop) {
        if (prop === 'watch') {
          return (type: string, options?: Parameters<Store['watch']>[1]) => {
            if (/^widgets?$/i.test(type) && failures === 0) {
              failures++;
              return throwError(() => new Error('watch broke'));
            }
            return target.watch(type, options);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Store;
    const manager = createManager({ store: flaky, logger, registry, watchRetryDelayMs: 10 });
    managers.push(manager);
    const r = recorder();
    manager.add(r.def());
    real.create(widget('before'));
    await manager.start();
    await until(() => r.keys.includes('default/before'));
    expect(failures).toBe(1);
    real.create(widget('after'));
    await until(() => r.keys.includes('default/after'));
  });
});

describe('manager: lifecycle', () => {
  it('a controller added after start starts at once', async () => {
    const { store, manager } = setup();
    await manager.start();
    store.create(widget('w'));
    const r = recorder();
    manager.add(r.def({ name: 'late' }));
    await until(() => r.keys.includes('default/w'));
    expect(manager.controllers).toEqual(['late']);
  });


  it('calls setup before any reconcile; hooks.enqueue asks for a reconcile', async () => {
    const { manager } = setup();
    const events: string[] = [];
    let enqueue!: (key: ObjectKey, afterMs?: number) => void;
    manager.add(
      defineController({
        name: 'hooks',
        for: 'widgets',
        setup(hooks) {
          events.push('setup');
          enqueue = hooks.enqueue;
        },
        async reconcile(key) {
          events.push(`reconcile ${key.name}`);
        },
      }),
    );
    await manager.start();
    enqueue({ namespace: 'default', name: 'virtual' });
    await manager.idle();
    expect(events).toEqual(['setup', 'reconcile virtual']);
  });

  it('stop aborts in-flight reconciles, waits for them, then disposes; no reconcile after stop', async () => {
    const { store, manager } = setup();
    const events: string[] = [];
    let started = false;
    manager.add(
      defineController({
        name: 'blocking',
        for: 'widgets',
        async reconcile(_key, ctx) {
          started = true;
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          events.push(`aborted:${isRuntimeError(ctx.signal.reason, 'ERR_MANAGER_STOPPED')}`);
          throw ctx.signal.reason;
        },
        dispose() {
          events.push('dispose');
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    await until(() => started);
    await manager.stop();
    expect(events).toEqual(['aborted:true', 'dispose']);
    store.create(widget('after'));
    await manager.idle();
    expect(events).toEqual(['aborted:true', 'dispose']);
    // Idempotent.
    await manager.stop();
    expect(() => manager.add(defineController({ name: 'late', for: 'widgets', reconcile: async () => {} }))).toThrow(RuntimeError);
  });

  it('stop does not hang on a reconcile that ignores its signal (bounded by stopTimeoutMs)', async () => {
    const { store, manager } = setup({ stopTimeoutMs: 50 });
    let started = false;
    manager.add(
      defineController({
        name: 'stubborn',
        for: 'widgets',
        async reconcile() {
          started = true;
          await sleep(2000);
        },
      }),
    );
    await manager.start();
    store.create(widget('w'));
    await until(() => started);
    const t = performance.now();
    await manager.stop();
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('stop during a slow setup: no sources or workers start, dispose still runs', async () => {
    const { store, manager } = setup();
    let releaseSetup!: () => void;
    const events: string[] = [];
    manager.add(
      defineController({
        name: 'slow-setup',
        for: 'widgets',
        setup: () => new Promise<void>((r) => (releaseSetup = r)),
        async reconcile() {
          events.push('reconcile');
        },
        dispose() {
          events.push('dispose');
        },
      }),
    );
    store.create(widget('w'));
    const starting = manager.start();
    await until(() => releaseSetup !== undefined);
    const stopping = manager.stop();
    releaseSetup();
    await starting;
    await stopping;
    store.create(widget('after'));
    await manager.idle();
    expect(events).toEqual(['dispose']);
  });

  it('rejects duplicate controller names with a stable code', () => {
    const { manager } = setup();
    const def = defineController({ name: 'dup', for: 'widgets', reconcile: async () => {} });
    manager.add(def);
    try {
      manager.add(def);
      expect.unreachable();
    } catch (err) {
      expect(isRuntimeError(err, 'ERR_DUPLICATE_CONTROLLER')).toBe(true);
    }
  });
});

describe('defineController', () => {
  it('returns the definition unchanged when valid', () => {
    const def = { name: 'ok', for: 'Resource', reconcile: async () => {} };
    expect(defineController(def)).toBe(def);
  });

  it('rejects malformed definitions with ERR_INVALID_CONTROLLER naming the problems', () => {
    const bad = [
      { name: 'Bad Name', for: 'x', reconcile: async () => {} },
      { name: 'x', for: '', reconcile: async () => {} },
      { name: 'x', for: 'y' },
      { name: 'x', for: 'y', reconcile: async () => {}, concurrency: 0 },
      { name: 'x', for: 'y', reconcile: async () => {}, watches: [{ type: 'z' }] },
      { name: 'x', for: 'y', reconcile: async () => {}, owns: [''] },
    ];
    for (const def of bad) {
      let caught: unknown;
      try {
        defineController(def as unknown as ControllerDefinition);
      } catch (err) {
        caught = err;
      }
      expect(isRuntimeError(caught, 'ERR_INVALID_CONTROLLER'), JSON.stringify(def)).toBe(true);
    }
  });
});

