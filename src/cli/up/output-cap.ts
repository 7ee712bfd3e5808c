// Bounds the file `up` writes to when it runs in the background (`up -d` appends to
// .apphost/apphost.log) or when its output is appended to a file (`apphostctl up >> up.log`): once
// the file is over `maxBytes`, it is copied to `<file>.1` and truncated (logrotate's copytruncate).
// Only for a file opened in append mode: truncating one opened with `>` would leave the writer's
// offset at the old end (a sparse file), so that one is left alone (replica output in it is already
// rate-limited per replica).
import { copyFileSync, fstatSync, readFileSync, readlinkSync, writeSync, ftruncateSync } from 'node:fs';

const O_APPEND = 0o2000;
export const DEFAULT_OUTPUT_MAX_BYTES = 10 * 1024 * 1024;

export interface OutputCap {
  stop(): void;
}

/** Starts checking `fd` every `everyMs`; undefined when `fd` is not a regular file opened for appending. */
export function capOutputFile(o: { fd: number; maxBytes: number; everyMs?: number }): OutputCap | undefined {
  let path: string;
  try {
    if (!fstatSync(o.fd).isFile()) return undefined;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${o.fd}`, 'latin1'));
    if (!flags || (parseInt(flags[1]!, 8) & O_APPEND) === 0) return undefined;
    path = readlinkSync(`/proc/self/fd/${o.fd}`);
  } catch {
    return undefined; // not Linux, or no /proc: leave the file alone
  }
  const timer = setInterval(() => {
    try {
      const size = fstatSync(o.fd).size;
      if (size <= o.maxBytes) return;
      copyFileSync(path, `${path}.1`);
      ftruncateSync(o.fd, 0);
      writeSync(o.fd, `[apphost] output reached ${size.toLocaleString('en-US')} bytes: the earlier output is in ${path}.1\n`);
    } catch {
      // The file was removed or the disk is full: try again next time.
    }
  }, o.everyMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
