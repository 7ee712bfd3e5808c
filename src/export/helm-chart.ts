// A Helm chart: the same objects as the plain manifests, with image, replicas, env, secrets, hosts,
// storage sizes and the ingress class taken from values.yaml. Secret-looking values are left out of
// values.yaml (keys to fill in) unless --include-secrets. The templates use Go text/template
// built-ins only (printf, index, range, if), nothing of Sprig, so they render the same in any Helm.
import { randomBytes } from 'node:crypto';
import { dockerfiles } from './dockerfile.ts';
import {
  DEFAULT_STORAGE,
  DEFAULT_JOB_WAIT_IMAGE,
  DEFAULT_WAIT_IMAGE,
  defaultHost,
  kubernetesObjects,
  usesStatefulSet,
  volumeName,
  type KubeParams,
} from './kubernetes-objects.ts';
import type { KubernetesWriterOptions } from './manifests.ts';
import type { ExportModel, ExportResource } from './model.ts';
import { toYaml, uniqueNotes, type ExportFile, type ExportResult } from './output.ts';

export const CHART_VERSION = '0.1.0';

/**
 * Template text goes into the objects as placeholder tokens (plain YAML scalars), replaced after
 * the YAML is written. A block token is a map key (`TOKEN: null`) replaced by whole lines.
 */
class Templating {
  readonly #nonce = randomBytes(4).toString('hex').toUpperCase();
  readonly #scalars = new Map<string, string>();
  readonly #blocks = new Map<string, string[]>();

  /** A value in the output: `{{ ... }}`. */
  scalar(expr: string): string {
    const token = `HELM${this.#nonce}S${this.#scalars.size}X`;
    this.#scalars.set(token, `{{ ${expr} }}`);
    return token;
  }

  /** A string value, quoted: whatever type the user gave in values.yaml. */
  string(expr: string): string {
    return this.scalar(`printf "%q" (printf "%v" ${expr})`);
  }

  /** Lines in place of a map entry, indented as the entry was. */
  block(lines: string[]): Record<string, null> {
    const token = `HELM${this.#nonce}B${this.#blocks.size}X`;
    this.#blocks.set(token, lines);
    return { [token]: null };
  }

  render(yaml: string): string {
    // Literal `{{` in commands or values must reach the output unchanged.
    let out = yaml.replace(/\{\{/g, '{{ "{{" }}');
    out = out.replace(new RegExp(`^( *)(HELM${this.#nonce}B\\d+X): null$`, 'gm'), (_m, indent: string, token: string) =>
      this.#blocks.get(token)!.map((l) => (l.startsWith('{{-') ? l : indent + l)).join('\n'),
    );
    return out.replace(new RegExp(`HELM${this.#nonce}S\\d+X`, 'g'), (token) => this.#scalars.get(token)!);
  }
}

function valuesOf(r: ExportResource): string {
  return `(index .Values.resources ${JSON.stringify(r.name)})`;
}

/** `range` over a map of values, one `"key": "value"` line each. */
function mapLines(expr: string): string[] {
  return [`{{- range $k, $v := ${expr} }}`, '{{ printf "%q" $k }}: {{ printf "%q" (printf "%v" $v) }}', '{{- end }}'];
}

/**
 * Rendering fails while a secret is empty, naming the value to set (as compose's `${X:?}` does).
 * Built-ins only: calling a template that does not exist is an error whose text is its name.
 */
function requireValue(r: ExportResource, key: string): string[] {
  const path = `resources.${r.name}.secrets.${key}`;
  return [`{{- if not (index ${valuesOf(r)}.secrets ${JSON.stringify(key)}) }}{{ template ${JSON.stringify(`${path} is empty: set it in values.yaml or with --set ${path}=...`)} }}{{- end }}`];
}

export function helmExport(model: ExportModel, options: KubernetesWriterOptions): ExportResult {
  const notes = [...model.notes];
  const t = new Templating();
  const params: KubeParams = {
    instance: t.string('.Release.Name'),
    managedBy: t.string('.Release.Service'),
    namespace: t.string('.Release.Namespace'),
    image: (r) => t.string(`${valuesOf(r)}.image`),
    replicas: (r) => t.scalar(`${valuesOf(r)}.replicas`),
    configData: (r) => t.block(mapLines(`${valuesOf(r)}.env`)),
    secret: (r, vars, meta) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta,
      type: 'Opaque',
      stringData: t.block([...vars.flatMap((v) => requireValue(r, v.name)), ...mapLines(`${valuesOf(r)}.secrets`)]),
    }),
    podAnnotations: () => undefined,
    host: (r, p) => t.string(`(index ${valuesOf(r)}.hosts ${JSON.stringify(p.portName)})`),
    ingressSpec: () => t.block(['{{- if .Values.ingress.className }}', 'ingressClassName: {{ printf "%q" .Values.ingress.className }}', '{{- end }}']),
    gatewayName: () => t.string('.Values.gateway.name'),
    storage: (r, volume) => t.string(`(index ${valuesOf(r)}.storage ${JSON.stringify(volume)})`),
    waitImage: () => t.string('.Values.waitImage'),
    jobWaitImage: () => t.string('.Values.jobWaitImage'),
  };
  const files: ExportFile[] = [];
  const values: Record<string, unknown> = { waitImage: DEFAULT_WAIT_IMAGE, jobWaitImage: DEFAULT_JOB_WAIT_IMAGE, ingress: { className: '' } };
  if (options.gateway) values.gateway = { name: options.gatewayName };
  const perResource: Record<string, unknown> = {};
  let secretsLeftOut = false;
  const { resources: lists, shared } = kubernetesObjects(model, params, options, notes);
  if (shared.length) files.push({ path: 'templates/job-waiter.yaml', content: t.render(shared.map((o) => toYaml(o)).join('---\n')) });
  for (const { resource: r, objects, env } of lists) {
    files.push({ path: `templates/${r.name}.yaml`, content: t.render(objects.map((o) => toYaml(o)).join('---\n')) });
    const v: Record<string, unknown> = { image: r.image, replicas: r.replicas };
    const plain = env.filter((e) => !e.secret);
    const secrets = env.filter((e) => e.secret);
    if (plain.length) v.env = Object.fromEntries(plain.map((e) => [e.name, e.value]));
    if (secrets.length) {
      v.secrets = Object.fromEntries(secrets.map((e) => [e.name, options.includeSecrets ? e.value : '']));
      if (!options.includeSecrets) secretsLeftOut = true;
    }
    const hosts = r.ports.filter((p) => p.isExternal && p.scheme.toLowerCase() === 'http');
    if (hosts.length) v.hosts = Object.fromEntries(hosts.map((p) => [p.portName, defaultHost(r, p)]));
    if (usesStatefulSet(r)) {
      v.storage = Object.fromEntries(r.volumes.map((vol, i) => [vol, i] as const).filter(([vol]) => vol.kind === 'named').map(([vol, i]) => [volumeName(vol.source, i), DEFAULT_STORAGE]));
    }
    perResource[r.name] = v;
  }
  values.resources = perResource;
  const chart = {
    apiVersion: 'v2',
    name: model.app,
    description: `${model.app}, exported by apphostctl export kubernetes`,
    type: 'application',
    version: CHART_VERSION,
    appVersion: CHART_VERSION,
  };
  const nsFlag = options.namespace ? ` --namespace ${options.namespace} --create-namespace` : '';
  const install = `helm install ${model.app} ${options.outDir}${nsFlag}`;
  files.unshift(
    { path: 'Chart.yaml', content: toYaml(chart) },
    {
      path: 'values.yaml',
      content: `# Values of the ${model.app} chart (apphostctl export kubernetes).${secretsLeftOut ? '\n# resources.<name>.secrets: fill in the empty values (or pass them with --set): the chart does not render while one is empty.' : ''}\n${toYaml(values)}`,
    },
    { path: '.helmignore', content: 'dockerfiles/\n' },
  );
  files.push({ path: 'templates/NOTES.txt', content: notesText(model, uniqueNotes(notes)).replace(/\{\{/g, '{{ "{{" }}') });
  files.push(...dockerfiles(model.resources, notes));
  if (secretsLeftOut) notes.push('secret-looking values were left out: fill resources.<name>.secrets in values.yaml (or export with --include-secrets)');
  return { files, notes: uniqueNotes(notes), next: [install] };
}

function notesText(model: ExportModel, notes: string[]): string {
  const lines = [`${model.app} is installed. Its services (Service DNS names in this namespace):`];
  for (const r of model.resources) {
    const ports = r.ports.map((p) => `${p.scheme}://${r.name}:${p.servicePort}`).join(', ');
    lines.push(`  ${r.name}${ports ? `: ${ports}` : ''}`);
  }
  if (notes.length) lines.push('', 'Exported with these notes:', ...notes.map((n) => `  - ${n}`));
  return lines.join('\n') + '\n';
}
