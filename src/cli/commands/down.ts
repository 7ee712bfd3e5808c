// apphostctl down: stops the apphost running for this folder (started with `up --detach`, or in
// another terminal) and waits for it to finish its clean shutdown.
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { findPidDir, isAlive, pidFilePath, readPid } from '../up/pid-file.ts';
import { parseDuration } from '../duration.ts';
import { rmSync } from 'node:fs';

export function downCommand(): Command {
  return new Command('down')
    .description('Stop the apphost of this folder (or the nearest parent) and wait until it has cleaned up')
    .option('--timeout <duration>', 'how long to wait for a clean stop before SIGKILL', '60s')
    .addHelpText('after', '\nExamples:\n  apphostctl up --detach\n  apphostctl down')
    .action(async (opts: { timeout: string }) => {
      const dir = findPidDir();
      const pid = dir ? readPid(pidFilePath(dir)) : undefined;
      if (!dir || pid === undefined || !isAlive(pid)) {
        if (dir) rmSync(pidFilePath(dir), { force: true });
        throw new CliError('NO_APPHOST', 'no running apphost found (no live .apphost/apphost.pid here or in a parent directory)');
      }
      const timeoutMs = parseDuration(opts.timeout);
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (isAlive(pid)) {
        if (Date.now() > deadline) {
          process.kill(pid, 'SIGKILL');
          rmSync(pidFilePath(dir), { force: true });
          throw new CliError('TIMEOUT', `apphost (pid ${pid}) did not stop within ${opts.timeout}: killed it; the next \`apphostctl up\` removes what it left`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      process.stdout.write(`apphost stopped (pid ${pid})\n`);
    });
}
