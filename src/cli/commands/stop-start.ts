// apphostctl stop|start resource/x: a merge patch of spec.stopped. The replicas controller stops
// every replica (phase Stopped) and keeps spec.replicas, so `start` brings the same number back.
import { APPHOSTCTL_FIELD_MANAGER } from '../../api/field-managers.ts';
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { objectPath, parseTargets, qualifiedName } from '../kinds.ts';
import { withSession } from '../session.ts';

function stoppedCommand(verb: 'stop' | 'start'): Command {
  const stopped = verb === 'stop';
  return new Command(verb)
    .description(stopped ? 'Stop every replica of a resource (spec.stopped: true; replicas is kept)' : 'Start a stopped resource again (spec.stopped: false)')
    .argument('<target...>', 'resource/NAME, or resource NAME')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl ${verb} resource/api
  apphostctl ${verb} res api frontend`,
    )
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        for (const t of parseTargets(await s.kinds(), args)) {
          if (t.name === undefined) throw new CliError('USAGE', `${verb} needs a name: resource/NAME`);
          if (t.kind.group !== 'apphost.dev' || t.kind.kind !== 'Resource') {
            throw new CliError('USAGE', `only resources can be ${stopped ? 'stopped' : 'started'}, not ${t.kind.plural}`);
          }
          await s.client.request({
            method: 'PATCH',
            path: objectPath(t.kind, s.namespace, t.name),
            body: { spec: { stopped } },
            contentType: 'application/merge-patch+json',
            query: { fieldManager: APPHOSTCTL_FIELD_MANAGER },
          });
          s.out.write(`${qualifiedName(t.kind, t.name)} ${stopped ? 'stopped' : 'started'}\n`);
        }
      });
    });
}

export const stopCommand = (): Command => stoppedCommand('stop');
export const startCommand = (): Command => stoppedCommand('start');
