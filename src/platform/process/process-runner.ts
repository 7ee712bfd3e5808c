// Real ProcessRunner: each child in its own process group (detached), stdout/stderr captured line
// by line into the LogStore, a crash record while it runs (and the instance marker in its
// environment, see process-records.ts), SIGTERM -> grace -> SIGKILL on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createTurnBudget, type LogStore, type LogStream } from '../logs/index.ts';
import { ProcessError, describeSpawnError } from './errors.ts';
import { LineSplitter } from './line-splitter.ts';
import { groupAlive, signalGroup } from './proc-fs.ts';
import { INSTANCE_ENV } from './process-records.ts';
import { terminateGroup } from './terminate-group.ts';
import type {
  ManagedProcess,
  ProcessErrorCode,
  ProcessExit,
  ProcessRecords,
  ProcessRunner,
  StartOptions,
  StopOptions,
} from './types.ts';

export interface ProcessRunnerOptions {
  logs: LogStore;
  /** Crash records (`.apphost/processes/`); none are written when omitted. */
  records?: ProcessRecords;
  logger?: Logger;
  /** Output bytes captured per event-loop turn before a child's pipe is paused (default 256 KiB). */
  captureBytesPerTurn?: number;
  /** Default grace period between SIGTERM and SIGKILL. Default 10 000 ms. */
  graceMs?: number;
  now?: () => Date;
}

const DEFAULT_GRACE_MS = 10_000;
/** After the leader exits, how long to wait for its output pipes to drain before reporting the exit. */
const OUTPUT_DRAIN_MS = 200;

export function createProcessRunner(options: ProcessRunnerOptions): ProcessRunner {
  const { logs, records } = options;
  const log = options.logger ?? pino({ level: 'silent' });
  const defaultGraceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const now = options.now ?? (() => new Date());
  // Log bytes handled per event-loop turn, across every child: a flood waits for the next turn.
  const budget = createTurnBudget(options.captureBytesPerTurn);
  // Started and not cleaned up yet: running, or exited with its group still being terminated.
  const live = new Set<ManagedProcess>();
  // SIGKILL to each live group, unless it is known to be gone (its pgid may be recycled by then).
  const killers = new Map<ManagedProcess, () => void>();

  function failed(id: string, error: string, errorCode: ProcessErrorCode): ManagedProcess {
    const exit: ProcessExit = { code: null, signal: null, error, errorCode };
    logs.append(id, 'system', error);
    log.warn({ id, errorCode }, error);
    return {
      id,
      pid: 0,
      startedAt: now(),
      exited: Promise.resolve(exit),
      recorded: Promise.resolve(),
      exit,
      stop: async () => exit,
    };
  }

  /** Resolves when the stream has ended and its last line is in the LogStore. */
  function capture(id: string, stream: Readable | null, name: LogStream): Promise<void> {
    if (!stream) return Promise.resolve();
    const splitter = new LineSplitter({ onLine: (line) => logs.append(id, name, line) });
    stream.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      budget.take(stream, chunk.length);
    });
    return new Promise((resolve) => {
      const done = () => {
        splitter.end();
        resolve();
      };
      stream.once('end', done);
      stream.once('error', done);
      stream.once('close', done);
    });
  }

  async function start(startOptions: StartOptions): Promise<ManagedProcess> {
    const { id, command, args } = startOptions;
    if (!id) throw new ProcessError('PROCESS_INVALID_OPTIONS', 'start: id is required');
    if (!command) throw new ProcessError('PROCESS_INVALID_OPTIONS', `start ${id}: command is required`);
    // A missing working directory fails the spawn with ENOENT, like a missing command: it is
    // checked only then, to say which (a stat per start costs start-up time at 200 replicas).
    const cwdMissing = async () =>
      startOptions.cwd !== undefined && !(await stat(startOptions.cwd).then((s) => s.isDirectory(), () => false));
    const env: NodeJS.ProcessEnv =
      startOptions.inheritEnv === false ? { ...startOptions.env } : { ...process.env, ...startOptions.env };
    if (records) {
      // The claim is on disk before the first child exists, and every child carries the marker:
      // if apphost dies before the crash record below is written, the next instance still finds it.
      await records.claim().catch((err: unknown) => log.warn({ err, dir: records.dir }, 'cannot write the instance claim'));
      env[INSTANCE_ENV] = records.instanceId;
    }

    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: startOptions.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      if (await cwdMissing()) return failed(id, `working directory not found: ${startOptions.cwd}`, 'PROCESS_CWD_NOT_FOUND');
      const { error, errorCode } = describeSpawnError(err as NodeJS.ErrnoException, command);
      return failed(id, error, errorCode);
    }

    // Listeners go on before anything is awaited, so no event is missed.
    let resolveExit!: (exit: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    let exit: ProcessExit | undefined;
    let spawnError: NodeJS.ErrnoException | undefined;
    const spawned = new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', (err: NodeJS.ErrnoException) => {
        // 'error' also fires for a failed kill() after spawn; only the first one before spawn matters.
        if (child.pid === undefined) spawnError = err;
        resolve(false);
      });
    });
    child.on('error', (err) => log.debug({ id, err }, 'child process error'));
    let stopping: Promise<ProcessExit> | undefined;
    let cleanup: (removeRecord: boolean) => Promise<void> = async () => undefined;
    let managed: ManagedProcess | undefined;
    // Set once the group is known to be empty: after that, never signal the (recyclable) pgid again.
    let groupGone = false;
    let leaderExit: ProcessExit | undefined;
    child.once('exit', (code, signal) => {
      leaderExit = { code, signal };
      log.debug({ id, pid: child.pid, code, signal }, 'process exited');
      // Let the last output reach the LogStore first (bounded: a grandchild may hold the pipes).
      const final = leaderExit;
      void Promise.race([outputDone, sleep(OUTPUT_DRAIN_MS)]).then(() => {
        exit = final;
        resolveExit(final);
      });
      const pgid = child.pid;
      if (stopping || pgid === undefined) return;
      // The leader is gone; anything it left in its group goes too, then the record.
      void (async () => {
        if (await groupAlive(pgid)) {
          log.info({ id, pid: pgid }, 'terminating processes left in the group of an exited process');
          const result = await terminateGroup({ pgid, graceMs: defaultGraceMs });
          if (result.gone) groupGone = true;
        } else {
          groupGone = true;
        }
        await cleanup(groupGone);
      })().catch((err: unknown) => log.warn({ id, pid: pgid, err }, 'cleanup after exit failed'));
    });
    const outputDone = Promise.all([capture(id, child.stdout, 'stdout'), capture(id, child.stderr, 'stderr')]);

    if (!(await spawned) || child.pid === undefined) {
      if (await cwdMissing()) return failed(id, `working directory not found: ${startOptions.cwd}`, 'PROCESS_CWD_NOT_FOUND');
      const { error, errorCode } = describeSpawnError(spawnError ?? new Error('spawn failed'), command);
      return failed(id, error, errorCode);
    }

    const pid = child.pid;
    const startedAt = now();
    const recordWritten = records
      ? records.add({ pid, id, command }).catch((err: unknown) => {
          log.warn({ id, pid, err }, 'cannot write process record');
          return undefined;
        })
      : Promise.resolve(undefined);

    managed = {
      id,
      pid,
      startedAt,
      exited,
      recorded: recordWritten.then(() => undefined),
      get exit() {
        return exit;
      },
      stop(stopOptions?: StopOptions): Promise<ProcessExit> {
        if (stopping) return stopping;
        const graceMs = stopOptions?.graceMs ?? defaultGraceMs;
        stopping = (async () => {
          if (groupGone && exit) return exit;
          const result = await terminateGroup({ pgid: pid, graceMs, isDone: () => leaderExit !== undefined });
          if (result.killed) log.info({ id, pid, graceMs }, 'process group killed after grace period');
          if (result.gone) groupGone = true;
          else log.warn({ id, pid }, 'process group still present after SIGKILL; keeping its crash record');
          const final = await exited;
          await cleanup(result.gone);
          return final;
        })();
        return stopping;
      },
    };

    let cleaned = false;
    // Once per process: forget it and (when its group is really gone) remove its crash record, so
    // that a group which could not be killed is still reaped by the next instance.
    cleanup = async (removeRecord) => {
      if (cleaned) return;
      cleaned = true;
      await recordWritten;
      if (records && removeRecord) await records.remove(pid).catch(() => undefined);
      if (managed) {
        live.delete(managed);
        killers.delete(managed);
      }
    };

    if (!cleaned) {
      live.add(managed);
      killers.set(managed, () => {
        if (!groupGone) signalGroup(pid, 'SIGKILL');
      });
    }
    // The crash record is written in the background (`recorded`): waiting for it here would cost
    // every start a file write; cleanup still waits for it before removing it.
    log.debug({ id, pid, command }, 'process started');
    return managed;
  }

  return {
    start,
    running: () => [...live].filter((p) => p.exit === undefined),
    async stopAll(stopOptions?: StopOptions): Promise<void> {
      // Exited ones too: what they left in their group is terminated within this grace period.
      await Promise.all([...live].map((p) => p.stop(stopOptions)));
    },
    killAll() {
      for (const kill of killers.values()) kill();
    },
  };
}
