// Identity of an apphost instance: "<pid>-<start time>", so a dead instance whose pid was recycled
// is never mistaken for a live one.
import { isAliveState, readProcStatSync } from './proc-fs.ts';

let current: string | undefined;

/** The id of this Node.js process as an apphost instance. Stable for the life of the process. */
export function currentInstanceId(): string {
  if (current === undefined) {
    const stat = readProcStatSync(process.pid);
    current = `${process.pid}-${stat ? stat.startTime : Date.now()}`;
  }
  return current;
}

/** Whether the instance `instanceId` (from `currentInstanceId`) still runs on this machine. */
export function isInstanceAlive(instanceId: string): boolean {
  const match = /^(\d+)-(\d+)$/.exec(instanceId);
  if (!match) return false;
  const pid = Number(match[1]);
  const startTime = Number(match[2]);
  if (instanceId === currentInstanceId()) return true;
  const stat = readProcStatSync(pid);
  if (stat) return stat.startTime === startTime && isAliveState(pid, stat.state);
  try {
    // No /proc (macOS): the best we can do is "some process has that pid".
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
