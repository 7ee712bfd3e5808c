// apphostctl export kubernetes through the real CLI, from a TypeScript apphost file. The plain
// manifests are built by the real `kubectl kustomize`, the chart is rendered with the real Go
// template engine (render-chart.ts), and every object of both is validated against the Kubernetes
// OpenAPI schemas (kube-validate.ts). Then the objects are checked for what the export promises.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';
import { validateKubeObject } from './kube-validate.ts';
import { renderChart, type RenderedChart } from './render-chart.ts';

const run = promisify(execFile);

const APPHOST_TS = `import { createBuilder } from 'apphost';
const b = createBuilder({ name: 'shop' });
const cache = b.addContainer('cache', { image: 'redis', tag: '7' })
  .withArgs('--save', '{{literal}}')
  .withEndpoint({ name: 'tcp', targetPort: 6379 })
  .withContainerNetworkAlias('redis-primary')
  .withVolume('cache-data', '/data')
  .withLifetime('persistent');
const migrate = b.addContainer('migrate', { image: 'ghcr.io/org/migrate', tag: '1' }).withRestartPolicy('Never');
const api = b.addExecutable('api', 'python3', './api', ['app.py'])
  .withImage('ghcr.io/org/api:1.2')
  .withHttpEndpoint({ env: 'PORT' })
  .withHttpsEndpoint({ env: 'HTTPS_PORT' })
  .withEndpoint({ name: 'admin', scheme: 'tcp', port: 9000, env: 'ADMIN_PORT', isExternal: true })
  .withReplicas(2)
  .withEnvironment('DB_PASSWORD', 'hunter2')
  .withEnvironment('GREETING', 'hello $(USER) {{ .x }}')
  .withReference(cache)
  .withHttpHealthCheck('/health', 'http')
  .waitFor(cache, 'Healthy')
  .waitForCompletion(migrate);
const auth = b.addContainer('auth-svc', { image: 'ghcr.io/org/auth', tag: '3' })
  .withHttpEndpoint({ targetPort: 80 })
  .withEndpoint({ name: 'Metrics-Prometheus-A', targetPort: 9100, excludeFromReferences: true })
  .withEndpoint({ name: 'Metrics-Prometheus-B', targetPort: 9101, excludeFromReferences: true });
b.addNodeApp('web', './web', 'server.js')
  .withHttpEndpoint({ port: 5066, env: 'PORT', isExternal: true })
  .withReference(api)
  .withReference(auth)
  .withEnvironment('API_PORT', api.getEndpoint('http').property('port'))
  .waitFor(api);
await b.build().run();
`;

type Obj = RenderedChart['objects'][number];
type Container = { name: string; image: string; args?: string[]; command?: string[]; ports?: { name: string; containerPort: number }[]; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; readinessProbe?: unknown; livenessProbe?: unknown; volumeMounts?: unknown[] };
type PodSpec = { initContainers?: Container[]; containers: Container[]; restartPolicy?: string };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apphost-export-k8s-'));
  writeFileSync(join(dir, 'apphost.ts'), APPHOST_TS);
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'server.js'), '');
  writeFileSync(join(dir, 'web', 'package.json'), '{"name":"web"}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const find = (objects: Obj[], kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  expect(o, `${kind}/${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`).toBeDefined();
  return o!;
};
const pod = (o: Obj): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;
const spec = (o: Obj) => o.spec as Record<string, unknown>;

/** What both formats promise, checked on the objects as a cluster would receive them. */
function checkCommon(objects: Obj[], env: (resource: string) => Record<string, string>, secretRef: (resource: string) => string): void {
  for (const o of objects) validateKubeObject(o);
  // A Deployment per resource, replicas kept; probes from the health check.
  const api = find(objects, 'Deployment', 'api');
  expect(spec(api).replicas).toBe(2);
  const apiContainer = pod(api).containers[0]!;
  expect(apiContainer.image).toBe('ghcr.io/org/api:1.2');
  expect(apiContainer.ports).toEqual([
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'https', containerPort: 8081, protocol: 'TCP' },
    { name: 'admin', containerPort: 8082, protocol: 'TCP' },
  ]);
  expect(apiContainer.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'http' } });
  expect(apiContainer.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 'http' } });
  // waitFor: an initContainer waiting on the dependency's Service port, and one waiting for the Job
  // to complete through the API, with a ServiceAccount that may only read Jobs.
  expect(pod(api).initContainers!.map((c) => c.command)).toEqual([
    ['sh', '-c', 'until nc -z -w 2 cache 6379; do echo "waiting for cache:6379"; sleep 2; done'],
    ['kubectl', 'wait', '--for=condition=complete', 'job/migrate', '--timeout=10m'],
  ]);
  expect((pod(api) as { serviceAccountName?: string }).serviceAccountName).toBe('shop-job-waiter');
  expect((pod(find(objects, 'Deployment', 'web')) as { serviceAccountName?: string }).serviceAccountName).toBeUndefined();
  expect(find(objects, 'Role', 'shop-job-waiter').rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }]);
  expect(find(objects, 'RoleBinding', 'shop-job-waiter')).toMatchObject({
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'shop-job-waiter' },
    subjects: [{ kind: 'ServiceAccount', name: 'shop-job-waiter' }],
  });
  find(objects, 'ServiceAccount', 'shop-job-waiter');
  // The env-assigned ports are fixed and handed over; plain env in the ConfigMap, secrets apart.
  expect(env('api')).toEqual({
    services__cache__tcp__0: 'tcp://cache:6379',
    CACHE_TCP: 'tcp://cache:6379',
    GREETING: 'hello $(USER) {{ .x }}',
    PORT: '8080',
    HTTPS_PORT: '8081',
    ADMIN_PORT: '8082',
  });
  expect(apiContainer.envFrom).toEqual([{ configMapRef: { name: 'api-env' } }, { secretRef: { name: secretRef('api') } }]);
  // Service with named ports: port (what clients use) -> targetPort (the container's port name).
  expect(spec(find(objects, 'Service', 'api')).ports).toEqual([
    { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
    { name: 'https', port: 8081, targetPort: 'https', protocol: 'TCP' },
    { name: 'admin', port: 9000, targetPort: 'admin', protocol: 'TCP' },
  ]);
  expect(spec(find(objects, 'Service', 'web')).ports).toEqual([{ name: 'http', port: 5066, targetPort: 'http', protocol: 'TCP' }]);
  // Discovery names Service DNS names and Service ports (admin: 9000, not its targetPort); https dropped.
  expect(env('web')).toEqual({
    services__api__http__0: 'http://api:8080',
    API_HTTP: 'http://api:8080',
    services__api__admin__0: 'tcp://api:9000',
    API_ADMIN: 'tcp://api:9000',
    // A hyphen stays in the services__ form (valid in Kubernetes) and is encoded in the other (Aspire #16613).
    'services__auth-svc__http__0': 'http://auth-svc:80',
    AUTH_SVC_HTTP: 'http://auth-svc:80',
    API_PORT: '8080',
    PORT: '8080',
  });
  // Port names follow Kubernetes' rule (lower case, at most 15), unique, in Service and container alike.
  expect(spec(find(objects, 'Service', 'auth-svc')).ports).toEqual([
    { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    { name: 'metrics-prometh', port: 9100, targetPort: 'metrics-prometh', protocol: 'TCP' },
    { name: 'metrics-prome-2', port: 9101, targetPort: 'metrics-prome-2', protocol: 'TCP' },
  ]);
  expect(pod(find(objects, 'Deployment', 'auth-svc')).containers[0]!.ports!.map((p) => p.name)).toEqual(['http', 'metrics-prometh', 'metrics-prome-2']);
  // A persistent container with a volume: StatefulSet with a claim template; its alias a Service.
  const cache = find(objects, 'StatefulSet', 'cache');
  expect(spec(cache).serviceName).toBe('cache');
  expect(spec(cache).volumeClaimTemplates).toEqual([
    { metadata: { name: 'cache-data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  ]);
  expect(pod(cache).containers[0]).toMatchObject({ image: 'redis:7', args: ['--save', '{{literal}}'], volumeMounts: [{ name: 'cache-data', mountPath: '/data' }] });
  expect(spec(find(objects, 'Service', 'redis-primary'))).toEqual(spec(find(objects, 'Service', 'cache')));
  // A resource another waits to complete: a Job.
  expect(pod(find(objects, 'Job', 'migrate')).restartPolicy).toBe('Never');
  // External: an Ingress for http, a LoadBalancer Service for tcp.
  expect(spec(find(objects, 'Service', 'api-external'))).toMatchObject({ type: 'LoadBalancer', ports: [{ name: 'admin', port: 9000, targetPort: 'admin', protocol: 'TCP' }] });
  // The generated image of the Node app.
  expect(pod(find(objects, 'Deployment', 'web')).containers[0]!.image).toBe('ghcr.io/org/web:latest');
  // Labels and selectors.
  for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
    const sel = (spec(o).selector as { matchLabels: Record<string, string> }).matchLabels;
    expect(sel['app.kubernetes.io/name']).toBe(o.metadata.name);
    expect((spec(o).template as { metadata: { labels: Record<string, string> } }).metadata.labels).toMatchObject(sel);
    expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'shop', ...sel });
    expect(o.metadata.labels!['app.kubernetes.io/managed-by']).toBeTruthy();
  }
}

const setSecret = (value: string) => (v: Record<string, unknown>) => {
  ((v.resources as Record<string, Record<string, Record<string, unknown>>>).api!.secrets!).DB_PASSWORD = value;
};

const configEnv = (objects: Obj[]) => (resource: string) => find(objects, 'ConfigMap', `${resource}-env`).data as Record<string, string>;

describe('export kubernetes --format manifests (kubectl kustomize)', () => {
  let objects: Obj[];
  let stdout: string;
  beforeAll(async () => {
    const out = join(dir, 'manifests');
    const r = await runCli(['export', 'kubernetes', '--format', 'manifests', '-o', out, '--namespace', 'shop', '--registry', 'ghcr.io/org'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
    const { stdout: built } = await run('kubectl', ['kustomize', out], { timeout: 60_000 });
    objects = parseAllDocuments(built).map((d) => d.toJS());
  });

  it('builds with kubectl kustomize into valid objects that keep the app model', () => {
    const secret = objects.find((o) => o.kind === 'Secret')!;
    checkCommon(objects, configEnv(objects), () => secret.metadata.name);
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'shop')).toBe(true);
    const ingress = find(objects, 'Ingress', 'web');
    expect(spec(ingress).rules).toEqual([{ host: 'web.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }]);
  });

  it('leaves secret values out: kustomize generates the Secret from an env file to fill in', () => {
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(secret.metadata.name).toMatch(/^api-secrets-[a-z0-9]+$/);
    expect(secret.data).toEqual({ DB_PASSWORD: '' });
    expect(JSON.stringify(objects)).not.toContain('hunter2');
    expect(readFileSync(join(dir, 'manifests', 'api.secrets.env'), 'utf8')).toMatch(/^DB_PASSWORD=$/m);
    expect(stdout).toMatch(/fill them in the \*\.secrets\.env files/);
  });

  it('says what it could not carry over', () => {
    expect(stdout).toMatch(/https endpoint "https" of "api" is not injected \(TLS ends at the ingress/);
    expect(stdout).toMatch(/dockerfiles\/web\.Dockerfile/);
    expect(stdout).toMatch(/kubectl apply -k /);
  });

  it('--include-secrets puts the values into the generated Secret', async () => {
    const out = join(dir, 'manifests-secrets');
    await runCli(['export', 'kubernetes', '--format', 'manifests', '-o', out, '--include-secrets', '--image', 'web=w:1'], dir);
    const { stdout: built } = await run('kubectl', ['kustomize', out], { timeout: 60_000 });
    const secret = parseAllDocuments(built).map((d) => d.toJS() as Obj).find((o) => o.kind === 'Secret')!;
    expect(Buffer.from((secret.data as Record<string, string>).DB_PASSWORD!, 'base64').toString()).toBe('hunter2');
  });
});

describe('export kubernetes (Helm chart, rendered with the Go template engine)', () => {
  const out = () => join(dir, 'chart');
  beforeAll(async () => {
    const r = await runCli(['export', 'kubernetes', '-o', out(), '--registry', 'ghcr.io/org'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/helm install shop /);
  });

  it('does not render while a secret is empty, naming the value to set', async () => {
    await expect(renderChart(out(), { name: 'prod', namespace: 'shop-prod' })).rejects.toThrow(
      /resources\.api\.secrets\.DB_PASSWORD is empty: set it in values\.yaml or with --set resources\.api\.secrets\.DB_PASSWORD=\.\.\./,
    );
  });

  it('renders with the default values (and the secret set) into valid objects that keep the app model', async () => {
    const { objects, notes } = await renderChart(out(), { name: 'prod', namespace: 'shop-prod' }, setSecret('s3t'));
    checkCommon(objects, configEnv(objects), () => 'api-secrets');
    expect(objects.every((o) => o.metadata.namespace === 'shop-prod')).toBe(true);
    expect(find(objects, 'Deployment', 'api').metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'prod', 'app.kubernetes.io/managed-by': 'Helm' });
    // The secret's value stays out of the chart: an empty key in values.yaml to fill.
    expect(find(objects, 'Secret', 'api-secrets').stringData).toEqual({ DB_PASSWORD: 's3t' });
    expect(readFileSync(join(out(), 'values.yaml'), 'utf8')).toMatch(/^ {6}DB_PASSWORD: ""$/m);
    expect(readFileSync(join(out(), 'values.yaml'), 'utf8')).not.toContain('hunter2');
    expect(notes).toMatch(/api: http:\/\/api:8080/);
    expect(spec(find(objects, 'Ingress', 'web')).ingressClassName).toBeUndefined();
  });

  it('takes replicas, images, env, secrets, hosts, storage and the ingress class from values', async () => {
    const { objects } = await renderChart(out(), { name: 'prod', namespace: 'shop' }, (v) => {
      const r = v.resources as Record<string, Record<string, unknown>>;
      r.api!.replicas = 5;
      r.api!.image = 'ghcr.io/org/api:2.0';
      (r.api!.env as Record<string, unknown>).FEATURE_X = true;
      (r.api!.secrets as Record<string, unknown>).DB_PASSWORD = 'from "values"';
      (r.web!.hosts as Record<string, unknown>).http = 'shop.example.com';
      (r.cache!.storage as Record<string, unknown>)['cache-data'] = '20Gi';
      (v.ingress as Record<string, unknown>).className = 'nginx';
    });
    for (const o of objects) validateKubeObject(o);
    const api = find(objects, 'Deployment', 'api');
    expect(spec(api).replicas).toBe(5);
    expect(pod(api).containers[0]!.image).toBe('ghcr.io/org/api:2.0');
    expect(find(objects, 'ConfigMap', 'api-env').data).toMatchObject({ FEATURE_X: 'true', PORT: '8080' });
    expect(find(objects, 'Secret', 'api-secrets').stringData).toEqual({ DB_PASSWORD: 'from "values"' });
    const ingress = spec(find(objects, 'Ingress', 'web'));
    expect(ingress.ingressClassName).toBe('nginx');
    expect((ingress.rules as { host: string }[])[0]!.host).toBe('shop.example.com');
    expect(spec(find(objects, 'StatefulSet', 'cache')).volumeClaimTemplates).toMatchObject([{ spec: { resources: { requests: { storage: '20Gi' } } } }]);
  });

  it('--gateway writes Gateway API HTTPRoutes instead of Ingresses; --include-secrets fills values.yaml', async () => {
    const gw = join(dir, 'chart-gateway');
    const r = await runCli(['export', 'kubernetes', '-o', gw, '--gateway', 'public', '--include-secrets', '--image', 'web=w:1'], dir);
    expect(r.code).toBe(0);
    const { objects } = await renderChart(gw, { name: 'x', namespace: 'y' });
    for (const o of objects) validateKubeObject(o);
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
    expect(spec(find(objects, 'HTTPRoute', 'web'))).toEqual({
      parentRefs: [{ name: 'public' }],
      hostnames: ['web.localhost'],
      rules: [{ backendRefs: [{ name: 'web', port: 5066 }] }],
    });
    expect(find(objects, 'Secret', 'api-secrets').stringData).toEqual({ DB_PASSWORD: 'hunter2' });
  });
});
