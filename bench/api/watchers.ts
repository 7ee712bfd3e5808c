// The watchers of the HTTP benchmark, in their own process like real controllers: N client-node
// Watches from one resourceVersion, each receipt timed. Given the server's commit times at the end,
// it answers with delivery statistics.
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { cpuMs, stats, type Stats } from './workload.ts';

export type WatchersMessage =
  | { type: 'watching' }
  | { type: 'counts'; received: number[] }
  | { type: 'delivery'; deliveryMs: Stats; delivered: number; cpuMs: number };
export type WatchersCommand = { type: 'start' } | { type: 'counts' } | { type: 'commits'; commits: [string, number][] };

const [kubeconfig, path, resourceVersion, count] = process.argv.slice(2) as [string, string, string, string];
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);

// Receipts in preallocated typed arrays (resourceVersion, time), so the measuring process itself
// makes next to no garbage: GC pauses here would show up as delivery latency.
const CAPACITY = Number(process.argv[6] ?? 100_000);
const rvs: Float64Array[] = [];
const times: Float64Array[] = [];
const counts: number[] = [];
let startCpu = cpuMs();
const aborts: AbortController[] = [];
for (let w = 0; w < Number(count); w++) {
  const rv = new Float64Array(CAPACITY);
  const at = new Float64Array(CAPACITY);
  rvs.push(rv);
  times.push(at);
  counts.push(0);
  aborts.push(
    await new k8s.Watch(kc).watch(path, { resourceVersion }, (_type, obj) => {
      const n = counts[w]!;
      if (n < CAPACITY) {
        rv[n] = Number(obj.metadata.resourceVersion);
        at[n] = performance.timeOrigin + performance.now();
      }
      counts[w] = n + 1;
    }, () => {}),
  );
}

const send = (m: WatchersMessage) => process.send!(m);
process.on('message', (m: WatchersCommand) => {
  if (m.type === 'start') {
    startCpu = cpuMs();
  } else if (m.type === 'counts') {
    send({ type: 'counts', received: [...counts] });
  } else if (m.type === 'commits') {
    const commits = new Map(m.commits.map(([rv, at]) => [Number(rv), at]));
    const delivery: number[] = [];
    for (let w = 0; w < rvs.length; w++) {
      const n = Math.min(counts[w]!, CAPACITY);
      for (let i = 0; i < n; i++) {
        const c = commits.get(rvs[w]![i]!);
        if (c !== undefined) delivery.push(times[w]![i]! - c);
      }
    }
    send({ type: 'delivery', deliveryMs: stats(delivery), delivered: delivery.length, cpuMs: cpuMs() - startCpu });
  }
});
process.on('disconnect', () => {
  for (const a of aborts) a.abort();
  process.exit(0);
});
send({ type: 'watching' });
