// Ending the CLI without losing output. process.stdout/stderr into a pipe are asynchronous on
// POSIX: once the pipe (64 KiB) is full, the rest waits in the stream, and process.exit() would
// drop it (`apphostctl get -o json | jq` got cut JSON). Every exit goes through here: it waits
// until what was written has reached the OS (or the reader went away), then exits.

type Out = NodeJS.WritableStream & { writable: boolean; destroyed?: boolean };

/** Resolves once everything written to `stream` so far is flushed (or cannot be, any more). */
export function drained(stream: Out): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    // Writes complete in order: the callback of an empty write runs after every earlier one.
    stream.write('', () => resolve());
  });
}

let exiting: Promise<never> | undefined;

/** Sets the exit code, waits for stdout and stderr to drain, then exits. */
export function exitWhenDrained(code: number): Promise<never> {
  process.exitCode = code;
  exiting ??= Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => process.exit(process.exitCode ?? code));
  return exiting;
}

/**
 * A reader that goes away (`apphostctl logs -f | head`) is not an error: stop quietly, as any
 * command-line tool killed by SIGPIPE does. Other stream errors end the CLI with code 1.
 */
export function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      process.exit(1);
    });
  }
}
