// apphostctl entry point (bin/apphostctl.js registers tsx and imports this). Every failure ends as
// one `error: ...` line on stderr and a non-zero exit code, never a stack trace.
import { CommanderError } from 'commander';
import { toCliError } from './errors.ts';
import { exitQuietlyOnBrokenPipe, exitWhenDrained } from './exit.ts';
import { createProgram } from './program.ts';
import { registerApphostResolution } from './resolve-apphost.ts';

async function main(argv: string[]): Promise<number> {
  registerApphostResolution();
  const program = createProgram();
  program.exitOverride();
  // Commander's usage errors as one line, with where to look.
  const usageError = (name: string) => (s: string, write: (s: string) => void) => {
    const text = s.trim().replace(/^error: /, '');
    write(`error: ${text} (see \`${name} --help\`)\n`);
  };
  program.configureOutput({ outputError: usageError('apphostctl') });
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ outputError: usageError(`apphostctl ${c.name()}`) });
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return err.exitCode;
    }
    const e = toCliError(err);
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.APPHOST_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return e.exitCode;
  }
}

const fail = (err: unknown) => {
  process.stderr.write(`error: ${toCliError(err).message}\n`);
  void exitWhenDrained(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
exitQuietlyOnBrokenPipe();

const code = await main(process.argv);
// Commands that keep handles open on purpose (up, logs -f, get -w) return only when done; every
// line they wrote reaches the reader before the exit (a pipe is drained first).
await exitWhenDrained(code);
