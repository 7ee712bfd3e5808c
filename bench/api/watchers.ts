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

const receipts: [string, number][][] = [];
let startCpu = cpuMs();
const aborts: AbortController[] = [];
for (let w = 0; w < Number(count); w++) {
  const got: [string, number][] = [];
  receipts.push(got);
  aborts.push(
    await new k8s.Watch(kc).watch(path, { resourceVersion }, (_type, obj) => {
      got.push([obj.metadata.resourceVersion, performance.timeOrigin + performance.now()]);
    }, () => {}),
  );
}

const send = (m: WatchersMessage) => process.send!(m);
process.on('message', (m: WatchersCommand) => {
  if (m.type === 'start') {
    startCpu = cpuMs();
  } else if (m.type === 'counts') {
    send({ type: 'counts', received: receipts.map((r) => r.length) });
  } else if (m.type === 'commits') {
    const commits = new Map(m.commits);
    const delivery: number[] = [];
    for (const r of receipts) {
      for (const [rv, at] of r) {
        const c = commits.get(rv);
        if (c !== undefined) delivery.push(at - c);
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
