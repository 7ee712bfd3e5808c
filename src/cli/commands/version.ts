// apphostctl version: this client's version and, when an apphost runs, the server's.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { openSession, type GlobalOptions } from '../session.ts';

export function clientVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function versionCommand(): Command {
  return new Command('version')
    .description('Print the client version and, if an apphost runs, the server version')
    .option('--client', 'only the client version')
    .addHelpText('after', '\nExamples:\n  apphostctl version\n  apphostctl version --client')
    .action(async (opts: { client?: boolean }, cmd: Command) => {
      process.stdout.write(`Client Version: apphost ${clientVersion()}\n`);
      if (opts.client) return;
      const s = await openSession(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const v = await s.client.request<{ gitVersion?: string; platform?: string }>({ path: '/version' });
        process.stdout.write(`Server Version: ${v.gitVersion ?? 'unknown'} (${s.client.server})\n`);
      } finally {
        s.client.close();
      }
    });
}
