// Start-up benchmark: N replicas of a small server from `apply` to all Ready, against a shell script
// (baseline.sh) that starts the same N servers and polls their ports. The server is
// `busybox httpd -f -p <PORT>` when /bin/busybox exists, else a tiny node server.
//   apphost: startApphost (every controller, real processes, proxies, health probes); one Resource
//            with `replicas: N` applied; Ready = the Resource reports N ready replicas.
// Prints both times and the ratio (target, issue 12: apphost <= 1.05x the script).
//
//   node bin/run-ts.js bench/startup/run.ts [--count 200] [--rounds 3]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Resource } from '../../src/api/types.ts';
import { startApphost } from '../../src/host/index.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } } });
const COUNT = Number(values.count);
const ROUNDS = Math.max(1, Number(values.rounds));
const BASELINE = fileURLToPath(new URL('./baseline.sh', import.meta.url));
const TIME_LIMIT_MS = 60_000;
const TARGET_RATIO = 1.05;

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const NODE_SERVER = `require('net').createServer((s) => s.end()).listen(Number(process.env.PORT), '127.0.0.1')`;
/** The server command with `{PORT}` (script) or `$(PORT)` (apphost) for its port. */
const server = (port: string): string[] => (BUSYBOX ? [BUSYBOX, 'httpd', '-f', '-p', port, '-h', tmpdir()] : [process.execPath, '-e', NODE_SERVER]);
const serverName = BUSYBOX ? 'busybox httpd' : 'node net server';

/** COUNT consecutive free ports (checked by binding each). */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = first; p < first + count && ok; p++) ok = await canBind(p);
    if (ok) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function scriptRound(): Promise<number> {
  const first = await freeRange(COUNT);
  const dir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  const pidfile = join(dir, 'pids');
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) =>
      execFile('bash', [BASELINE, String(COUNT), String(first), pidfile, ...server('{PORT}')], { timeout: TIME_LIMIT_MS }, (err) => (err ? reject(err) : resolve())),
    );
    return performance.now() - t0;
  } finally {
    const pids = (await readFile(pidfile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    killPids(pids);
    await rm(dir, { recursive: true, force: true });
  }
}

async function apphostRound(): Promise<{ ms: number; stopMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  const app = await startApphost({ dir, name: 'bench', docker: false, gracePeriodMs: 2000, logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }) });
  try {
    const res: Resource = {
      apiVersion: 'apphost.dev/v1',
      kind: 'Resource',
      metadata: { name: 'srv', namespace: 'default' },
      spec: { executable: { command: server('$(PORT)')[0]!, args: server('$(PORT)').slice(1) }, replicas: COUNT, endpoints: [{ scheme: 'http', env: 'PORT' }] },
    };
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not all ${COUNT} replicas ready after ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
      const sub = app.store.watch<Resource>('Resource', { namespace: 'default' }).subscribe((ev) => {
        if (ev.object.metadata?.name === 'srv' && (ev.object.status?.readyReplicas ?? 0) >= COUNT) {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    await app.apply([res]);
    await ready;
    const ms = performance.now() - t0;
    const s0 = performance.now();
    await app.stop();
    return { ms, stopMs: performance.now() - s0 };
  } finally {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`start-up: ${COUNT} replicas of ${serverName}, ${ROUNDS} round(s), median reported; load average ${os.loadavg()[0]!.toFixed(2)}`);
const script: number[] = [];
const apphost: number[] = [];
const stops: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  script.push(await scriptRound());
  const a = await apphostRound();
  apphost.push(a.ms);
  stops.push(a.stopMs);
  console.log(`  round ${r + 1}: script ${script[r]!.toFixed(0)} ms, apphost ${a.ms.toFixed(0)} ms (stop ${a.stopMs.toFixed(0)} ms)`);
}
const s = median(script);
const a = median(apphost);
const ratio = a / s;
console.log(`script (start + poll ports):        ${s.toFixed(0)} ms`);
console.log(`apphost (apply -> all ${COUNT} Ready): ${a.toFixed(0)} ms`);
console.log(`ratio apphost/script: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? 'OK' : 'MISSED'}`);
console.log(`apphost stop (${COUNT} replicas, grace then kill): ${median(stops).toFixed(0)} ms`);
await writeFile(new URL('./last-result.json', import.meta.url), JSON.stringify({ count: COUNT, server: serverName, scriptMs: s, apphostMs: a, ratio, target: TARGET_RATIO, rounds: { script, apphost }, stopMs: median(stops), loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100), at: new Date().toISOString() }, null, 2) + '\n');
