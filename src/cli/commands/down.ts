// apphostctl down: stops the apphost running for this folder (started with `up --detach`, or in
// another terminal) and waits for it to finish its clean shutdown. Only a process that is that
// apphost (pid and start time of the pid file) is ever signalled.
import { Command } from 'commander';
import { rmSync } from 'node:fs';
import { CliError } from '../errors.ts';
import { findPidDir, isApphost, pidFilePath, readPidFile } from '../up/pid-file.ts';
import { parseDuration } from '../duration.ts';

export function downCommand(): Command {
  return new Command('down')
    .description('Stop the apphost of this folder (or the nearest parent) and wait until it has cleaned up')
    .option('--timeout <duration>', 'how long to wait for a clean stop before SIGKILL', '60s')
    .addHelpText('after', '\nExamples:\n  apphostctl up --detach\n  apphostctl down')
    .action(async (opts: { timeout: string }) => {
      const timeoutMs = parseDuration(opts.timeout);
      const dir = findPidDir();
      const file = dir ? readPidFile(pidFilePath(dir)) : undefined;
      if (!dir || !file || !isApphost(file)) {
        if (dir) rmSync(pidFilePath(dir), { force: true });
        const stale = file ? `: .apphost/apphost.pid named pid ${file.pid}, which is not that apphost (a stale file, removed; nothing was signalled)` : '';
        throw new CliError('NO_APPHOST', `no running apphost found${stale || ' (no live .apphost/apphost.pid here or in a parent directory)'}`);
      }
      const { pid } = file;
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (isApphost(file)) {
        if (Date.now() > deadline) {
          if (isApphost(file)) process.kill(pid, 'SIGKILL');
          rmSync(pidFilePath(dir), { force: true });
          throw new CliError('TIMEOUT', `apphost (pid ${pid}) did not stop within ${opts.timeout}: killed it; the next \`apphostctl up\` removes what it left`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      process.stdout.write(`apphost stopped (pid ${pid})\n`);
    });
}
