// Plain Kubernetes manifests for kustomize: one file per Resource, kustomization.yaml listing
// them (with the namespace), and the secret-looking env in a secretGenerator env file per resource,
// empty unless --include-secrets. `kubectl apply -k OUT` installs it.
import { createHash } from 'node:crypto';
import { dockerfiles } from './dockerfile.ts';
import {
  DEFAULT_STORAGE,
  DEFAULT_JOB_WAIT_IMAGE,
  DEFAULT_WAIT_IMAGE,
  defaultHost,
  kubernetesObjects,
  secretName,
  type KubeOptions,
  type KubeParams,
} from './kubernetes-objects.ts';
import type { ExportModel } from './model.ts';
import { toYaml, uniqueNotes, type ExportFile, type ExportResult, type WriterOptions } from './output.ts';

export interface KubernetesWriterOptions extends WriterOptions, KubeOptions {
  namespace?: string;
  /** Gateway the HTTPRoutes attach to (with `gateway`). */
  gatewayName: string;
  outDir: string;
}

export const CONFIG_HASH_ANNOTATION = 'apphost.dev/config-hash';

export function manifestsExport(model: ExportModel, options: KubernetesWriterOptions): ExportResult {
  const notes = [...model.notes];
  const params: KubeParams = {
    instance: model.app,
    managedBy: 'apphost',
    image: (r) => r.image,
    replicas: (r) => r.replicas,
    configData: (_r, vars) => Object.fromEntries(vars.map((v) => [v.name, v.value])),
    secret: () => undefined,
    // A changed env rolls the pods (the generated Secret's name changes with its content already).
    podAnnotations: (_r, vars) => {
      const plain = vars.filter((v) => !v.secret);
      if (!plain.length) return undefined;
      return { [CONFIG_HASH_ANNOTATION]: createHash('sha256').update(JSON.stringify(plain)).digest('hex').slice(0, 16) };
    },
    host: defaultHost,
    ingressSpec: () => ({}),
    gatewayName: () => options.gatewayName,
    storage: () => DEFAULT_STORAGE,
    waitImage: () => DEFAULT_WAIT_IMAGE,
    jobWaitImage: () => DEFAULT_JOB_WAIT_IMAGE,
  };
  const files: ExportFile[] = [];
  const kustomization: Record<string, unknown> = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
  const resources: string[] = [];
  if (options.namespace) {
    kustomization.namespace = options.namespace;
    files.push({ path: 'namespace.yaml', content: toYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace } }) });
    resources.push('namespace.yaml');
  }
  const generators: Record<string, unknown>[] = [];
  let secretsLeftOut = false;
  const { resources: perResource, shared } = kubernetesObjects(model, params, options, notes);
  if (shared.length) {
    files.push({ path: 'job-waiter.yaml', content: shared.map((o) => toYaml(o)).join('---\n') });
    resources.push('job-waiter.yaml');
  }
  for (const { resource, objects, env } of perResource) {
    const path = `${resource.name}.yaml`;
    files.push({ path, content: objects.map((o) => toYaml(o)).join('---\n') });
    resources.push(path);
    const secrets = env.filter((v) => v.secret);
    if (!secrets.length) continue;
    const envFile = `${resource.name}.secrets.env`;
    const lines = [`# Secret values of "${resource.name}" (kustomize makes the Secret ${secretName(resource)} from them).`];
    for (const v of secrets) {
      const value = options.includeSecrets ? v.value : '';
      if (/[\r\n]/.test(value)) {
        notes.push(`resource "${resource.name}": ${v.name} has several lines and cannot be written to ${envFile}; fill it in there`);
        lines.push(`${v.name}=`);
      } else lines.push(`${v.name}=${value}`);
      if (!options.includeSecrets) secretsLeftOut = true;
    }
    files.push({ path: envFile, content: lines.join('\n') + '\n' });
    // `env` (one file), not `envs`: the kustomize inside Debian's kubectl 1.20 knows only `env`, and
    // current kustomize still reads it.
    generators.push({ name: secretName(resource), env: envFile });
  }
  kustomization.resources = resources;
  if (generators.length) kustomization.secretGenerator = generators;
  files.unshift({ path: 'kustomization.yaml', content: `# ${model.app}: exported by apphostctl export kubernetes --format manifests\n${toYaml(kustomization)}` });
  files.push(...dockerfiles(model.resources, notes));
  if (secretsLeftOut) notes.push('secret-looking values were left out: fill them in the *.secrets.env files (or export with --include-secrets)');
  return { files, notes: uniqueNotes(notes), next: [`kubectl apply -k ${options.outDir}`] };
}
