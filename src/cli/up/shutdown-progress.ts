// What `up` says while it shuts down: what it waits for and how long (replicas get the grace period
// after SIGTERM, then SIGKILL), a line every few seconds while something is still running, and
// what a second Ctrl+C does. Without it a replica that ignores SIGTERM kept the terminal silent for
// the whole grace period.

export interface ShutdownProgressOptions {
  write(text: string): void;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Replica processes still running (`<namespace>/<replica>` ids). */
  processes(): { id: string; pid: number }[];
  /** Containers the stop waits for (they get the same grace). */
  containers: number;
  everyMs?: number;
  now?: () => number;
}

const seconds = (ms: number) => `${Math.max(0, Math.ceil(ms / 1000))}s`;

function names(procs: { id: string; pid: number }[]): string {
  const shown = procs.slice(0, 4).map((p) => `${p.id.split('/').pop()} (pid ${p.pid})`);
  return procs.length > shown.length ? `${shown.join(', ')} and ${procs.length - shown.length} more` : shown.join(', ');
}

/** The first line of the shutdown. */
export function shutdownLine(app: string, reason: string, options: Pick<ShutdownProgressOptions, 'graceMs' | 'processes' | 'containers'>): string {
  const parts = [];
  const procs = options.processes().length;
  if (procs > 0) parts.push(`${procs} replica process(es)`);
  if (options.containers > 0) parts.push(`${options.containers} container(s)`);
  if (parts.length === 0) return `stopping apphost ${app} (${reason})...`;
  return `stopping apphost ${app} (${reason}): ${parts.join(' and ')} get up to ${seconds(options.graceMs)} to exit after SIGTERM, then SIGKILL; press Ctrl+C again to kill them now`;
}

/** Prints, every `everyMs` (2 s) while replica processes remain, which ones and when SIGKILL comes. */
export function startShutdownProgress(options: ShutdownProgressOptions): { stop(): void } {
  const now = options.now ?? Date.now;
  const t0 = now();
  const timer = setInterval(() => {
    const left = options.processes();
    if (left.length === 0) return;
    const remaining = options.graceMs - (now() - t0);
    options.write(`  waiting for ${names(left)} to exit: ${remaining > 0 ? `SIGKILL in ${seconds(remaining)}` : 'killed, waiting for its process group to go'}\n`);
  }, options.everyMs ?? 2000);
  return { stop: () => clearInterval(timer) };
}
