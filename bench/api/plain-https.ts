// The HTTPS run without client-node on the writing side: a plain Node `https` client (one keep-alive
// Agent, PLAIN_CONCURRENCY creates in flight) so the figures are the server's, not client-node's.
// Creates only (the target); then delivery with creates paced at PACED_RATE writes/s.
// The watchers are the same client-node Watches in their own process as in the client-node run.
import type { ChildProcess } from 'node:child_process';
import https from 'node:https';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../src/api/types.ts';
import { child, nextMessage } from './children.ts';
import type { ParentMessage, ServerMessage } from './server.ts';
import type { WatchersCommand, WatchersMessage } from './watchers.ts';
import { cpuMs, phase, resource, round, stats, type PhaseResult, type Stats } from './workload.ts';

export const PLAIN_CONCURRENCY = Number(process.env['BENCH_PLAIN_CONCURRENCY'] ?? 32);
export const PLAIN_PACED_RATE = 1000;
const PACED_WRITES = 2000;

export interface PlainHttpsResult {
  objects: number;
  watchers: number;
  concurrency: number;
  create: PhaseResult;
  /** Server CPU per write during the creates: the figure to compare on a shared machine. */
  serverCpuMsPerWrite: number;
  /** CPU of the watchers' process per create (client-node Watches, all in one process). */
  watchersCpuMsPerWrite: number;
  /** 2 cores / (server + client + watchers CPU per create): an estimate for an idle machine, not a measurement. */
  idleMachineEstimateWritesPerSecond: number;
  deliveryMs: Stats;
  pacedDelivery: { writesPerSecond: number; writes: number; achievedWritesPerSecond: number; deliveryMs: Stats; eventsDelivered: number };
  loadAverage: [number, number];
}

interface Client {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  close(): void;
}

function plainClient(ready: Extract<ServerMessage, { type: 'ready' }>): Client {
  const agent = new https.Agent({ keepAlive: true, maxSockets: PLAIN_CONCURRENCY, ca: ready.caPem });
  const base = new URL(ready.url);
  return {
    request: (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request(
          {
            agent,
            hostname: base.hostname,
            port: base.port,
            method,
            path,
            headers: { authorization: `Bearer ${ready.token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}

export async function overPlainHttps(n: number, watcherCount: number, path: string): Promise<PlainHttpsResult> {
  const server = child('server.ts');
  let watchers: ChildProcess | undefined;
  let client: Client | undefined;
  const ask = async <T extends ServerMessage>(m: ParentMessage, type: T['type']): Promise<T> => {
    const reply = nextMessage<T>(server, type);
    server.send(m);
    return reply;
  };
  try {
    const ready = await nextMessage<Extract<ServerMessage, { type: 'ready' }>>(server, 'ready');
    const api = (client = plainClient(ready));
    const create = async (obj: KubeObject) => {
      const r = await api.request('POST', path, obj);
      if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.body.slice(0, 200)}`);
    };
    const pool = async (count: number, work: (i: number) => Promise<void>) => {
      let next = 0;
      const worker = async () => {
        while (next < count) await work(next++);
      };
      await Promise.all(Array.from({ length: Math.min(PLAIN_CONCURRENCY, count) }, worker));
    };

    // Warm-up: connections, JIT on both sides; then the watchers from the current version.
    await pool(500, (i) => create(resource(1_000_000 + i)));
    await pool(500, async (i) => void (await api.request('DELETE', `${path}/bench-${1_000_000 + i}`)));
    const rv = (JSON.parse((await api.request('GET', `${path}?limit=1`)).body) as KubeObject).metadata.resourceVersion!;
    await ask({ type: 'commits' }, 'commits');
    const expected = n + PACED_WRITES;
    watchers = child('watchers.ts', [ready.kubeconfig, path, rv, String(watcherCount), String(expected + 1000)]);
    await nextMessage(watchers, 'watching');
    const w = watchers;
    const askWatchers = async <T extends WatchersMessage>(m: WatchersCommand, type: T['type']): Promise<T> => {
      const reply = nextMessage<T>(w, type);
      w.send(m);
      return reply;
    };
    const serverCpu = async () => (await ask<Extract<ServerMessage, { type: 'stats' }>>({ type: 'stats' }, 'stats')).cpuMs;
    const settle = async (count: number) => {
      const t0 = Date.now();
      for (;;) {
        const { received } = await askWatchers<Extract<WatchersMessage, { type: 'counts' }>>({ type: 'counts' }, 'counts');
        if (received.every((r) => r >= count) || Date.now() - t0 > 10_000) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    type Delivery = Extract<WatchersMessage, { type: 'delivery' }>;
    const delivery = async () => {
      const commits = (await ask<Extract<ServerMessage, { type: 'commits' }>>({ type: 'commits' }, 'commits')).commits;
      return askWatchers<Delivery>({ type: 'commits', commits }, 'delivery');
    };
    w.send({ type: 'start' } satisfies WatchersCommand);

    const load0 = os.loadavg()[0]!;
    const lat: number[] = new Array(n);
    const s0 = await serverCpu();
    const c0 = cpuMs();
    const t0 = performance.now();
    await pool(n, async (i) => {
      const s = performance.now();
      await create(resource(i));
      lat[i] = performance.now() - s;
    });
    const seconds = (performance.now() - t0) / 1000;
    const createPhase = phase(lat, seconds, (await serverCpu()) - s0, cpuMs() - c0);
    await settle(n);
    const saturated = await delivery();

    // Paced: one create every 1/PLAIN_PACED_RATE s, not awaited (the Agent keeps up to 32 sockets).
    const pending: Promise<void>[] = [];
    const p0 = performance.now();
    for (let i = 0; i < PACED_WRITES; i++) {
      const wait = p0 + (i * 1000) / PLAIN_PACED_RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(create(resource(2_000_000 + i)));
    }
    const pacedSeconds = (performance.now() - p0) / 1000;
    await Promise.all(pending);
    await settle(expected);
    const paced = await delivery();
    return {
      objects: n,
      watchers: watcherCount,
      concurrency: PLAIN_CONCURRENCY,
      create: createPhase,
      serverCpuMsPerWrite: createPhase.serverCpuMsPerWrite!,
      watchersCpuMsPerWrite: round(saturated.cpuMs / n, 4),
      idleMachineEstimateWritesPerSecond: Math.round(2000 / (createPhase.serverCpuMsPerWrite! + createPhase.clientCpuMsPerWrite! + saturated.cpuMs / n)),
      deliveryMs: saturated.deliveryMs,
      pacedDelivery: {
        writesPerSecond: PLAIN_PACED_RATE,
        writes: PACED_WRITES,
        achievedWritesPerSecond: Math.round(PACED_WRITES / pacedSeconds),
        deliveryMs: paced.deliveryMs,
        eventsDelivered: paced.delivered,
      },
      loadAverage: [round(load0, 2), round(os.loadavg()[0]!, 2)],
    };
  } finally {
    client?.close();
    watchers?.kill();
    server.send({ type: 'stop' });
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
  }
}

export function printPlainHttps(r: PlainHttpsResult, targets: { writesPerSecond: number; deliveryP99Ms: number }): boolean[] {
  const c = r.create;
  const checks = [c.writesPerSecond >= targets.writesPerSecond, r.pacedDelivery.deliveryMs.p99 <= targets.deliveryP99Ms];
  const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(`\nHTTPS + plain node:https keep-alive client: ${r.objects} creates, ${r.watchers} watchers, ${r.concurrency} in flight`);
  console.log(`  create  ${c.writesPerSecond} writes/s (wall; target >= ${targets.writesPerSecond}) ${mark(checks[0]!)}   latency p50 ${c.latencyMs.p50} ms  p99 ${c.latencyMs.p99} ms`);
  console.log(`  CPU     server ${c.serverCpuMsPerWrite} ms/write (= ${Math.round(1000 / c.serverCpuMsPerWrite!)} writes per server CPU second), client ${c.clientCpuMsPerWrite}, watchers ${r.watchersCpuMsPerWrite} ms/write; idle 2-core estimate ${r.idleMachineEstimateWritesPerSecond} writes/s (not measured); load average ${r.loadAverage.join(' -> ')}`);
  console.log(`  delivery saturated p50 ${r.deliveryMs.p50} ms  p99 ${r.deliveryMs.p99} ms`);
  const p = r.pacedDelivery;
  console.log(`  delivery at ${p.writesPerSecond} writes/s (achieved ${p.achievedWritesPerSecond}): p50 ${p.deliveryMs.p50} ms  p99 ${p.deliveryMs.p99} ms (target <= ${targets.deliveryP99Ms} ms) ${mark(checks[1]!)}  [${p.eventsDelivered} events]`);
  return checks;
}
