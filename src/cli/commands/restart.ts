// apphostctl restart resource/x: bumps the `apphost.dev/restartedAt` annotation, which the replicas
// controller includes in each replica's templateHash, so every replica is replaced.
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { objectPath, parseTargets, qualifiedName } from '../kinds.ts';
import { withSession } from '../session.ts';

export const RESTARTED_AT_ANNOTATION = 'apphost.dev/restartedAt';

export function restartCommand(): Command {
  return new Command('restart')
    .description('Restart every replica of a resource')
    .argument('<target...>', 'resource/NAME, or resource NAME')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl restart resource/api
  apphostctl restart res api frontend`,
    )
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        for (const t of parseTargets(await s.kinds(), args)) {
          if (t.name === undefined) throw new CliError('USAGE', 'restart needs a name: resource/NAME');
          if (t.kind.group !== 'apphost.dev' || t.kind.kind !== 'Resource') {
            throw new CliError('USAGE', `only resources can be restarted, not ${t.kind.plural}`);
          }
          await s.client.request({
            method: 'PATCH',
            path: objectPath(t.kind, s.namespace, t.name),
            body: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } } },
            contentType: 'application/merge-patch+json',
            query: { fieldManager: 'apphostctl' },
          });
          s.out.write(`${qualifiedName(t.kind, t.name)} restarted\n`);
        }
      });
    });
}
