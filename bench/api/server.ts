// The server side of the HTTP benchmark, run as a child process (fork) so its RSS and CPU are its
// own: store + apphost registry + HTTPS server. It records, in process, when each write committed
// (the store emits synchronously on commit) so the parent can compute write-to-watch delivery.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApiServer, writeKubeconfig } from '../../apiserver/http/index.ts';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';

export type ServerMessage =
  | { type: 'ready'; kubeconfig: string; pid: number; url: string; caPem: string; token: string }
  | { type: 'commits'; commits: [string, number][] }
  | { type: 'stats'; rss: number; heapUsed: number; heapTotal: number; external: number; cpuMs: number };
export type ParentMessage = { type: 'commits' } | { type: 'stats'; gc?: boolean } | { type: 'stop' };

const registry = createApphostRegistry();
const store = createStore({ registry });
const server = await startApiServer({ store, registry });
const dir = await mkdtemp(join(tmpdir(), 'apphost-bench-'));
const kubeconfig = join(dir, 'kubeconfig');
await writeKubeconfig(kubeconfig, server);

// resourceVersion -> absolute commit time (ms, sub-ms precision, comparable across processes).
let commits: [string, number][] = [];
store.watch('resources', { resourceVersion: store.resourceVersion() }).subscribe((e) => {
  commits.push([e.object.metadata.resourceVersion!, performance.timeOrigin + performance.now()]);
});

const send = (m: ServerMessage) => process.send!(m);
process.on('message', (m: ParentMessage) => {
  if (m.type === 'commits') {
    send({ type: 'commits', commits });
    commits = [];
  } else if (m.type === 'stats') {
    if (m.gc) globalThis.gc?.();
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({ type: 'stats', rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (m.type === 'stop') {
    void stop();
  }
});
process.on('disconnect', () => void stop());
async function stop(): Promise<void> {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
send({ type: 'ready', kubeconfig, pid: process.pid, url: server.url, caPem: server.caPem, token: server.token });
