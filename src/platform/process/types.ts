// Running executables: each replica is one child process in its own process group, its output
// captured line by line into a LogStore. Real implementation: process-runner.ts; in-memory
// simulator for controller tests: fake-process-runner.ts.

export interface StartOptions {
  /** Replica key, e.g. `default/api-0`: the LogStore id and the crash-record id. */
  id: string;
  command: string;
  args: string[];
  cwd?: string;
  /** Variables for the child. Merged over the parent's environment unless `inheritEnv` is false. */
  env: Record<string, string>;
  /** Default true: the child sees process.env overlaid with `env` (PATH, HOME, ...). */
  inheritEnv?: boolean;
}

export type ProcessErrorCode =
  | 'PROCESS_COMMAND_NOT_FOUND'
  | 'PROCESS_PERMISSION_DENIED'
  | 'PROCESS_CWD_NOT_FOUND'
  | 'PROCESS_SPAWN_FAILED'
  | 'PROCESS_RECORD_INVALID';

export interface ProcessExit {
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started, e.g. "command not found: foo". One line, for users. */
  error?: string;
  /** Stable code for `error` (use it as a condition reason). */
  errorCode?: ProcessErrorCode;
}

export interface StopOptions {
  /** Time between SIGTERM to the group and SIGKILL to the group. Default: the runner's graceMs (10 s). */
  graceMs?: number;
}

export interface ManagedProcess {
  readonly id: string;
  /** Pid of the group leader (== process group id). 0 when the spawn failed (then `exited` is resolved). */
  readonly pid: number;
  readonly startedAt: Date;
  /**
   * Resolves once when the leader has exited (or the spawn failed), after its output has reached
   * the LogStore (waiting at most 200 ms for the pipes to drain). Never rejects. Remaining
   * members of its process group are then terminated in the background (TERM, grace, KILL).
   */
  readonly exited: Promise<ProcessExit>;
  /** Resolves once the crash record is written (right after start; never rejects). */
  readonly recorded: Promise<void>;
  /** The exit, once known; undefined while running. */
  readonly exit: ProcessExit | undefined;
  /**
   * SIGTERM to the whole process group, SIGKILL to the group after the grace period; resolves with
   * the leader's exit once the group is gone. Idempotent; never rejects.
   */
  stop(options?: StopOptions): Promise<ProcessExit>;
}

export interface ProcessRunner {
  /**
   * Starts a child. Resolves once it is spawned, or, when it cannot be spawned (ENOENT, EACCES,
   * missing cwd), with a ManagedProcess whose pid is 0 and whose `exited` carries the error.
   * Rejects only on programming errors (empty command, empty id).
   */
  start(options: StartOptions): Promise<ManagedProcess>;
  /** Processes started by this runner that have not exited yet. */
  running(): ManagedProcess[];
  /** Stops every running process (in parallel) and resolves when all are gone. */
  stopAll(options?: StopOptions): Promise<void>;
  /**
   * SIGKILL to the group of every process not known to be gone, now (a second Ctrl+C): stops in
   * progress then end without waiting out their grace period.
   */
  killAll(): void;
}

// ---------------------------------------------------------------- crash records

/** What is written to `.apphost/processes/` for each running child, removed when it exits. */
export interface ProcessRecord {
  pid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): a recycled pid has a different one. */
  startTime: number;
  /** The apphost instance that started the child (see `currentInstanceId()`). */
  instanceId: string;
  /** Replica key. */
  id: string;
  command: string;
}

export interface ProcessRecords {
  readonly dir: string;
  readonly instanceId: string;
  /**
   * Durably records (fsync, rename) that this instance owns every process carrying its marker
   * (`APPHOST_INSTANCE=<instanceId>`), before the first child is spawned. Idempotent.
   */
  claim(): Promise<void>;
  /** Drops the claim once no record of this instance is left (after a clean stop). */
  release(): Promise<void>;
  /** Writes the record of a freshly started child (reads its start time from /proc). */
  add(entry: { pid: number; id: string; command: string }): Promise<ProcessRecord | undefined>;
  remove(pid: number): Promise<void>;
  /** Every record in the directory, of any instance. Unreadable files are skipped. */
  list(): Promise<ProcessRecord[]>;
}

export interface ReapOptions {
  dir: string;
  /** Whether the instance that wrote a record still runs. Default: `isInstanceAlive`. */
  isAlive?: (instanceId: string) => boolean | Promise<boolean>;
  /** Between SIGTERM and SIGKILL to an orphaned group. Default 2000 ms. */
  graceMs?: number;
}

export interface ReapedProcess {
  /** The dead instance the processes belonged to. */
  instanceId: string;
  /** Its crash record; undefined for a group found only by the instance marker in its environment. */
  record?: ProcessRecord;
  /** Pids that were signalled (the leader and/or other members of its group). */
  killed: number[];
}
