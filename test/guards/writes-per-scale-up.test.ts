// Regression guard (issue 12): how many store writes a scale-up costs, per added replica and per
// kind. Not a timed test: the count does not depend on the machine. A change that adds writes to
// the scale-up path (a status written twice, a status echo loop) fails here with the kind named.
import { afterAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/api/types.ts';
import { echoResource, startTestApphost, type TestApphost } from '../integration/support/harness.ts';

const KINDS = ['Resource', 'Replica', 'Endpoint', 'Proxy', 'Event'] as const;
const ADDED = 20;
/**
 * Measured 2026-12-03 on a loaded 2-core machine: Replica 80-81 (create, finalizer, running, ready:
 * 4 each), Event 41 (Started and Ready each, plus Scaled), Resource 5-17, Endpoint 4-16, Proxy 6-32
 * (batched: spec.backends, status.readyBackends and counters change with each wave of ready
 * replicas, not once per replica; the spread is timing). Budgets keep that headroom, but one write
 * per replica more on any kind (+20) breaks them.
 */
const BUDGET: Record<(typeof KINDS)[number], number> = { Replica: 85, Event: 45, Resource: 25, Endpoint: 25, Proxy: 40 };

describe('writes per scale-up', () => {
  let t: TestApphost | undefined;
  afterAll(() => t?.close());

  it(`scaling 1 -> ${1 + ADDED} replicas stays within its write budget`, async () => {
    t = await startTestApphost([echoResource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }], healthCheck: { endpoint: 'http', path: '/' } })]);
    await t.waitReady('api', 1);
    await t.waitEndpoint('api-http', 1);
    const writes: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
    const subs = KINDS.map((kind) =>
      t!.app.store.watch(kind).subscribe((ev) => {
        if (ev.type !== 'BOOKMARK') writes[kind]!++;
      }),
    );
    // Only what the scale causes: the initial lists are not writes.
    for (const k of KINDS) writes[k] = 0;
    const cur = t.resource('api')!;
    await t.app.apply([{ ...structuredClone(cur), status: undefined, spec: { ...cur.spec, replicas: 1 + ADDED } } as Resource]);
    await t.waitReady('api', 1 + ADDED, 60_000);
    await t.waitEndpoint('api-http', 1 + ADDED, 30_000);
    // Let trailing status writes (counters, conditions) land before counting.
    await new Promise((r) => setTimeout(r, 1000));
    for (const s of subs) s.unsubscribe();
    const perReplica = Object.fromEntries(KINDS.map((k) => [k, Math.round((writes[k]! / ADDED) * 10) / 10]));
    console.log(`writes per added replica: ${JSON.stringify(perReplica)} (total ${JSON.stringify(writes)})`);
    const over = KINDS.filter((k) => writes[k]! > BUDGET[k]).map((k) => `${k}: ${writes[k]} writes > budget ${BUDGET[k]}`);
    expect(over).toEqual([]);
    // And the scale-up did happen through each kind (a guard that counts nothing proves nothing).
    expect(writes.Replica).toBeGreaterThanOrEqual(ADDED * 2);
  }, 120_000);
});
