// A test fixture for controllers: the real store, one or more controllers run by a real Manager,
// "reconcile to steady state" (settle) and "a second pass writes nothing" (assertSteady).
// Use a fake clock (the default) so requeue-after and backoff timers fire only on `advance`.
import pino, { type Logger } from 'pino';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { Registry } from '../../src/api/registry.ts';
import type { Store } from '../../src/api/store.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { createFakeClock, type Clock, type FakeClock } from '../../src/runtime/clock.ts';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { keyOf } from '../../src/runtime/keys.ts';
import { createManager, type Manager } from '../../src/runtime/manager.ts';
import type { ReconcileOutcome } from '../../src/runtime/reconcile-wrapper.ts';
import { createStoreClient } from '../../src/runtime/store-client.ts';
import type { Client, ControllerDefinition } from '../../src/runtime/types.ts';

export interface ControllerFixtureOptions {
  controllers: ControllerDefinition[];
  /**
   * Default: the real registry (crds/ plus the built-in validators), so writes are admitted exactly as
   * in production. `createApphostKindsRegistry()` (test-kinds.ts) is a schema-free alternative.
   */
  registry?: Registry;
  store?: Store;
  /** Default: a fake clock (advance it with `fixture.advance`). */
  clock?: Clock;
  logger?: Logger;
  /** Per settle. Default 10 s. */
  settleTimeoutMs?: number;
}

export interface ReconcileRecord {
  controller: string;
  key: string;
  outcome: ReconcileOutcome;
}

export interface ControllerFixture {
  store: Store;
  registry: Registry;
  client: Client;
  manager: Manager;
  clock: Clock;
  /** Every finished reconcile, in order. */
  reconciles: ReconcileRecord[];
  /** Create, or replace the spec (and labels/annotations) of an existing object, then settle. */
  apply<T extends KubeObject>(obj: T): Promise<T>;
  /** Wait until every controller's queue is empty and nothing runs. Throws on reconcile errors when `strict`. */
  settle(): Promise<void>;
  /** Move the fake clock (firing timers: requeue-after, backoff, background loops) and settle. */
  advance(ms: number): Promise<void>;
  /**
   * Reconcile every object of every controller's `for` kind once more and throw ERR_NOT_STEADY, naming
   * the objects that changed, when that pass wrote anything.
   */
  assertSteady(): Promise<void>;
  /** Reconcile outcomes of kind 'error' or 'terminal' since the start (or the last clear). */
  errors(): ReconcileRecord[];
  stop(): Promise<void>;
}

export async function createControllerFixture(options: ControllerFixtureOptions): Promise<ControllerFixture> {
  const registry = options.registry ?? createApphostRegistry();
  const clock = options.clock ?? createFakeClock();
  const store = options.store ?? createStore({ registry, now: () => clock.now() });
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const reconciles: ReconcileRecord[] = [];
  const manager = createManager({
    store,
    logger,
    clock,
    registry,
    onReconcile: (e) => reconciles.push(e),
  });
  for (const def of options.controllers) manager.add(def);
  await manager.start();
  const client = createStoreClient(store, { fieldManager: 'test' });
  const settleTimeoutMs = options.settleTimeoutMs ?? 10_000;
  const settle = () => manager.idle({ timeoutMs: settleTimeoutMs });

  function snapshot(): Map<string, string> {
    const out = new Map<string, string>();
    for (const info of registry.list()) {
      for (const obj of store.list(info.key).items) {
        out.set(`${info.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj.metadata.resourceVersion ?? '');
      }
    }
    return out;
  }

  const fixture: ControllerFixture = {
    store,
    registry,
    client,
    manager,
    clock,
    reconciles,
    async apply(obj) {
      const existing = store.tryGet(obj.kind, obj.metadata.namespace, obj.metadata.name);
      let result: KubeObject;
      if (!existing) result = store.create(obj);
      else {
        const { status: _status, ...rest } = obj;
        result = store.update({
          ...existing,
          ...rest,
          metadata: {
            ...existing.metadata,
            labels: obj.metadata.labels ?? existing.metadata.labels,
            annotations: obj.metadata.annotations ?? existing.metadata.annotations,
          },
        });
      }
      await settle();
      return store.get(result.kind, result.metadata.namespace, result.metadata.name) as typeof obj;
    },
    settle,
    async advance(ms) {
      if (!('advance' in clock)) throw new RuntimeError('ERR_NOT_SETTLED', 'advance needs a fake clock');
      await settle();
      (clock as FakeClock).advance(ms);
      await settle();
    },
    async assertSteady() {
      await settle();
      const before = snapshot();
      const rv = store.resourceVersion();
      for (const def of options.controllers) {
        for (const obj of store.list(def.for).items) manager.enqueue(def.name, keyOf(obj));
      }
      await settle();
      if (store.resourceVersion() === rv) return;
      const after = snapshot();
      const changed: string[] = [];
      for (const [k, v] of after) if (before.get(k) !== v) changed.push(before.has(k) ? `${k} (updated)` : `${k} (created)`);
      for (const k of before.keys()) if (!after.has(k)) changed.push(`${k} (deleted)`);
      throw new RuntimeError('ERR_NOT_STEADY', `a second reconcile pass wrote again: ${changed.join(', ') || 'resourceVersion moved'}`);
    },
    errors: () => reconciles.filter((r) => r.outcome.kind === 'error' || r.outcome.kind === 'terminal'),
    stop: () => manager.stop(),
  };
  await settle();
  return fixture;
}
