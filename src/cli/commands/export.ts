// apphostctl export compose|kubernetes -f apphost.ts -o OUT: writes the app for another engine and
// prints what it wrote. It runs nothing and contacts no cluster.
import { basename, dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { dns1123LabelErrors } from '../../api/names.ts';
import { buildModel, composeExport, helmExport, manifestsExport, writeExport, type ExportModel, type ExportResult } from '../../export/index.ts';
import { CliError } from '../errors.ts';
import { defaultInput, loadInput } from '../load-input.ts';

interface ExportOpts {
  filename?: string;
  output: string;
  image: string[];
  registry?: string;
  name?: string;
  includeSecrets?: boolean;
  format: string;
  gateway?: string | boolean;
  namespace?: string;
}

const TARGETS = ['kubernetes', 'compose'] as const;
const FORMATS = ['helm', 'manifests'] as const;
type Target = (typeof TARGETS)[number];

export function exportCommand(): Command {
  return new Command('export')
    .description('Write the app as a Helm chart, Kubernetes manifests or a Docker Compose file, without running anything')
    .addArgument(new Argument('<target>', `what to write: ${TARGETS.join(' | ')}`).choices(TARGETS))
    .option('-f, --filename <path>', 'apphost.ts / .js, or YAML/JSON file or folder (default: ./apphost.ts, else ./apphost.yaml)')
    .requiredOption('-o, --output <dir>', 'folder to write to (created; an earlier export there is replaced)')
    .option('--image <name=image>', 'container image of an executable (repeatable)', collect, [])
    .option('--registry <prefix>', 'registry prefix for the images apphost writes a Dockerfile for (Node apps without an image)')
    .addOption(new Option('--format <format>', 'kubernetes: a Helm chart, or plain manifests with kustomization.yaml').choices(FORMATS).default('helm'))
    .option('-n, --namespace <ns>', 'kubernetes: namespace to install into (manifests: kustomization namespace)')
    .option('--gateway [name]', 'kubernetes: Gateway API HTTPRoutes (attached to Gateway NAME, default "gateway") instead of Ingresses')
    .option('--name <app>', 'application name (default: the apphost file\'s name, else its folder)')
    .addOption(new Option('--include-secrets', 'write secret-looking values (PASSWORD, TOKEN, KEY, ...) into the output instead of leaving them to fill in'))
    .addHelpText(
      'after',
      `
Examples:
  apphostctl export kubernetes -f apphost.ts -o deploy/chart --image api=ghcr.io/org/api:1.2
  helm install myapp deploy/chart --namespace myapp --create-namespace
  apphostctl export kubernetes --format manifests -o deploy/k8s --namespace myapp && kubectl apply -k deploy/k8s
  apphostctl export compose -f apphost.ts -o deploy/compose --image api=ghcr.io/org/api:1.2
  cd deploy/compose && docker compose up`,
    )
    .action(async function (this: Command, target: Target) {
      // -n/--namespace is also apphostctl's global option: read it from either place.
      const opts = this.optsWithGlobals<ExportOpts>();
      const input = opts.filename ?? defaultInput(process.cwd());
      if (!input) throw new CliError('USAGE', 'no apphost.ts or apphost.yaml here: pass -f FILE|DIR');
      const loaded = await loadInput(input);
      const app = appName(opts.name ?? loaded.name, input);
      const model = buildModel(loaded.objects, { app, images: parseImages(opts.image), registry: opts.registry });
      const outDir = resolve(opts.output);
      const result = write(target, model, opts, outDir);
      const written = writeExport(outDir, result.files);
      report(target, opts.output, written, result);
    });
}

function write(target: Target, model: ExportModel, opts: ExportOpts, outDir: string): ExportResult {
  const includeSecrets = opts.includeSecrets ?? false;
  if (target === 'compose') {
    if (opts.format !== 'helm' || opts.gateway !== undefined || opts.namespace !== undefined) {
      throw new CliError('USAGE', '--format, --gateway and --namespace are for `export kubernetes` (compose has no namespace; its project is `docker compose -p NAME`)');
    }
    return composeExport(model, { includeSecrets, outDir });
  }
  if (opts.namespace !== undefined && dns1123LabelErrors(opts.namespace).length) {
    throw new CliError('USAGE', `--namespace ${opts.namespace}: ${dns1123LabelErrors(opts.namespace)[0]}`);
  }
  const options = {
    includeSecrets,
    outDir,
    namespace: opts.namespace,
    gateway: opts.gateway !== undefined && opts.gateway !== false,
    gatewayName: typeof opts.gateway === 'string' ? opts.gateway : 'gateway',
  };
  return opts.format === 'manifests' ? manifestsExport(model, options) : helmExport(model, options);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseImages(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const image = pair.slice(at + 1);
    if (at <= 0 || !image || /\s/.test(image)) throw new CliError('USAGE', `--image ${pair}: expected NAME=IMAGE, e.g. --image api=ghcr.io/org/api:1.2`);
    out[name] = image;
  }
  return out;
}

/** The app name must be a DNS label: it names the chart, the compose project and labels. */
function appName(given: string | undefined, input: string): string {
  const abs = resolve(input);
  const folder = basename(statSync(abs).isDirectory() ? abs : dirname(abs));
  const name = given ?? folder.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  const errs = dns1123LabelErrors(name);
  if (errs.length) throw new CliError('USAGE', `application name "${name}": ${errs[0]} (pass --name)`);
  return name;
}

function report(target: Target, out: string, written: readonly string[], result: ExportResult): void {
  const w = process.stdout;
  w.write(`Wrote ${target} export to ${out}:\n`);
  for (const f of written) w.write(`  ${f}\n`);
  if (result.notes.length) {
    w.write('Notes:\n');
    for (const n of result.notes) w.write(`  - ${n}\n`);
  }
  w.write('Next:\n');
  for (const n of result.next) w.write(`  ${n}\n`);
}
