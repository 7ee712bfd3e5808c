// API benchmark, one command: `node bin/run-ts.js bench/api/run.ts [objects]`.
// 1. In-process: create, update, delete N Resources through the store with 10 watchers (child process).
// 2. HTTP: the same through @kubernetes/client-node against the HTTPS server (server in a child
//    process, this process is the writing client), 64 requests in flight over keep-alive
//    connections, 10 client-node Watches attached from a third process (as controllers would be).
//    Delivery = watcher receipt - commit time recorded in the server (same machine clock).
// Prints the figures against the targets and writes bench/api/last-result.json.
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/api/types.ts';
import type { ParentMessage, ServerMessage } from './server.ts';
import type { WatchersCommand, WatchersMessage } from './watchers.ts';
import { child, nextMessage, ROOT } from './children.ts';
import { overPlainHttps, printPlainHttps } from './plain-https.ts';
import { combine, cpuMs, phase, resource, round, serverCpuRate, stats, updated, type RunResult } from './workload.ts';

const N = Number(process.argv[2] ?? process.env['BENCH_OBJECTS'] ?? 10_000);
const WATCHERS = Number(process.env['BENCH_WATCHERS'] ?? 10);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const PATH = '/apis/apphost.dev/v1/namespaces/default/resources';

const PACED_RATE = 500;
const PACED_WRITES = 1500;
const TARGETS = { inProcessWritesPerSecond: 50_000, httpWritesPerSecond: 2_000, plainHttpsWritesPerSecond: 3_000, deliveryP99Ms: 10, rssMb: 150 };

async function inProcess(): Promise<RunResult> {
  const proc = child('in-process.ts', [String(N), String(WATCHERS)]);
  return nextMessage<RunResult>(proc);
}

/** client-node 2.0.1 builds a new undici Agent (so a new TLS connection) per request; reuse one. */
function keepAlive(kc: k8s.KubeConfig): void {
  const target = kc as unknown as { createDispatcher: (...args: unknown[]) => unknown };
  const original = target.createDispatcher.bind(kc);
  let dispatcher: unknown;
  target.createDispatcher = (...args: unknown[]) => (dispatcher ??= original(...args));
}

function avgCpu(phases: RunResult['phases'], key: 'serverCpuMsPerWrite' | 'clientCpuMsPerWrite'): number {
  const ps = [phases.create, phases.update, phases.delete];
  return ps.reduce((sum, p) => sum + (p[key] ?? 0) * p.writes, 0) / ps.reduce((sum, p) => sum + p.writes, 0);
}

const k = (o: KubeObject) => o as unknown as k8s.KubernetesObject;

async function pool(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
}

async function overHttp(): Promise<RunResult> {
  const server = child('server.ts');
  const ask = async <T extends ServerMessage>(m: ParentMessage, type: T['type']): Promise<T> => {
    const reply = nextMessage<T>(server, type);
    server.send(m);
    return reply;
  };
  let watchersProc: ChildProcess | undefined;
  try {
    const ready = await nextMessage<Extract<ServerMessage, { type: 'ready' }>>(server, 'ready');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(ready.kubeconfig);
    keepAlive(kc);
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);

    // Warm-up (discovery, connections, JIT on both sides), then watchers from the current version.
    await pool(500, async (i) => void (await api.create(k(resource(1_000_000 + i)))));
    await pool(500, async (i) => void (await api.delete(k(resource(1_000_000 + i)))));
    const rv = (await api.list('apphost.dev/v1', 'Resource', 'default', undefined, undefined, undefined, undefined, undefined, 1)).metadata!.resourceVersion!;
    await ask({ type: 'commits' }, 'commits'); // drop warm-up commits

    const watchers = (watchersProc = child('watchers.ts', [ready.kubeconfig, PATH, rv, String(WATCHERS), String(N * 3 + PACED_WRITES + 1000)]));
    await nextMessage(watchers, 'watching');
    const askWatchers = async <T extends WatchersMessage>(m: WatchersCommand, type: T['type']): Promise<T> => {
      const reply = nextMessage<T>(watchers, type);
      watchers.send(m);
      return reply;
    };

    type Stats = Extract<ServerMessage, { type: 'stats' }>;
    const serverStats = (gc = false) => ask<Stats>({ type: 'stats', gc }, 'stats');
    watchers.send({ type: 'start' } satisfies WatchersCommand);
    const all: number[] = [];
    const load0 = os.loadavg()[0]!;
    const run = async (write: (i: number) => Promise<void>) => {
      const lat: number[] = new Array(N);
      const s0 = (await serverStats()).cpuMs;
      const c0 = cpuMs();
      const t0 = performance.now();
      await pool(N, async (i) => {
        const s = performance.now();
        await write(i);
        lat[i] = performance.now() - s;
      });
      const seconds = (performance.now() - t0) / 1000;
      const clientCpu = cpuMs() - c0;
      const serverCpu = (await serverStats()).cpuMs - s0;
      all.push(...lat);
      return phase(lat, seconds, serverCpu, clientCpu);
    };

    const current: KubeObject[] = new Array(N);
    const create = await run(async (i) => {
      current[i] = (await api.create(k(resource(i)))) as KubeObject;
    });
    const mem = await serverStats(true);
    const update = await run(async (i) => {
      current[i] = (await api.replace(k(updated(current[i]!)))) as KubeObject;
    });
    const del = await run(async (i) => {
      await api.delete(k(current[i]!));
    });

    // Let the last events arrive, then match receipts with commit times (in the watchers' process).
    const expected = N * 3;
    const t0 = Date.now();
    for (;;) {
      const { received } = await askWatchers<Extract<WatchersMessage, { type: 'counts' }>>({ type: 'counts' }, 'counts');
      if (received.every((n) => n >= expected) || Date.now() - t0 > 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    type Delivery = Extract<WatchersMessage, { type: 'delivery' }>;
    const commits = (await ask<Extract<ServerMessage, { type: 'commits' }>>({ type: 'commits' }, 'commits')).commits;
    const { deliveryMs, delivered, cpuMs: watchersCpu } = await askWatchers<Delivery>({ type: 'commits', commits }, 'delivery');

    // Delivery when the server is not saturated: creates paced at PACED_RATE writes/s, one at a time.
    const pacedStart = performance.now();
    for (let i = 0; i < PACED_WRITES; i++) {
      const due = pacedStart + (i * 1000) / PACED_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      void api.create(k(resource(2_000_000 + i)));
    }
    const t1 = Date.now();
    for (;;) {
      const { received } = await askWatchers<Extract<WatchersMessage, { type: 'counts' }>>({ type: 'counts' }, 'counts');
      if (received.every((n) => n >= expected + PACED_WRITES) || Date.now() - t1 > 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pacedCommits = (await ask<Extract<ServerMessage, { type: 'commits' }>>({ type: 'commits' }, 'commits')).commits;
    const paced = await askWatchers<Delivery>({ type: 'commits', commits: pacedCommits }, 'delivery');
    const phases = { create, update, delete: del };
    return {
      objects: N,
      watchers: WATCHERS,
      concurrency: CONCURRENCY,
      phases,
      ...combine(phases, all),
      deliveryMs,
      pacedDelivery: { writesPerSecond: PACED_RATE, writes: PACED_WRITES, deliveryMs: paced.deliveryMs, eventsDelivered: paced.delivered },
      eventsDelivered: delivered,
      eventsExpected: expected * WATCHERS,
      rssMbAtObjects: round(mem.rss / 2 ** 20, 1),
      heapMbAtObjects: round(mem.heapUsed / 2 ** 20, 1),
      heapTotalMbAtObjects: round(mem.heapTotal / 2 ** 20, 1),
      memoryAtObjects: mem.memory,
      writesPerServerCpuSecond: serverCpuRate(phases),
      watchersCpuMsPerWrite: round(watchersCpu / (3 * N), 4),
      idleMachineEstimateWritesPerSecond: Math.round(2000 / (avgCpu(phases, 'serverCpuMsPerWrite') + avgCpu(phases, 'clientCpuMsPerWrite') + watchersCpu / (3 * N))),
      loadAverage: [round(load0, 2), round(os.loadavg()[0]!, 2)],
    };
  } finally {
    watchersProc?.kill();
    server.send({ type: 'stop' });
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
  }
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function print(name: string, r: RunResult, writesTarget: number): boolean[] {
  const checks = [r.writesPerSecond >= writesTarget, r.deliveryMs.p99 <= TARGETS.deliveryP99Ms, r.rssMbAtObjects <= TARGETS.rssMb];
  console.log(`\n${name}: ${r.objects} objects, ${r.watchers} watchers${r.concurrency ? `, ${r.concurrency} in flight` : ''}`);
  for (const [p, v] of Object.entries(r.phases)) {
    const cpu = `server CPU ${v.serverCpuMsPerWrite} ms/write${v.clientCpuMsPerWrite !== undefined ? `, client CPU ${v.clientCpuMsPerWrite} ms/write` : ''}`;
    console.log(`  ${p.padEnd(7)} ${String(v.writesPerSecond).padStart(8)} writes/s   latency p50 ${v.latencyMs.p50} ms  p99 ${v.latencyMs.p99} ms   ${cpu}`);
  }
  console.log(`  writes/s         ${r.writesPerSecond}  (target >= ${writesTarget}) ${verdict(checks[0]!)}`);
  console.log(`  per CPU second   ${r.writesPerServerCpuSecond} writes (one uncontended core; load average ${r.loadAverage?.join(' -> ')})`);
  if (r.pacedDelivery) {
    const p = r.pacedDelivery;
    console.log(`  delivery at ${p.writesPerSecond} writes/s (not saturated): p50 ${p.deliveryMs.p50} ms  p99 ${p.deliveryMs.p99} ms  [${p.eventsDelivered} events]`);
  }
  if (r.idleMachineEstimateWritesPerSecond !== undefined) {
    console.log(`  watchers CPU     ${r.watchersCpuMsPerWrite} ms/write; idle 2-core estimate ${r.idleMachineEstimateWritesPerSecond} writes/s (CPU-bound, not measured)`);
  }
  console.log(`  write latency    p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms`);
  console.log(`  watch delivery   p50 ${r.deliveryMs.p50} ms  p99 ${r.deliveryMs.p99} ms  (target p99 <= ${TARGETS.deliveryP99Ms} ms) ${verdict(checks[1]!)}  [${r.eventsDelivered}/${r.eventsExpected} events]`);
  console.log(`  RSS at ${r.objects}  ${r.rssMbAtObjects} MB (heap used ${r.heapMbAtObjects} MB${r.heapTotalMbAtObjects !== undefined ? `, reserved ${r.heapTotalMbAtObjects} MB` : ''})  (target <= ${TARGETS.rssMb} MB) ${verdict(checks[2]!)}`);
  if (r.memoryAtObjects) {
    const m = r.memoryAtObjects;
    const spaces = Object.entries(m.spaces).map(([k, [c, u]]) => `${k.replace(/_space$/, '')} ${c}/${u}`).join(', ');
    console.log(`  memory (MiB)     RSS anonymous ${m.rssAnon} (brk heap ${m.anon.brk}, other ${m.anon.other}), file-backed ${m.rssFile}; ${m.threads} threads; V8 spaces committed/used: ${spaces}`);
  }
  return checks;
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()}/${os.arch()}` };
console.log(`apphost API benchmark on ${machine.cpus} x ${machine.cpu}, Node ${machine.node}`);
// BENCH_ONLY=plain runs only the plain https run (for profiling the server: BENCH_PROF=<dir>).
// BENCH_ONLY=http runs only the client-node run (where the server's RSS at N objects is measured).
const only = process.env['BENCH_ONLY'];
const runs = (name: string) => only === undefined || only === name;
const inProc = runs('inprocess') ? await inProcess() : undefined;
const inChecks = inProc ? print('in-process store', inProc, TARGETS.inProcessWritesPerSecond) : [];
const http = runs('http') ? await overHttp() : undefined;
const httpChecks = http ? print('HTTPS + @kubernetes/client-node', http, TARGETS.httpWritesPerSecond) : [];
const plain = runs('plain') ? await overPlainHttps(N, WATCHERS, PATH) : undefined;
const plainChecks = plain ? printPlainHttps(plain, { writesPerSecond: TARGETS.plainHttpsWritesPerSecond, deliveryP99Ms: TARGETS.deliveryP99Ms }) : [];
const result = { date: new Date().toISOString(), machine, nodeFlags: process.env['BENCH_NODE_FLAGS'] ?? '', targets: TARGETS, inProcess: inProc, http, plainHttps: plain, allTargetsMet: [...inChecks, ...httpChecks, ...plainChecks].every(Boolean) };
await writeFile(`${ROOT}bench/api/${only ? `last-result-${only}.json` : 'last-result.json'}`, JSON.stringify(result, null, 2) + '\n');
console.log(`\nall targets met: ${result.allTargetsMet}; written to bench/api/last-result${only ? `-${only}` : ''}.json`);
