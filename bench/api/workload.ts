// The benchmark's objects and statistics, shared by the in-process and HTTP runs.
import type { KubeObject } from '../../src/api/types.ts';
import type { MemoryDetail } from './server.ts';

export const NAMESPACE = 'default';

export function resource(i: number): KubeObject {
  return {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name: `bench-${i}`, namespace: NAMESPACE, labels: { app: 'bench', shard: String(i % 16) } },
    spec: {
      executable: { command: 'node', args: ['server.js', `--id=${i}`] },
      replicas: 1,
      env: [{ name: 'MODE', value: 'bench' }],
      endpoints: [{ name: 'http', scheme: 'http', env: 'PORT' }],
    },
  };
}

/**
 * The same object with a spec change (bumps generation). A shallow copy: the store clones what it is
 * given, so the benchmark does not pay for a deep clone the store would repeat.
 */
export function updated(obj: KubeObject): KubeObject {
  return { ...obj, spec: { ...(obj.spec as Record<string, unknown>), env: [{ name: 'MODE', value: 'bench-updated' }] } };
}

export interface Stats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface PhaseResult {
  writes: number;
  seconds: number;
  writesPerSecond: number;
  latencyMs: Stats;
  /** CPU time the store (or the server process) spent per write: robust to other load on the box. */
  serverCpuMsPerWrite?: number;
  /** CPU time of the client process per write (HTTP run). */
  clientCpuMsPerWrite?: number;
}

export interface RunResult {
  objects: number;
  watchers: number;
  concurrency?: number;
  phases: { create: PhaseResult; update: PhaseResult; delete: PhaseResult };
  writesPerSecond: number;
  latencyMs: Stats;
  deliveryMs: Stats;
  /** Events the watchers received / events expected (objects x 3 x watchers). */
  eventsDelivered: number;
  eventsExpected: number;
  rssMbAtObjects: number;
  heapMbAtObjects: number;
  /** V8 heap reserved (used + free pages) at N objects; RSS minus this is code, native and the loader thread. */
  heapTotalMbAtObjects?: number;
  /** HTTP run: the server's memory at N objects in detail (bench/api/server.ts). */
  memoryAtObjects?: MemoryDetail;
  /** Writes per second of server CPU time: what one uncontended core would sustain. */
  writesPerServerCpuSecond?: number;
  /** HTTP run: delivery of creates paced well below saturation (one request at a time). */
  pacedDelivery?: { writesPerSecond: number; writes: number; deliveryMs: Stats; eventsDelivered: number };
  /** CPU of the 10 watchers (all in one process) per write, HTTP run. */
  watchersCpuMsPerWrite?: number;
  /**
   * HTTP run: 2 cores / (server + client + watchers CPU per write). What this workload would reach
   * on an otherwise idle 2-core machine if the three processes kept both cores busy; an estimate.
   */
  idleMachineEstimateWritesPerSecond?: number;
  /** 1-minute load average before and after the run (other work on the machine skews wall-clock figures). */
  loadAverage?: [number, number];
}

export function phase(latencies: number[], seconds: number, serverCpuMs?: number, clientCpuMs?: number): PhaseResult {
  const n = latencies.length;
  return {
    writes: n,
    seconds: round(seconds),
    writesPerSecond: Math.round(n / seconds),
    latencyMs: stats(latencies),
    ...(serverCpuMs !== undefined ? { serverCpuMsPerWrite: round(serverCpuMs / n, 4) } : {}),
    ...(clientCpuMs !== undefined ? { clientCpuMsPerWrite: round(clientCpuMs / n, 4) } : {}),
  };
}

export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

export function serverCpuRate(phases: RunResult['phases']): number {
  let writes = 0;
  let ms = 0;
  for (const p of [phases.create, phases.update, phases.delete]) {
    writes += p.writes;
    ms += (p.serverCpuMsPerWrite ?? NaN) * p.writes;
  }
  return Math.round(writes / (ms / 1000));
}

export function combine(phases: RunResult['phases'], all: number[]): { writesPerSecond: number; latencyMs: Stats } {
  const writes = phases.create.writes + phases.update.writes + phases.delete.writes;
  const seconds = phases.create.seconds + phases.update.seconds + phases.delete.seconds;
  return { writesPerSecond: Math.round(writes / seconds), latencyMs: stats(all) };
}
