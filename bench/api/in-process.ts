// The in-process half of the benchmark, run as a child process for a clean RSS: create, update and
// delete N Resources through the store with 10 watchers subscribed. Sends its RunResult to the parent.
import { performance } from 'node:perf_hooks';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import os from 'node:os';
import { combine, cpuMs, phase, resource, round, serverCpuRate, stats, updated, type RunResult } from './workload.ts';

const N = Number(process.argv[2] ?? 10_000);
const WATCHERS = Number(process.argv[3] ?? 10);

const load0 = os.loadavg()[0]!;
const registry = createApphostRegistry();
const store = createStore({ registry });

// Warm-up: compile schemas and JIT the write path on objects that are deleted again.
for (let i = 0; i < 200; i++) store.create(resource(1_000_000 + i));
for (let i = 0; i < 200; i++) store.delete('resources', 'default', `bench-${1_000_000 + i}`);

let writeStart = 0;
const delivery: number[] = [];
let delivered = 0;
const subs = [];
for (let w = 0; w < WATCHERS; w++) {
  subs.push(
    store.watch('resources', { resourceVersion: store.resourceVersion() }).subscribe(() => {
      delivered++;
      delivery.push(performance.now() - writeStart);
    }),
  );
}

const all: number[] = [];
function run(write: (i: number) => void): ReturnType<typeof phase> {
  const lat: number[] = new Array(N);
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < N; i++) {
    writeStart = performance.now();
    write(i);
    lat[i] = performance.now() - writeStart;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs() - c0;
  all.push(...lat);
  return phase(lat, seconds, cpu);
}

const current: KubeObject[] = new Array(N);
const create = run((i) => {
  current[i] = store.create(resource(i));
});
globalThis.gc?.();
const mem = process.memoryUsage();
const update = run((i) => {
  current[i] = store.update(updated(current[i]!));
});
const del = run((i) => {
  store.delete('resources', 'default', `bench-${i}`);
});
for (const s of subs) s.unsubscribe();

const phases = { create, update, delete: del };
const result: RunResult = {
  objects: N,
  watchers: WATCHERS,
  phases,
  ...combine(phases, all),
  deliveryMs: stats(delivery),
  eventsDelivered: delivered,
  eventsExpected: N * 3 * WATCHERS,
  rssMbAtObjects: round(mem.rss / 2 ** 20, 1),
  heapMbAtObjects: round(mem.heapUsed / 2 ** 20, 1),
  heapTotalMbAtObjects: round(mem.heapTotal / 2 ** 20, 1),
  writesPerServerCpuSecond: serverCpuRate(phases),
  loadAverage: [round(load0, 2), round(os.loadavg()[0]!, 2)],
};
process.send!(result, () => process.exit(0));
