// The benchmark's child processes (server, watchers, in-process store) and their IPC replies.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_TS = `${ROOT}bin/run-ts.js`;

export function child(script: string, args: string[] = []): ChildProcess {
  // BENCH_PROF=<dir> writes a V8 CPU profile of each child there.
  const prof = process.env['BENCH_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROF']}`] : [];
  // BENCH_NODE_FLAGS="--max-semi-space-size=4": extra V8/Node flags for the children (experiments).
  const extra = (process.env['BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter(Boolean);
  return fork(RUN_TS, [`${ROOT}bench/api/${script}`, ...args], { execArgv: ['--expose-gc', ...prof, ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

export function nextMessage<T>(proc: ChildProcess, type?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: any) => {
      if (type && m?.type !== type) return;
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`benchmark child exited (${code}) before answering`));
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

