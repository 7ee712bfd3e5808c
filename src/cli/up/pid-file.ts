// `.apphost/apphost.pid`: which process runs the apphost of a folder (foreground or --detach), so
// that `apphostctl down` can stop it and a second `up` in the same folder is refused.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PID_FILE = 'apphost.pid';

export function pidFilePath(dir: string): string {
  return join(resolve(dir), '.apphost', PID_FILE);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid of a live apphost of `dir`, else undefined (a stale file is removed). */
export function runningPid(dir: string): number | undefined {
  const path = pidFilePath(dir);
  const pid = readPid(path);
  if (pid === undefined) return undefined;
  if (pid !== process.pid && isAlive(pid)) return pid;
  if (pid !== process.pid) rmSync(path, { force: true });
  return undefined;
}

export function writePid(dir: string, pid = process.pid): string {
  const path = pidFilePath(dir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${pid}\n`, { mode: 0o600 });
  return path;
}

export function removePid(dir: string, pid = process.pid): void {
  const path = pidFilePath(dir);
  if (readPid(path) === pid) rmSync(path, { force: true });
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
