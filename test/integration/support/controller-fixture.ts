// Kept for controllers/containers/controller.test.ts. New controller tests: use src/runtime/testing.ts
// (real manager and registry, fake clock) instead.
// Drives one controller's reconcile directly over the real store (no manager, no timers of its own):
// `settle` reconciles the given keys until a pass writes nothing, and `assertSteady` checks that one
// more pass changes nothing (the level-triggered, idempotent contract).
import pino from 'pino';
import type { KubeObject } from '../../../src/api/types.ts';
import { createStore } from '../../../apiserver/store/index.ts';
import type { Store } from '../../../src/api/store.ts';
import { createStoreClient } from '../../../src/runtime/store-client.ts';
import { createEventRecorder } from '../../../src/runtime/events.ts';
import type { Client, ControllerDefinition, ObjectKey, ReconcileResult } from '../../../src/runtime/types.ts';
import { createKindsRegistry } from './kinds-registry.ts';

export interface ControllerFixture {
  store: Store;
  client: Client;
  /** Keys the controller asked to reconcile from background work (hooks.enqueue). */
  enqueued: ObjectKey[];
  reconcile(key: ObjectKey | string): Promise<ReconcileResult | void>;
  /** Reconcile `keys` until a whole pass leaves the store's resourceVersion unchanged. */
  settle(keys: (ObjectKey | string)[], maxPasses?: number): Promise<void>;
  /** Throws when one more pass over `keys` writes anything. */
  assertSteady(keys: (ObjectKey | string)[]): Promise<void>;
  create<T extends KubeObject>(obj: T): T;
  dispose(): Promise<void>;
}

export const NS = 'default';

export async function createControllerFixture(def: ControllerDefinition, store?: Store): Promise<ControllerFixture> {
  const s = store ?? createStore({ registry: createKindsRegistry() });
  const client = createStoreClient(s, { fieldManager: def.name });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const enqueued: ObjectKey[] = [];
  const abort = new AbortController();
  const events = createEventRecorder(client, { component: def.name });
  await def.setup?.({ enqueue: (key) => enqueued.push(key), client, events, log });
  const toKey = (k: ObjectKey | string): ObjectKey => (typeof k === 'string' ? { namespace: NS, name: k } : k);
  const reconcile = (k: ObjectKey | string) =>
    def.reconcile(toKey(k), { client, events, log, signal: abort.signal, now: () => new Date() });
  const pass = async (keys: (ObjectKey | string)[]) => {
    const before = s.resourceVersion();
    for (const k of keys) await reconcile(k);
    return before !== s.resourceVersion();
  };
  return {
    store: s,
    client,
    enqueued,
    reconcile,
    async settle(keys, maxPasses = 10) {
      for (let i = 0; i < maxPasses; i++) if (!(await pass(keys))) return;
      throw new Error(`${def.name}: not settled after ${maxPasses} passes`);
    },
    async assertSteady(keys) {
      if (await pass(keys)) throw new Error(`${def.name}: a second pass over a settled state wrote again`);
    },
    create: (obj) => s.create(obj),
    async dispose() {
      abort.abort();
      await def.dispose?.();
    },
  };
}
