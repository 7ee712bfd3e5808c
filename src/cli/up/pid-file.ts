// `.apphost/apphost.pid`: which process runs the apphost of a folder (foreground or --detach), so
// that `apphostctl down` can stop it and a second `up` in the same folder is refused. It holds the
// instance id `<pid>-<start time>` (instance-id.ts): a pid recycled after a crash, or a file
// written by hand, has no matching start time in /proc and is never signalled nor trusted.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { currentInstanceId, isInstanceAlive } from '../../platform/process/instance-id.ts';

export const PID_FILE = 'apphost.pid';

export function pidFilePath(dir: string): string {
  return join(resolve(dir), '.apphost', PID_FILE);
}

/** Whether some process has this pid (any process: use `isApphost` before signalling it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PidFile {
  pid: number;
  /** `<pid>-<start time>`; undefined for a file that holds a bare pid (not written by apphost). */
  instanceId?: string;
}

export function readPidFile(path: string): PidFile | undefined {
  if (!existsSync(path)) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(readFileSync(path, 'utf8').trim());
  if (!m) return undefined;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return m[2] === undefined ? { pid } : { pid, instanceId: `${m[1]}-${m[2]}` };
}

export function readPid(path: string): number | undefined {
  return readPidFile(path)?.pid;
}

/** Whether the pid file names a live apphost: the pid runs and has the recorded start time. */
export function isApphost(file: PidFile): boolean {
  return file.instanceId !== undefined && isInstanceAlive(file.instanceId);
}

/** The pid file of a live apphost of `dir` (not this process), else undefined (a stale file is removed). */
export function runningApphost(dir: string): PidFile | undefined {
  const path = pidFilePath(dir);
  const file = readPidFile(path);
  if (file?.instanceId === currentInstanceId()) return undefined;
  if (file && isApphost(file)) return file;
  if (existsSync(path)) rmSync(path, { force: true });
  return undefined;
}

export function writePid(dir: string): string {
  const path = pidFilePath(dir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${currentInstanceId()}\n`, { mode: 0o600 });
  return path;
}

/** Removes the pid file if it is this process's. */
export function removePid(dir: string): void {
  const path = pidFilePath(dir);
  if (readPidFile(path)?.instanceId === currentInstanceId()) rmSync(path, { force: true });
}

/** Nearest folder (cwd or a parent) with a `.apphost/apphost.pid`. */
export function findPidDir(cwd = process.cwd()): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(pidFilePath(dir))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
