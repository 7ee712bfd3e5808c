// Regression guard (issue 12): what the store keeps per object, counted in bytes of V8 heap after a
// full collection, not timed. 4,000 Resources like bench/api's are created in process (store +
// apphost registry, as the API server does); the heap each adds is the object, its indexes and its
// history event. Measured 2026-12-04 (Node 20.20): ~1,050 bytes an object; it was ~1,650 while
// uids, keys and timestamps were kept as V8 string trees (randomUUID's ~20 parts alone: ~550 bytes)
// and every object kept its own copy of apiVersion. One such regression exceeds the budget.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { KubeObject } from '../../src/api/types.ts';

const OBJECTS = 4000;
const BUDGET_BYTES = 1300;

function resource(i: number): KubeObject {
  return {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name: `guard-${i}`, namespace: 'default', labels: { app: 'guard', shard: String(i % 16) } },
    spec: {
      executable: { command: 'node', args: ['server.js', `--id=${i}`] },
      replicas: 1,
      env: [{ name: 'MODE', value: 'guard' }],
      endpoints: [{ name: 'http', scheme: 'http', env: 'PORT' }],
    },
  };
}

/** A full, synchronous collection; then the heap in use. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory per stored object', () => {
  it(`${OBJECTS} creates keep at most ${BUDGET_BYTES} bytes of heap each`, () => {
    const store = createStore({ registry: createApphostRegistry() });
    // Warm-up: compiled schemas, shapes and the JIT's first allocations are not per object.
    for (let i = 0; i < 200; i++) store.create(resource(OBJECTS + i));
    for (let i = 0; i < 200; i++) store.delete('resources', 'default', `guard-${OBJECTS + i}`);
    const before = heapAfterGc();
    for (let i = 0; i < OBJECTS; i++) store.create(resource(i));
    const after = heapAfterGc();
    const perObject = Math.round((after - before) / OBJECTS);
    console.log(`heap per stored object: ${perObject} bytes (${OBJECTS} objects)`);
    // The objects are really there (a guard that measures an empty store proves nothing).
    expect(store.list('resources', { namespace: 'default' }).items).toHaveLength(OBJECTS);
    expect(perObject).toBeGreaterThan(300);
    expect(perObject).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
