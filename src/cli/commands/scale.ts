// apphostctl scale resource/x --replicas=N: a merge patch of spec.replicas; the replicas
// controller adds or removes replicas without touching the others.
import { APPHOSTCTL_FIELD_MANAGER } from '../../api/field-managers.ts';
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { objectPath, parseTargets, qualifiedName } from '../kinds.ts';
import { withSession } from '../session.ts';

export function scaleCommand(): Command {
  return new Command('scale')
    .description('Set the number of replicas of a resource (live, without restarting the others)')
    .argument('<target...>', 'resource/NAME, or resource NAME')
    .requiredOption('--replicas <n>', 'the new number of replicas')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl scale resource/api --replicas=3
  apphostctl scale res api --replicas 0`,
    )
    .action(async (args: string[], opts: { replicas: string }, cmd: Command) => {
      const n = Number(opts.replicas);
      if (!Number.isInteger(n) || n < 0) throw new CliError('USAGE', `--replicas needs a whole number >= 0, got "${opts.replicas}"`);
      await withSession(cmd, async (s) => {
        for (const t of parseTargets(await s.kinds(), args)) {
          if (t.name === undefined) throw new CliError('USAGE', 'scale needs a name: resource/NAME');
          if (t.kind.group !== 'apphost.dev' || t.kind.kind !== 'Resource') {
            throw new CliError('USAGE', `only resources can be scaled, not ${t.kind.plural}`);
          }
          await s.client.request({
            method: 'PATCH',
            path: objectPath(t.kind, s.namespace, t.name),
            body: { spec: { replicas: n } },
            contentType: 'application/merge-patch+json',
            query: { fieldManager: APPHOSTCTL_FIELD_MANAGER },
          });
          s.out.write(`${qualifiedName(t.kind, t.name)} scaled\n`);
        }
      });
    });
}
