// Benchmark plumbing: finding tools, free ports, child processes killed by PID, CPU time from /proc.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export interface Tool {
  name: string;
  /** The Debian package that provides it. */
  apt: string;
}

export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : undefined;
}

/** Lists the tools that are missing, one line each with the apt package to install. */
export function missingTools(tools: Tool[]): string[] {
  return tools.filter((t) => !which(t.name)).map((t) => `${t.name} not found: install it with \`apt-get install ${t.apt}\``);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Children started by the benchmark; every one is killed by PID on exit. */
const children = new Set<ChildProcess>();

export interface StartOptions {
  /** CPU list for taskset, e.g. '1'; ignored when taskset is unavailable. */
  cpus?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

let tasksetPath: string | undefined | null = null;
export function canPin(): boolean {
  if (tasksetPath === null) tasksetPath = which('taskset');
  return tasksetPath !== undefined;
}

export function start(command: string, args: string[], options: StartOptions = {}): ChildProcess {
  const [cmd, argv] = options.cpus && canPin() ? ['taskset', ['-c', options.cpus, command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs to completion (killed after timeoutMs) and returns stdout. */
export function run(command: string, args: string[], options: StartOptions & { timeoutMs: number }): Promise<string> {
  const child = start(command, args, options);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}): ${err.trim() || out.trim()}`));
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && tryKill(child.pid, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Last resort on exit: SIGKILL every child still running, by PID. */
export function killAll(): void {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) tryKill(child.pid, 'SIGKILL');
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * User + system CPU seconds used so far by a process and its live descendants (apphost's proxy
 * workers), from Linux /proc, or undefined elsewhere.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0]; utime is [11], stime is [12].
    const own = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    return own + childPids(pid).reduce((sum, child) => sum + (cpuSeconds(child) ?? 0), 0);
  } catch {
    return undefined;
  }
}

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** First line of a command's output (tool versions for the result file). */
export function versionOf(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}
