// apphostctl manifest -f apphost.ts: prints the YAML the apphost file (or manifests) produce.
import { Command } from 'commander';
import { stringify } from 'yaml';
import { loadInput } from '../load-input.ts';
import { parseOutput } from '../output/objects.ts';
import { CliError } from '../errors.ts';

export function manifestCommand(): Command {
  return new Command('manifest')
    .description('Print the manifests a TypeScript apphost file (or YAML) produces, without running anything')
    .requiredOption('-f, --filename <path>', 'apphost.ts / .js, or YAML/JSON file or folder')
    .option('-o, --output <format>', 'yaml (default) or json')
    .addHelpText('after', '\nExamples:\n  apphostctl manifest -f apphost.ts\n  apphostctl manifest -f apphost.ts -o json > app.json')
    .action(async (opts: { filename: string; output?: string }) => {
      const format = opts.output ? parseOutput(opts.output) : 'yaml';
      if (format !== 'yaml' && format !== 'json') throw new CliError('USAGE', '--output must be yaml or json');
      const { objects } = await loadInput(opts.filename);
      if (format === 'json') {
        process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n');
      } else {
        process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
      }
    });
}
