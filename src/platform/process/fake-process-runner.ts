// In-memory ProcessRunner for controller tests: nothing is spawned; tests drive exits and output.
import type { LogStore, LogStream } from '../logs/index.ts';
import { ProcessError } from './errors.ts';
import type {
  ManagedProcess,
  ProcessErrorCode,
  ProcessExit,
  ProcessRunner,
  StartOptions,
  StopOptions,
} from './types.ts';

export interface FakeProcess extends ManagedProcess {
  readonly options: StartOptions;
  /** Whether stop() was called. */
  readonly stopRequested: boolean;
}

export interface FakeProcessRunner extends ProcessRunner {
  /** The leader exits with `code` (or `signal`); `exited` resolves. Unknown or exited pid: no-op. */
  simulateExit(pid: number, code: number | null, signal?: NodeJS.Signals | null): void;
  /** Appends a line to the LogStore (when one was given) as the process would. */
  simulateOutput(pid: number, stream: LogStream, line: string): void;
  /** The next start() fails like a real spawn failure (pid 0, exited resolved with the error). */
  failNextStart(errorCode: ProcessErrorCode, error?: string): void;
  /** The process ignores SIGTERM: stop() then ends with SIGKILL (still at once, no real waiting). */
  ignoreTerm(pid: number): void;
  /** Every start() call so far, in order, including failed ones. */
  starts(): StartOptions[];
  /** Every process started (running or not), in order. */
  all(): FakeProcess[];
  /** The newest process started under `id`. */
  byId(id: string): FakeProcess | undefined;
}

export interface FakeProcessRunnerOptions {
  logs?: LogStore;
  now?: () => Date;
  /** First fake pid. Default 10 000. */
  firstPid?: number;
}

export function createFakeProcessRunner(options: FakeProcessRunnerOptions = {}): FakeProcessRunner {
  const now = options.now ?? (() => new Date());
  let nextPid = options.firstPid ?? 10_000;
  const processes = new Map<number, FakeProcess & { finish(exit: ProcessExit): void; stubborn: boolean }>();
  const startCalls: StartOptions[] = [];
  let nextFailure: { errorCode: ProcessErrorCode; error?: string } | undefined;

  function failedMessage(errorCode: ProcessErrorCode, command: string, error?: string): string {
    if (error) return error;
    switch (errorCode) {
      case 'PROCESS_COMMAND_NOT_FOUND':
        return `command not found: ${command}`;
      case 'PROCESS_PERMISSION_DENIED':
        return `permission denied: ${command}`;
      case 'PROCESS_CWD_NOT_FOUND':
        return 'working directory not found';
      default:
        return `cannot start ${command}`;
    }
  }

  return {
    async start(startOptions: StartOptions): Promise<ManagedProcess> {
      if (!startOptions.id) throw new ProcessError('PROCESS_INVALID_OPTIONS', 'start: id is required');
      if (!startOptions.command) {
        throw new ProcessError('PROCESS_INVALID_OPTIONS', `start ${startOptions.id}: command is required`);
      }
      const opts = structuredClone(startOptions);
      startCalls.push(opts);
      if (nextFailure) {
        const { errorCode, error } = nextFailure;
        nextFailure = undefined;
        const exit: ProcessExit = {
          code: null,
          signal: null,
          error: failedMessage(errorCode, opts.command, error),
          errorCode,
        };
        options.logs?.append(opts.id, 'system', exit.error!);
        return { id: opts.id, pid: 0, startedAt: now(), exited: Promise.resolve(exit), recorded: Promise.resolve(), exit, stop: async () => exit };
      }
      const pid = nextPid++;
      let resolveExit!: (exit: ProcessExit) => void;
      const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
      let exit: ProcessExit | undefined;
      let stopRequested = false;
      const proc = {
        id: opts.id,
        recorded: Promise.resolve(),
        pid,
        startedAt: now(),
        options: opts,
        exited,
        stubborn: false,
        get exit() {
          return exit;
        },
        get stopRequested() {
          return stopRequested;
        },
        finish(e: ProcessExit) {
          if (exit) return;
          exit = e;
          resolveExit(e);
        },
        async stop(_stopOptions?: StopOptions): Promise<ProcessExit> {
          stopRequested = true;
          proc.finish({ code: null, signal: proc.stubborn ? 'SIGKILL' : 'SIGTERM' });
          return exited;
        },
      };
      processes.set(pid, proc);
      return proc;
    },
    running: () => [...processes.values()].filter((p) => !p.exit),
    async stopAll(stopOptions?: StopOptions): Promise<void> {
      await Promise.all([...processes.values()].filter((p) => !p.exit).map((p) => p.stop(stopOptions)));
    },
    killAll() {
      for (const p of processes.values()) p.finish({ code: null, signal: 'SIGKILL' });
    },
    simulateExit(pid, code, signal = null) {
      processes.get(pid)?.finish({ code, signal });
    },
    simulateOutput(pid, stream, line) {
      const proc = processes.get(pid);
      if (proc) options.logs?.append(proc.id, stream, line);
    },
    failNextStart(errorCode, error) {
      nextFailure = { errorCode, error };
    },
    ignoreTerm(pid) {
      const proc = processes.get(pid);
      if (proc) proc.stubborn = true;
    },
    starts: () => [...startCalls],
    all: () => [...processes.values()],
    byId(id) {
      return [...processes.values()].filter((p) => p.id === id).pop();
    },
  };
}
