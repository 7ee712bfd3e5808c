// A proxy served by apphost and a proxy worker process together (the default on 2+ cores). The
// clients run in a separate process, as real clients do, so the kernel spreads their connections
// over both accepting processes.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNetProxyFactory } from './index.ts';
import type { ProxyOptions } from './index.ts';
import type { SharedTcpProxy } from './shared-tcp-proxy.ts';
import { startBackend, type TestBackend } from '../../../test/support/net-backends.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { isRunning } from '../../../test/support/proc.ts';

const run = promisify(execFile);
const factory = createNetProxyFactory({ workers: 1 });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
afterAll(() => factory.close?.());

async function backend(name: string): Promise<TestBackend> {
  const b = await startBackend(name);
  cleanups.push(() => b.close());
  return b;
}
const to = (b: TestBackend) => ({ name: b.name, address: '127.0.0.1', port: b.port });

async function proxy(options: Partial<ProxyOptions> & Pick<ProxyOptions, 'backends'>): Promise<SharedTcpProxy> {
  const p = (await factory.start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', ...options })) as SharedTcpProxy;
  cleanups.push(() => p.close());
  return p;
}

/**
 * `count` connections from another process, `parallel` at a time; each reads the backend's greeting
 * line (or notes the close). Returns the greetings counted by name ('closed' for none).
 */
async function clients(port: number, count: number, parallel = 16, holdMs = 0): Promise<Record<string, number>> {
  const script = `
    const net = require('node:net');
    const [port, count, parallel, holdMs] = process.argv.slice(1).map(Number);
    const seen = {}; let started = 0, done = 0;
    const finish = (what) => { seen[what] = (seen[what] ?? 0) + 1; if (++done === count) { console.log(JSON.stringify(seen)); process.exit(0); } else next(); };
    function next() {
      if (started >= count) return;
      started++;
      const s = net.connect(port, '127.0.0.1');
      let line = '', greeting, finished = false;
      const end = () => { if (!finished) { finished = true; s.destroy(); finish(greeting ?? 'closed'); } };
      s.on('data', (d) => {
        if (greeting !== undefined) return;
        line += d; const i = line.indexOf('\\n');
        if (i >= 0) { greeting = line.slice(0, i); if (holdMs === 0) end(); else setTimeout(end, holdMs); }
      });
      s.on('close', end);
      s.on('error', end);
    }
    for (let i = 0; i < parallel; i++) next();
    setTimeout(() => { console.log(JSON.stringify({ ...seen, unfinished: count - done })); process.exit(0); }, 20000).unref();
  `;
  const { stdout } = await run(process.execPath, ['-e', script, String(port), String(count), String(parallel), String(holdMs)], { timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** Pids of this process's proxy workers. */
function workerPids(): number[] {
  return readdirSync('/proc/self/task')
    .flatMap((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('proxy-worker-main');
      } catch {
        return false;
      }
    });
}

describe('tcp proxy shared with a worker process', () => {
  beforeAll(async () => {
    // The pool starts its worker with the first proxy; wait until the worker takes connections.
    const a = await backend('warm-up');
    const p = await proxy({ backends: [to(a)] });
    await waitFor('the worker serves', async () => (await clients(p.port, 50), p.workerStats().totalConnections > 0), 20_000);
    await p.close();
  }, 30_000);

  it('serves every connection from both processes and counts them all', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)] });
    expect(await clients(p.port, 300)).toEqual({ a: 300 });
    await waitFor('all 300 counted', () => p.stats().totalConnections === 300, 5000);
    expect(p.workerStats().totalConnections).toBeGreaterThan(0);
    expect(p.workerStats().totalConnections).toBeLessThan(300);
  });

  it('round-robins within each process, so both backends get a fair share', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)] });
    const seen = await clients(p.port, 200);
    expect(seen.a! + seen.b!).toBe(200);
    expect(Math.min(seen.a!, seen.b!)).toBeGreaterThanOrEqual(80);
  });

  it('takes backend changes to the workers', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a)] });
    await clients(p.port, 50);
    p.setBackends([to(b)]);
    await waitFor('the change crossed the IPC channel', async () => (await clients(p.port, 20)).b === 20, 5000);
    expect(await clients(p.port, 200)).toEqual({ b: 200 });
  });

  it('holds connections in every process while no backend is ready and dispatches them all', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [] });
    const answered: Promise<Record<string, number>>[] = [];
    await waitFor('the worker holds connections too', async () => {
      answered.push(clients(p.port, 20, 20));
      await waitFor('batch held', () => p.stats().activeConnections === 20 * answered.length, 5000);
      return p.workerStats().activeConnections > 0;
    }, 20_000, 0);
    p.setBackends([to(a)]);
    for (const batch of answered) expect(await batch).toEqual({ a: 20 });
  });

  it('takes whenNoBackend Reject to the workers: the connections they hold are reset, new ones too', async () => {
    const p = await proxy({ backends: [], hold: { timeoutMs: 30_000 } });
    const held: Promise<Record<string, number>>[] = [];
    await waitFor('the worker holds connections', async () => {
      held.push(clients(p.port, 20, 20));
      await waitFor('batch held', () => p.stats().activeConnections === 20 * held.length, 5000);
      return p.workerStats().activeConnections > 0;
    }, 20_000, 0);
    const started = Date.now();
    p.setWhenNoBackend('Reject');
    for (const batch of held) expect(await batch).toEqual({ closed: 20 });
    expect(Date.now() - started).toBeLessThan(5000); // not the 30 s hold (a loaded machine is slow to spawn clients)
    const before = p.workerStats().totalConnections;
    await waitFor('the worker rejects new ones too', async () => {
      expect(await clients(p.port, 50)).toEqual({ closed: 50 });
      return p.workerStats().totalConnections > before;
    }, 10_000);
    await waitFor('nothing held anywhere', () => p.stats().activeConnections === 0, 5000);
  });

  it('close() frees the port at once and ends the connections the worker holds', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)] });
    // Batches of 30 held connections until the worker holds some (the kernel picks who accepts).
    const held: Promise<Record<string, number>>[] = [];
    await waitFor('the worker holds connections', async () => {
      held.push(clients(p.port, 30, 30, 60_000));
      await waitFor('batch open', () => p.stats().activeConnections === 30 * held.length, 5000);
      return p.workerStats().activeConnections > 0;
    }, 20_000, 0);
    await p.close();
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(p.port, '127.0.0.1', () => resolve()));
    again.close();
    // Every client got its greeting, then saw the close (holdMs is cut short by the server side).
    for (const batch of held) expect(await batch).toEqual({ a: 30 });
  });

  it('replaces a worker that dies and keeps serving meanwhile', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)] });
    await clients(p.port, 20);
    const [pid] = await waitFor('a worker', () => (workerPids().length > 0 ? workerPids() : undefined), 10_000);
    process.kill(pid!, 'SIGKILL');
    expect(await clients(p.port, 100)).toEqual({ a: 100 });
    await waitFor('a new worker', () => workerPids().some((w) => w !== pid), 15_000);
    await waitFor('the new worker serves', async () => {
      const before = p.workerStats().totalConnections;
      await clients(p.port, 100);
      await new Promise((r) => setTimeout(r, 300));
      return p.workerStats().totalConnections > before;
    }, 15_000);
  });

  it('a worker whose apphost dies, even while the worker is still starting, exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apphost-worker-orphan-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'parent.mts');
    writeFileSync(
      script,
      `import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetProxyFactory } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
const factory = createNetProxyFactory({ workers: 1 });
await factory.start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [] });
const children = readdirSync('/proc/self/task').flatMap((t) => readFileSync('/proc/self/task/' + t + '/children', 'utf8').split(' ').filter(Boolean));
console.log(JSON.stringify(children.map(Number)));
process.exit(0); // at once: the worker has not even loaded yet
`,
    );
    const { stdout } = await run(process.execPath, [fileURLToPath(new URL('../../../bin/run-ts.js', import.meta.url)), script], { timeout: 30_000 });
    const pids = JSON.parse(stdout.trim()) as number[];
    expect(pids.length).toBeGreaterThan(0);
    await waitFor('the orphaned worker exits', () => pids.every((pid) => !isRunning(pid)), 15_000);
  });

  it('keeps client-IP affinity by serving the proxy from apphost alone', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)], clientIPAffinity: true });
    const seen = await clients(p.port, 60);
    expect(Object.keys(seen)).toHaveLength(1);
    expect(p.workerStats().totalConnections).toBe(0);
  });
});
