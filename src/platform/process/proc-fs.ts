// Linux /proc readers: process state, start time (field 22 of /proc/<pid>/stat), process group
// members and command lines. Everything returns undefined / empty where /proc is unavailable.
import { readFile, readdir } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot when the process started. */
  startTime: number;
}

/** Parses the text of /proc/<pid>/stat. The command name in parentheses may hold spaces and ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the name start with field 3 (state); field N is at index N - 3.
  const rest = text.slice(close + 2).split(' ');
  const startTime = Number(rest[22 - 3]);
  const ppid = Number(rest[4 - 3]);
  const pgrp = Number(rest[5 - 3]);
  if (!Number.isFinite(pid) || !Number.isFinite(startTime) || !Number.isFinite(pgrp)) return undefined;
  return { pid, state: rest[0] ?? '?', ppid, pgrp, startTime };
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether a process whose stat says `state` is still alive. A zombie leader is not enough to call it
 * dead: a killed multi-threaded process (node) shows its leader as a zombie while its other threads
 * still exit, and its sockets stay open until the last one has. So a zombie is alive while any of
 * its threads (/proc/<pid>/task) is not a zombie.
 */
export function isAliveState(pid: number, state: string): boolean {
  if (state !== 'Z' && state !== 'X') return true;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    const task = tid === String(pid) ? undefined : readTaskState(pid, tid);
    return task !== undefined && task !== 'Z' && task !== 'X';
  });
}

function readTaskState(pid: number, tid: string): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    return text[text.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

/** The command line of `pid`, arguments joined by spaces; the short name when cmdline is empty. */
export async function readCommandLine(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const args = raw.split('\0').filter((a) => a.length > 0);
    if (args.length > 0) return args.join(' ');
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8');
    return `[${comm.trim()}]`;
  } catch {
    return undefined;
  }
}

export function hasProcFs(): boolean {
  return readProcStatSync(process.pid) !== undefined;
}

/** Numeric entries of /proc. Empty where /proc is unavailable. */
export async function listPids(): Promise<number[]> {
  try {
    const names = await readdir('/proc');
    const pids: number[] = [];
    for (const name of names) {
      const n = Number(name);
      if (Number.isInteger(n) && n > 0) pids.push(n);
    }
    return pids;
  } catch {
    return [];
  }
}

/** Live processes (see isAliveState) whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<ProcStat[]> {
  const stats = await Promise.all((await listPids()).map((pid) => readProcStat(pid)));
  return stats.filter((s): s is ProcStat => s !== undefined && s.pgrp === pgid && isAliveState(s.pid, s.state));
}

/** Sends `signal` to a whole process group. False when the group no longer exists (ESRCH) or on EPERM. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any live process is left in group `pgid`. kill(-pgid, 0) is the fast path; where /proc
 * exists a positive answer is confirmed by a scan, since zombies nobody reaps still count for kill().
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (!hasProcFs()) return true;
  return (await groupMembers(pgid)).length > 0;
}

/** The value of variable `name` in the environment `pid` started with; undefined if absent or unreadable. */
export async function readEnvVar(pid: number, name: string): Promise<string | undefined> {
  try {
    const prefix = `${name}=`;
    const entry = (await readFile(`/proc/${pid}/environ`, 'latin1')).split('\0').find((e) => e.startsWith(prefix));
    return entry?.slice(prefix.length);
  } catch {
    return undefined; // gone, or another user's
  }
}

/** Live processes whose environment has `name` set to one of `values`, with that value. */
export async function processesWithEnv(name: string, values: ReadonlySet<string>): Promise<(ProcStat & { value: string })[]> {
  if (values.size === 0) return [];
  const found = await Promise.all(
    (await listPids()).map(async (pid) => {
      const value = await readEnvVar(pid, name);
      if (value === undefined || !values.has(value)) return undefined;
      const stat = await readProcStat(pid);
      return stat && isAliveState(stat.pid, stat.state) ? { ...stat, value } : undefined;
    }),
  );
  return found.filter((p): p is ProcStat & { value: string } => p !== undefined);
}
