// The server side of the HTTP benchmark, run as a child process (fork) so its RSS and CPU are its
// own: store + apphost registry + HTTPS server. It records, in process, when each write committed
// (the store emits synchronously on commit) so the parent can compute write-to-watch delivery.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { startApiServer, writeKubeconfig } from '../../apiserver/http/index.ts';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';

export type ServerMessage =
  | { type: 'ready'; kubeconfig: string; pid: number; url: string; caPem: string; token: string }
  | { type: 'commits'; commits: [string, number][] }
  | { type: 'stats'; rss: number; heapUsed: number; heapTotal: number; external: number; cpuMs: number; memory: MemoryDetail };
export type ParentMessage = { type: 'commits' } | { type: 'stats'; gc?: boolean } | { type: 'stop' };

/** Where the server's resident memory is (MiB): V8's spaces (committed / used), anonymous vs file-backed RSS, threads. */
export interface MemoryDetail {
  spaces: Record<string, [committed: number, used: number]>;
  rssAnon: number;
  rssFile: number;
  threads: number;
  /** Anonymous RSS (/proc/self/smaps): the brk heap (malloc's main arena: OpenSSL, Node's own allocations) and every other anonymous mapping (V8's pages of both isolates, other threads' malloc arenas, stacks). */
  anon: { brk: number; other: number };
}

function anonByMapping(): MemoryDetail['anon'] {
  const out = { brk: 0, other: 0 };
  let kind: keyof typeof out | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      kind = m[1] === '[heap]' ? 'brk' : m[1] ? undefined : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) out[kind] += Number(rss[1]) / 1024;
  }
  return { brk: Math.round(out.brk * 10) / 10, other: Math.round(out.other * 10) / 10 };
}

function memoryDetail(): MemoryDetail {
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const spaces: MemoryDetail['spaces'] = {};
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_size > 0) spaces[s.space_name] = [mib(s.space_size), mib(s.space_used_size)];
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { spaces, rssAnon: mib(field('RssAnon') * 1024), rssFile: mib(field('RssFile') * 1024), threads: field('Threads'), anon: anonByMapping() };
}

const registry = createApphostRegistry();
const store = createStore({ registry });
const server = await startApiServer({ store, registry });
const dir = await mkdtemp(join(tmpdir(), 'apphost-bench-'));
const kubeconfig = join(dir, 'kubeconfig');
await writeKubeconfig(kubeconfig, server);

// resourceVersion -> absolute commit time (ms, sub-ms precision, comparable across processes), in
// two arrays of doubles (16 bytes a commit, no object per commit): the measuring must not add to
// the server's memory per object, which the RSS figure is about.
let commitRvs: number[] = [];
let commitTimes: number[] = [];
store.watch('resources', { resourceVersion: store.resourceVersion() }).subscribe((e) => {
  commitRvs.push(Number(e.object.metadata.resourceVersion));
  commitTimes.push(performance.timeOrigin + performance.now());
});

const send = (m: ServerMessage) => process.send!(m);
process.on('message', (m: ParentMessage) => {
  if (m.type === 'commits') {
    send({ type: 'commits', commits: commitRvs.map((rv, i) => [String(rv), commitTimes[i]!]) });
    commitRvs = [];
    commitTimes = [];
  } else if (m.type === 'stats') {
    if (m.gc) {
      globalThis.gc?.();
      // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot at N objects (the RSS measurement point), to see what an object costs.
      const dir = process.env['BENCH_HEAP_SNAPSHOT'];
      if (dir) v8.writeHeapSnapshot(join(dir, `server-${process.pid}.heapsnapshot`));
    }
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({ type: 'stats', rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, cpuMs: (cpu.user + cpu.system) / 1000, memory: memoryDetail() });
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
