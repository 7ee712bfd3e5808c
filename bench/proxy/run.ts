// Proxy benchmark: the same nginx backend reached directly, through the apphost proxy and through
// HAProxy, in one run: pinned against a one-thread HAProxy, and unpinned against HAProxy's defaults. See bench/proxy/README.md.
//   node bin/run-ts.js bench/proxy/run.ts [--duration 5] [--size-mib 1024] [--connections 64] [--repeat 2] [--setup both|pinned|default]
import { chmodSync, mkdtempSync, rmSync, truncateSync, writeFileSync, closeSync, openSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import Table from 'cli-table3';
import pc from 'picocolors';
import { writeHaproxyConfig, writeNginxConfig } from './configs.ts';
import { canPin, cpuSeconds, freePort, killAll, missingTools, run, start, stop, versionOf, waitForPort } from './tools.ts';
import { wrk } from './wrk.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    'size-mib': { type: 'string', default: '1024' },
    connections: { type: 'string', default: '64' },
    repeat: { type: 'string', default: '2' },
    setup: { type: 'string', default: 'both' },
  },
});
const durationSec = Number(values.duration);
const sizeMiB = Number(values['size-mib']);
const connections = Number(values.connections);
const repeat = Math.max(1, Number(values.repeat));

const missing = missingTools([
  { name: 'nginx', apt: 'nginx-light' },
  { name: 'haproxy', apt: 'haproxy' },
  { name: 'wrk', apt: 'wrk' },
  { name: 'curl', apt: 'curl' },
]);
if (missing.length > 0) {
  for (const line of missing) console.error(line);
  process.exit(1);
}

type Target = 'direct' | 'apphost' | 'haproxy';
const TARGETS: Target[] = ['direct', 'apphost', 'haproxy'];

interface TargetResult {
  keepAliveRps?: number;
  keepAliveP99Ms?: number;
  newConnPerSec?: number;
  newConnP99Ms?: number;
  throughputGbps?: number;
  errors: number;
  /** Proxy CPU (user+system) per keep-alive request and per new connection, microseconds. */
  cpuUsPerRequest?: number;
  cpuUsPerConnection?: number;
  /** Proxy CPU seconds per GiB streamed (lowest of the runs). */
  cpuSecPerGiB?: number;
}

let apphostEngine = 'unknown';
const canPinCores = canPin() && availableParallelism() >= 2;

/**
 * Two setups, each in one run: `pinned` gives the proxy under test one core (load and nginx on the
 * other) against a one-thread HAProxy; `as users run it` pins nothing and runs HAProxy with its
 * default threads (one per core), which is what a user compares apphost with.
 */
interface Setup {
  name: 'pinned' | 'default';
  title: string;
  loadCpus?: string;
  proxyCpus?: string;
  haproxyThreads: 'one' | 'default';
}
const SETUPS: Setup[] = [
  ...(canPinCores
    ? [{ name: 'pinned', title: 'pinned: wrk, curl and nginx on CPU 0; the proxy on CPU 1; HAProxy nbthread 1', loadCpus: '0', proxyCpus: '1', haproxyThreads: 'one' } as Setup]
    : []),
  { name: 'default', title: `as users run it: nothing pinned, HAProxy with its default threads (${availableParallelism()} CPUs)`, haproxyThreads: 'default' },
];

const dir = mkdtempSync(join(tmpdir(), 'apphost-bench-proxy-'));
// nginx workers drop root privileges (user nobody): they must be able to read the temp dir.
chmodSync(dir, 0o755);
const procs: ChildProcess[] = [];
let cleaned = false;
/** Children the script itself is stopping: their SIGTERM exit is not an error. */
const stopping = new Set<ChildProcess>();
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const p of procs.reverse()) await stop(p);
  killAll();
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));
process.on('exit', () => {
  killAll();
  if (!cleaned) rmSync(dir, { recursive: true, force: true });
});

function collectOutput(child: ChildProcess, name: string): () => string {
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  child.once('exit', (code, signal) => {
    if (!cleaned && !stopping.has(child) && code !== 0) console.error(pc.red(`${name} exited (${signal ?? code}): ${text.trim()}`));
  });
  return () => text;
}

async function main(): Promise<void> {
  console.log(pc.bold('apphost proxy benchmark'));
  if (!canPinCores) console.log(pc.yellow('taskset missing or fewer than 2 CPUs: only the unpinned setup runs'));
  const all: { setup: Setup; results: Record<Target, TargetResult>; checks: CheckResult[] }[] = [];
  for (const setup of SETUPS.filter((s) => values.setup === 'both' || s.name === values.setup)) {
    console.log(pc.bold(`\n== ${setup.title}`));
    const results = await measureSetup(setup);
    all.push({ setup, results, checks: report(setup, results) });
  }
  writeResult(all);
}

async function measureSetup(setup: Setup): Promise<Record<Target, TargetResult>> {
  const LOAD_CPUS = setup.loadCpus;
  const PROXY_CPUS = setup.proxyCpus;
  const started: ChildProcess[] = [];
  const launch = (command: string, args: string[], options: Parameters<typeof start>[2]) => {
    const child = start(command, args, options);
    procs.push(child);
    started.push(child);
    return child;
  };
  try {
    return await measureWith(launch, LOAD_CPUS, PROXY_CPUS, setup);
  } finally {
    for (const child of started.reverse()) {
      stopping.add(child);
      await stop(child);
    }
  }
}

async function measureWith(
  launch: (command: string, args: string[], options: Parameters<typeof start>[2]) => ChildProcess,
  LOAD_CPUS: string | undefined,
  PROXY_CPUS: string | undefined,
  setup: Setup,
): Promise<Record<Target, TargetResult>> {

  // nginx with one worker, a small page and a large (sparse) file.
  const nginxPort = await freePort();
  const nginxConf = writeNginxConfig(dir, nginxPort);
  const big = join(dir, 'www', 'big.bin');
  closeSync(openSync(big, 'w'));
  truncateSync(big, sizeMiB * 1024 * 1024);
  const nginx = launch('nginx', ['-c', nginxConf, '-p', dir, '-e', join(dir, 'nginx-error.log')], { cpus: LOAD_CPUS });
  collectOutput(nginx, 'nginx');
  await waitForPort(nginxPort);

  // The apphost proxy, in its own process so it can be pinned like HAProxy.
  const apphost = launch(process.execPath, [join(root, 'bin/run-ts.js'), join(here, 'proxy-server.ts'), '--backend', `127.0.0.1:${nginxPort}`, ...(setup.name === 'pinned' ? ['--workers', '0'] : [])], {
    cpus: PROXY_CPUS,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const apphostOut = collectOutput(apphost, 'apphost proxy');
  const apphostPort = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`apphost proxy did not start: ${apphostOut()}`)), 20_000);
    apphost.stdout!.on('data', () => {
      const m = /\{"port":(\d+),"engine":"(\w+)","workers":(\d+)\}/.exec(apphostOut());
      if (m) {
        clearTimeout(timer);
        apphostEngine = `${m[2]!}, ${m[3]!} worker process(es)`;
        resolvePort(Number(m[1]));
      }
    });
  });

  console.log(`apphost proxy engine: ${apphostEngine}`);
  const haproxyPort = await freePort();
  const haproxy = launch('haproxy', ['-f', writeHaproxyConfig(dir, haproxyPort, nginxPort, setup.haproxyThreads), '-db'], { cpus: PROXY_CPUS });
  collectOutput(haproxy, 'haproxy');
  await waitForPort(haproxyPort);

  const ports: Record<Target, number> = { direct: nginxPort, apphost: apphostPort, haproxy: haproxyPort };
  const pids: Record<Target, number | undefined> = { direct: undefined, apphost: apphost.pid, haproxy: haproxy.pid };
  const results: Record<Target, TargetResult> = { direct: { errors: 0 }, apphost: { errors: 0 }, haproxy: { errors: 0 } };
  const url = (t: Target, path = '/'): string => `http://127.0.0.1:${ports[t]}${path}`;

  // Warm-up (JIT, page cache, connection pools): short and discarded.
  for (const t of TARGETS) await wrk({ url: url(t), connections, durationSec: 1, cpus: LOAD_CPUS });

  // Each load case runs `repeat` times, the targets interleaved, and keeps each target's best run:
  // on a shared 2-core machine, interference only ever makes a run slower.
  const measure = async (t: Target, closeEach: boolean) => {
    const cpu0 = cpuSeconds(pids[t]);
    const r = await wrk({
      url: url(t),
      connections,
      durationSec,
      headers: closeEach ? ['Connection: close'] : [],
      cpus: LOAD_CPUS,
    });
    const cpu1 = cpuSeconds(pids[t]);
    const cpuUs = cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / (r.requestsPerSec * durationSec) : undefined;
    return { ...r, cpuUs };
  };
  for (const closeEach of [false, true]) {
    for (let i = 0; i < repeat; i++) {
      for (const t of TARGETS) {
        if (closeEach) await new Promise((r) => setTimeout(r, 500));
        const label = closeEach ? 'new connection per request' : `keep-alive, ${connections} connections`;
        process.stdout.write(`${label}, ${durationSec}s, run ${i + 1}/${repeat}: ${t} ... `);
        const r = await measure(t, closeEach);
        const res = results[t];
        res.errors += r.errors;
        if (!closeEach) {
          console.log(`${Math.round(r.requestsPerSec)} req/s, p99 ${r.p99Ms} ms`);
          if (res.keepAliveRps === undefined || r.requestsPerSec > res.keepAliveRps) {
            res.keepAliveRps = r.requestsPerSec;
            res.cpuUsPerRequest = r.cpuUs;
          }
          if (r.p99Ms !== undefined && (res.keepAliveP99Ms === undefined || r.p99Ms < res.keepAliveP99Ms)) res.keepAliveP99Ms = r.p99Ms;
        } else {
          console.log(`${Math.round(r.requestsPerSec)} conn/s`);
          if (res.newConnPerSec === undefined || r.requestsPerSec > res.newConnPerSec) {
            res.newConnPerSec = r.requestsPerSec;
            res.newConnP99Ms = r.p99Ms;
            res.cpuUsPerConnection = r.cpuUs;
          }
        }
      }
    }
  }

  for (let i = 0; i < repeat; i++) for (const t of TARGETS) {
    process.stdout.write(`one ${sizeMiB} MiB stream, run ${i + 1}/${repeat}: ${t} ... `);
    const cpu0 = cpuSeconds(pids[t]);
    const out = await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '60', '-w', '%{size_download} %{time_total}', url(t, '/big.bin')], {
      cpus: LOAD_CPUS,
      timeoutMs: 70_000,
    });
    const [bytes, seconds] = out.trim().split(' ').map(Number) as [number, number];
    if (bytes !== sizeMiB * 1024 * 1024) throw new Error(`${t}: received ${bytes} of ${sizeMiB * 1024 * 1024} bytes`);
    const cpu1 = cpuSeconds(pids[t]);
    const gbps = (bytes * 8) / seconds / 1e9;
    results[t].throughputGbps = Math.max(results[t].throughputGbps ?? 0, gbps);
    if (cpu0 !== undefined && cpu1 !== undefined) {
      const perGiB = (cpu1 - cpu0) / (bytes / 1024 ** 3);
      results[t].cpuSecPerGiB = Math.min(results[t].cpuSecPerGiB ?? Infinity, perGiB);
    }
    console.log(`${gbps.toFixed(2)} Gbit/s`);
  }
  return results;
}

interface Check {
  metric: string;
  key: keyof TargetResult;
  unit: string;
  /** apphost / haproxy must be >= (higher is better) or <= (lower is better) this. */
  target: number;
  higherIsBetter: boolean;
}

const CHECKS: Check[] = [
  { metric: `keep-alive req/s (${connections} conns)`, key: 'keepAliveRps', unit: 'req/s', target: 1.0, higherIsBetter: true },
  { metric: 'keep-alive p99 latency', key: 'keepAliveP99Ms', unit: 'ms', target: 1.5, higherIsBetter: false },
  { metric: 'new connections/s', key: 'newConnPerSec', unit: 'conn/s', target: 0.8, higherIsBetter: true },
  { metric: `single stream (${sizeMiB} MiB)`, key: 'throughputGbps', unit: 'Gbit/s', target: 0.8, higherIsBetter: true },
];

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return '-';
  if (unit === 'ms' || unit === 'Gbit/s' || unit === 'µs') return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

interface CheckResult {
  metric: string;
  key: keyof TargetResult;
  unit: string;
  ratio: number | undefined;
  target: number;
  higherIsBetter: boolean;
  pass: boolean;
}

/** Targets per setup: as users run it, apphost must match or beat HAProxy (issue 12). */
function checksFor(setup: Setup): Check[] {
  if (setup.name === 'pinned') return CHECKS;
  const target: Partial<Record<keyof TargetResult, number>> = { keepAliveRps: 1.1, keepAliveP99Ms: 1.0, newConnPerSec: 1.0, throughputGbps: 1.0 };
  return CHECKS.map((c) => ({ ...c, target: target[c.key] ?? c.target }));
}

function report(setup: Setup, results: Record<Target, TargetResult>): CheckResult[] {
  const table = new Table({ head: ['metric', 'direct', 'apphost', 'HAProxy', 'apphost/HAProxy', 'target', 'pass'] });
  const checks = checksFor(setup).map((c) => {
    const a = results.apphost[c.key] as number | undefined;
    const h = results.haproxy[c.key] as number | undefined;
    const ratio = a !== undefined && h !== undefined && h > 0 ? a / h : undefined;
    const pass = ratio !== undefined && (c.higherIsBetter ? ratio >= c.target : ratio <= c.target);
    table.push([
      `${c.metric} [${c.unit}]`,
      fmt(results.direct[c.key] as number | undefined, c.unit),
      fmt(a, c.unit),
      fmt(h, c.unit),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}x`,
      `${c.higherIsBetter ? '>=' : '<='} ${c.target}x`,
      pass ? pc.green('yes') : pc.red('no'),
    ]);
    return { metric: c.metric, key: c.key, unit: c.unit, ratio, target: c.target, higherIsBetter: c.higherIsBetter, pass };
  });
  table.push(
    ['proxy CPU per keep-alive request [µs]', '-', fmt(results.apphost.cpuUsPerRequest, 'µs'), fmt(results.haproxy.cpuUsPerRequest, 'µs'), '', '', ''],
    ['proxy CPU per new connection [µs]', '-', fmt(results.apphost.cpuUsPerConnection, 'µs'), fmt(results.haproxy.cpuUsPerConnection, 'µs'), '', '', ''],
    ['proxy CPU per GiB streamed [s]', '-', fmt(results.apphost.cpuSecPerGiB, 'ms'), fmt(results.haproxy.cpuSecPerGiB, 'ms'), '', '', ''],
    ['errors (socket + non-2xx)', String(results.direct.errors), String(results.apphost.errors), String(results.haproxy.errors), '', '', ''],
  );
  console.log(pc.bold(setup.title));
  console.log(table.toString());
  return checks;
}

function writeResult(all: { setup: Setup; results: Record<Target, TargetResult>; checks: CheckResult[] }[]): void {
  const file = join(here, 'last-result.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpus: availableParallelism(), node: process.version },
        tools: {
          nginx: versionOf('nginx', ['-v']),
          haproxy: versionOf('haproxy', ['-v']),
          wrk: versionOf('wrk', ['--version']),
        },
        settings: { durationSec, connections, streamMiB: sizeMiB, repeat, kept: 'best of repeat', apphostEngine },
        setups: all.map(({ setup, results, checks }) => ({ setup: setup.name, title: setup.title, results, checks })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${file}`);
}

try {
  await main();
} catch (err) {
  console.error(pc.red(`benchmark failed: ${(err as Error).message}`));
  process.exitCode = 1;
} finally {
  await cleanup();
}
