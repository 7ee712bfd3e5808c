// The Kubernetes objects of an export, one list per Resource: a Deployment (a StatefulSet with a
// PersistentVolumeClaim template when Persistent with named volumes, a Job when it runs to
// completion), its ConfigMap (plain env) and Secret (secret-looking env), a Service with one named
// port per endpoint, one more Service per network alias, an Ingress or HTTPRoutes for external http
// endpoints and a LoadBalancer Service for external tcp/udp ones. waitFor becomes an initContainer
// that waits for the dependency's Service. The values a chart makes configurable come from
// `KubeParams`, so plain manifests and the Helm chart are the same objects.
import { exportEnv, KUBERNETES_ADDRESSING, type ExportEnvVar } from './env.ts';
import { ExportError } from './errors.ts';
import { resourceNamed, type ExportModel, type ExportPort, type ExportResource } from './model.ts';

type Obj = Record<string, unknown>;

/** What differs between plain manifests and the chart's templates. */
export interface KubeParams {
  /** app.kubernetes.io/instance (the chart's release name). */
  instance: string;
  /** app.kubernetes.io/managed-by. */
  managedBy: string;
  /** metadata.namespace of every object, when set. */
  namespace?: string;
  image(r: ExportResource): string;
  replicas(r: ExportResource): number | string;
  /** ConfigMap data (the chart: its values). */
  configData(r: ExportResource, vars: readonly ExportEnvVar[]): Obj;
  /** The Secret object holding the secret-looking env, or none (kustomize generates it). */
  secret(r: ExportResource, vars: readonly ExportEnvVar[], meta: Obj): Obj | undefined;
  /** Annotations of the pod template (a config hash rolls the pods when the env changes). */
  podAnnotations(r: ExportResource, vars: readonly ExportEnvVar[]): Obj | undefined;
  host(r: ExportResource, p: ExportPort): string;
  /** Extra Ingress spec fields (ingressClassName). */
  ingressSpec(): Obj;
  gatewayName(): string;
  storage(r: ExportResource, volume: string): string;
  waitImage(): string;
  /** Image with kubectl that waits for a Job to complete. */
  jobWaitImage(): string;
}

export interface KubeOptions {
  /** Gateway API HTTPRoutes instead of Ingresses. */
  gateway: boolean;
}

export interface ResourceObjects {
  resource: ExportResource;
  objects: Obj[];
  env: ExportEnvVar[];
}

export const DEFAULT_WAIT_IMAGE = 'busybox:1.36';
export const DEFAULT_JOB_WAIT_IMAGE = 'registry.k8s.io/kubectl:v1.32.4';

/** The ServiceAccount of pods that wait for a Job: it may read Jobs, nothing else. */
export function jobWaiterName(model: ExportModel): string {
  return `${model.app}-job-waiter`;
}

/** True when some resource waits for another to complete (and so needs the job-waiter account). */
export function waitsForJobs(model: ExportModel, r: ExportResource): boolean {
  return r.waitFor.some((w) => w.condition === 'Completed' || resourceNamed(model, w.resource).job);
}
export const DEFAULT_STORAGE = '1Gi';

export function configMapName(r: ExportResource): string {
  return `${r.name}-env`;
}

export function secretName(r: ExportResource): string {
  return `${r.name}-secrets`;
}

/** Default host name of an external http endpoint: `<resource>.localhost`, `<resource>-<endpoint>.localhost` for more. */
export function defaultHost(r: ExportResource, p: ExportPort): string {
  const first = r.ports.find(isIngressPort);
  return first === p ? `${r.name}.localhost` : `${r.name}-${p.portName}.localhost`;
}

/** Volume name in the pod (and the claim template): a DNS label from the Docker volume name. */
export function volumeName(source: string | undefined, index: number): string {
  const base = (source ?? '').toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 50);
  return base && /^[a-z]/.test(base) ? base : `volume-${index}`;
}

export function usesStatefulSet(r: ExportResource): boolean {
  return r.persistent && !r.job && r.volumes.some((v) => v.kind === 'named');
}

function isIngressPort(p: ExportPort): boolean {
  return p.isExternal && p.scheme.toLowerCase() === 'http';
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface KubernetesObjects {
  resources: ResourceObjects[];
  /** Objects of the whole app (the job-waiter ServiceAccount, Role, RoleBinding), possibly none. */
  shared: Obj[];
}

export function kubernetesObjects(model: ExportModel, params: KubeParams, options: KubeOptions, notes: string[]): KubernetesObjects {
  return { resources: resourceObjectLists(model, params, options, notes), shared: jobWaiterObjects(model, params) };
}

/** RBAC for `kubectl wait --for=condition=complete job/X` from an initContainer. */
function jobWaiterObjects(model: ExportModel, params: KubeParams): Obj[] {
  if (!model.resources.some((r) => waitsForJobs(model, r))) return [];
  const name = jobWaiterName(model);
  const metadata: Obj = {
    name,
    ...(params.namespace !== undefined ? { namespace: params.namespace } : {}),
    labels: { 'app.kubernetes.io/instance': params.instance, 'app.kubernetes.io/part-of': model.app, 'app.kubernetes.io/managed-by': params.managedBy },
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name }],
    },
  ];
}

function resourceObjectLists(model: ExportModel, params: KubeParams, options: KubeOptions, notes: string[]): ResourceObjects[] {
  return model.resources.map((r) => {
    const longest = r.ports.some((p) => p.isExternal && !['http', 'https'].includes(p.scheme.toLowerCase())) ? `${r.name}-external` : r.name;
    if ((r.ports.length > 0 || usesStatefulSet(r)) && !DNS1035_LABEL.test(longest)) {
      throw new ExportError(
        'EXPORT_INVALID',
        `resource "${r.name}": its Service "${longest}" needs a name of at most 63 lower-case letters, digits and '-' that starts with a letter: rename the resource`,
      );
    }
    const env = exportEnv(model, r, KUBERNETES_ADDRESSING, notes);
    return { resource: r, objects: resourceObjects(model, r, env, params, options, notes), env };
  });
}

function resourceObjects(model: ExportModel, r: ExportResource, env: ExportEnvVar[], params: KubeParams, options: KubeOptions, notes: string[]): Obj[] {
  const meta = (name: string): Obj => ({
    name,
    ...(params.namespace !== undefined ? { namespace: params.namespace } : {}),
    labels: labels(model, r, params),
  });
  const objects: Obj[] = [];
  const plain = env.filter((v) => !v.secret);
  const secrets = env.filter((v) => v.secret);
  if (plain.length) objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configMapName(r)), data: params.configData(r, plain) });
  if (secrets.length) {
    const secret = params.secret(r, secrets, meta(secretName(r)));
    if (secret) objects.push(secret);
  }
  objects.push(workload(model, r, plain.length > 0, secrets.length > 0, env, params, meta, notes));
  const selector = selectorLabels(r, params);
  const servicePorts = r.ports.map((p) => ({ name: p.portName, port: p.servicePort, targetPort: p.portName, protocol: p.protocol }));
  if (servicePorts.length) {
    objects.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(r.name), spec: { selector, ports: servicePorts } });
  } else if (usesStatefulSet(r)) {
    objects.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(r.name), spec: { clusterIP: 'None', selector } });
  }
  for (const alias of r.aliases) {
    if (!DNS1035_LABEL.test(alias)) {
      notes.push(`resource "${r.name}": network alias "${alias}" is not a valid Service name, so it has no Service`);
      continue;
    }
    if (!servicePorts.length) {
      notes.push(`resource "${r.name}": network alias "${alias}" has no Service (the resource has no endpoints)`);
      continue;
    }
    objects.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(alias), spec: { selector, ports: servicePorts } });
  }
  objects.push(...externalObjects(r, params, options, meta, notes));
  return objects;
}

export function selectorLabels(r: ExportResource, params: KubeParams): Record<string, string> {
  return { 'app.kubernetes.io/name': r.name, 'app.kubernetes.io/instance': params.instance };
}

function labels(model: ExportModel, r: ExportResource, params: KubeParams): Record<string, string> {
  return { ...selectorLabels(r, params), 'app.kubernetes.io/part-of': model.app, 'app.kubernetes.io/managed-by': params.managedBy };
}

function workload(
  model: ExportModel,
  r: ExportResource,
  hasConfig: boolean,
  hasSecrets: boolean,
  env: ExportEnvVar[],
  params: KubeParams,
  meta: (name: string) => Obj,
  notes: string[],
): Obj {
  const statefulSet = usesStatefulSet(r);
  const container: Obj = { name: r.name, image: params.image(r) };
  if (r.command) container.command = r.command;
  if (r.args) container.args = r.args;
  if (r.ports.length) container.ports = r.ports.map((p) => ({ name: p.portName, containerPort: p.containerPort, protocol: p.protocol }));
  const envFrom: Obj[] = [];
  if (hasConfig) envFrom.push({ configMapRef: { name: configMapName(r) } });
  if (hasSecrets) envFrom.push({ secretRef: { name: secretName(r) } });
  if (envFrom.length) container.envFrom = envFrom;
  Object.assign(container, probes(r));
  const { mounts, volumes, claims } = podVolumes(r, statefulSet, params, notes);
  if (mounts.length) container.volumeMounts = mounts;
  const podSpec: Obj = {};
  const waits = initContainers(model, r, params, notes);
  if (waits.length) podSpec.initContainers = waits;
  if (waitsForJobs(model, r)) podSpec.serviceAccountName = jobWaiterName(model);
  podSpec.containers = [container];
  if (volumes.length) podSpec.volumes = volumes;
  if (r.stopGracePeriodSeconds !== undefined) podSpec.terminationGracePeriodSeconds = r.stopGracePeriodSeconds;
  if (r.job) podSpec.restartPolicy = r.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
  const template: Obj = { metadata: { labels: selectorLabels(r, params) }, spec: podSpec };
  const annotations = params.podAnnotations(r, env);
  if (annotations) (template.metadata as Obj).annotations = annotations;
  if (r.job) {
    if (r.replicas !== 1) notes.push(`resource "${r.name}" runs to completion: it becomes a Job with ${r.replicas} parallel pod(s)`);
    return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(r.name), spec: { parallelism: params.replicas(r), completions: params.replicas(r), backoffLimit: r.restartPolicy === 'Never' ? 0 : 6, template } };
  }
  if (r.restartPolicy === 'Never') notes.push(`resource "${r.name}": restartPolicy Never becomes a Job`);
  const spec: Obj = { replicas: params.replicas(r), selector: { matchLabels: selectorLabels(r, params) }, template };
  if (statefulSet) {
    spec.serviceName = r.name;
    spec.volumeClaimTemplates = claims;
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(r.name), spec };
  }
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(r.name), spec };
}

/** Readiness from the health check (or tcp on the first endpoint, as apphost probes); liveness only from an explicit one. */
function probes(r: ExportResource): Obj {
  const h = r.health;
  if (!h || h.port.protocol !== 'TCP') return {};
  const action: Obj =
    h.type === 'http'
      ? { httpGet: { path: h.path, port: h.port.portName, ...(h.port.scheme.toLowerCase() === 'https' ? { scheme: 'HTTPS' } : {}) } }
      : { tcpSocket: { port: h.port.portName } };
  const timing: Obj = {};
  if (h.intervalSeconds !== undefined) timing.periodSeconds = h.intervalSeconds;
  if (h.timeoutSeconds !== undefined) timing.timeoutSeconds = h.timeoutSeconds;
  const out: Obj = { readinessProbe: { ...action, ...timing } };
  if (h.explicit) out.livenessProbe = { ...action, ...timing, initialDelaySeconds: 10, failureThreshold: 6 };
  return out;
}

function podVolumes(r: ExportResource, statefulSet: boolean, params: KubeParams, notes: string[]): { mounts: Obj[]; volumes: Obj[]; claims: Obj[] } {
  const mounts: Obj[] = [];
  const volumes: Obj[] = [];
  const claims: Obj[] = [];
  const used = new Set<string>();
  r.volumes.forEach((v, i) => {
    let name = volumeName(v.kind === 'named' ? v.source : undefined, i);
    if (used.has(name)) name = `${name.slice(0, 50)}-${i}`;
    used.add(name);
    mounts.push({ name, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
    if (statefulSet && v.kind === 'named') {
      claims.push({
        metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: params.storage(r, name) } } },
      });
      return;
    }
    volumes.push({ name, emptyDir: {} });
    if (v.kind === 'bind') notes.push(`resource "${r.name}": bind mount ${v.source} -> ${v.target} becomes an emptyDir (put the files into the image or a ConfigMap)`);
    else if (v.kind === 'named') notes.push(`resource "${r.name}": volume "${v.source}" becomes an emptyDir (Session lifetime); make the resource Persistent for a PersistentVolumeClaim`);
  });
  return { mounts, volumes, claims };
}

/**
 * One initContainer per waitFor: busybox `nc -z` until the dependency's Service answers (ready pods
 * only), or, for a Job to complete, `kubectl wait --for=condition=complete`.
 */
function initContainers(model: ExportModel, r: ExportResource, params: KubeParams, notes: string[]): Obj[] {
  const out: Obj[] = [];
  for (const w of r.waitFor) {
    const dep = resourceNamed(model, w.resource);
    if (w.condition === 'Completed' || dep.job) {
      // Kubernetes has no start order: the pod asks the API (read-only on Jobs) until the Job completed.
      out.push({
        name: `wait-for-${dep.name}`.slice(0, 63).replace(/-$/, ''),
        image: params.jobWaitImage(),
        command: ['kubectl', 'wait', '--for=condition=complete', `job/${dep.name}`, '--timeout=10m'],
      });
      continue;
    }
    const port = dep.health?.port.protocol === 'TCP' ? dep.health.port : dep.ports.find((p) => p.protocol === 'TCP');
    if (!port) {
      notes.push(`resource "${r.name}" waits for "${dep.name}", which has no tcp endpoint to wait on: it starts at once`);
      continue;
    }
    const target = `${dep.name} ${port.servicePort}`;
    out.push({
      name: `wait-for-${dep.name}`.slice(0, 63).replace(/-$/, ''),
      image: params.waitImage(),
      command: ['sh', '-c', `until nc -z -w 2 ${target}; do echo "waiting for ${dep.name}:${port.servicePort}"; sleep 2; done`],
    });
  }
  return out;
}

function externalObjects(r: ExportResource, params: KubeParams, options: KubeOptions, meta: (name: string) => Obj, notes: string[]): Obj[] {
  const out: Obj[] = [];
  const web = r.ports.filter(isIngressPort);
  if (web.length && options.gateway) {
    for (const p of web) {
      out.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta(web.length === 1 ? r.name : `${r.name}-${p.portName}`),
        spec: { parentRefs: [{ name: params.gatewayName() }], hostnames: [params.host(r, p)], rules: [{ backendRefs: [{ name: r.name, port: p.servicePort }] }] },
      });
    }
  } else if (web.length) {
    const rules = web.map((p) => ({
      host: params.host(r, p),
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: r.name, port: { name: p.portName } } } }] },
    }));
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(r.name), spec: { ...params.ingressSpec(), rules } });
  }
  for (const p of r.ports.filter((x) => x.isExternal && x.scheme.toLowerCase() === 'https')) {
    notes.push(`resource "${r.name}": external https endpoint "${p.endpoint}" gets no route (TLS ends at the ingress or gateway; expose its http endpoint)`);
  }
  const raw = r.ports.filter((p) => p.isExternal && !['http', 'https'].includes(p.scheme.toLowerCase()));
  if (raw.length) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`${r.name}-external`),
      spec: { type: 'LoadBalancer', selector: selectorLabels(r, params), ports: raw.map((p) => ({ name: p.portName, port: p.servicePort, targetPort: p.portName, protocol: p.protocol })) },
    });
  }
  return out;
}
