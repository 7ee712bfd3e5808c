// apphostctl api-resources: the kinds the server serves (built-in and users' CRDs).
import { Command } from 'commander';
import { groupSuffix, groupVersion } from '../kinds.ts';
import { printColumns } from '../output/columns.ts';
import { withSession } from '../session.ts';

export function apiResourcesCommand(): Command {
  return new Command('api-resources')
    .description('List the kinds the running apphost serves')
    .option('-o, --output <format>', '"name" prints only plural.group')
    .addHelpText('after', '\nExamples:\n  apphostctl api-resources\n  apphostctl api-resources -o name')
    .action(async (opts: { output?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const kinds = [...(await s.kinds()).all].sort((a, b) => a.plural.localeCompare(b.plural));
        if (opts.output === 'name') {
          s.out.write(kinds.map((k) => `${k.plural}${groupSuffix(k)}\n`).join(''));
          return;
        }
        printColumns(
          s.out,
          ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'],
          kinds.map((k) => [k.plural, k.shortNames.join(','), groupVersion(k), String(k.namespaced), k.kind]),
        );
      });
    });
}
