// Namespaces and `kubectl apply --prune` through the real clients (kubectl 1.32, Debian's
// python3-kubernetes, apphostctl) against the real `apphostctl up`: replicas are real processes,
// and deleting their namespace (or pruning their Resource) stops them.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { TEST_IMAGE, cleanupTestRun, dockerTestEnv } from '../support/docker-env.ts';
import { waitFor } from '../support/wait.ts';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
const ECHO = join(import.meta.dirname, '..', 'integration', 'apps', 'echo.js');
const docker = await dockerTestEnv();
const dockerCli = (...args: string[]): Promise<string> =>
  new Promise((resolve, reject) => execFile('docker', args, { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))));

/** A Resource of real node processes (an http endpoint each). */
const resource = (name: string, options: { replicas?: number; labels?: Record<string, string> } = {}) => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: ${name}, labels: ${JSON.stringify(options.labels ?? {})}}
spec:
  executable: {command: node, args: [${JSON.stringify(ECHO)}]}
  replicas: ${options.replicas ?? 1}
  stopGracePeriodSeconds: 1
  endpoints: [{scheme: http, env: PORT}]
`;

/** Replicas that ignore SIGTERM (a shell and its sleep): stopping them takes the grace period, then SIGKILL. */
const stubborn = (name: string, replicas: number) => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: ${name}}
spec:
  executable: {command: sh, args: ['-c', "trap '' TERM; sleep 1000 & wait"]}
  replicas: ${replicas}
  stopGracePeriodSeconds: 3
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync(KUBECTL))('namespaces and prune through kubectl, python3-kubernetes and apphostctl', { timeout: 120_000 }, () => {
  let app: CliApp;
  let env: NodeJS.ProcessEnv;

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', app.kubeconfig.path, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return r.stdout;
  };
  const file = (name: string, body: string) => {
    const path = join(app.dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, body);
    return path;
  };
  const replicas = async (namespace: string, resourceName: string): Promise<any[]> => {
    const res = await app.client.request({ path: `/apis/apphost.dev/v1/namespaces/${namespace}/replicas?labelSelector=apphost.dev/resource=${resourceName}` });
    return (res.json?.items ?? []) as any[];
  };
  /** The pids of `count` running replicas of a Resource. */
  const runningPids = async (namespace: string, resourceName: string, count: number): Promise<number[]> => {
    let pids: number[] = [];
    await waitFor(`${count} running replicas of ${namespace}/${resourceName}`, async () => {
      pids = (await replicas(namespace, resourceName)).map((r) => r.status?.pid).filter((p): p is number => typeof p === 'number' && alive(p));
      return pids.length === count;
    });
    return pids;
  };

  beforeAll(async () => {
    app = await startCliApp({ name: 'namespaces', files: { 'apphost.yaml': resource('web') } });
    const home = join(app.dir, 'home');
    mkdirSync(home, { recursive: true });
    env = { PATH: process.env['PATH'], HOME: home };
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    if (docker.available) await cleanupTestRun(docker.runId);
  });

  it('kubectl create namespace, get ns with STATUS and AGE, apply into it; a missing namespace is 404; default cannot be deleted', async () => {
    expect(await ok('create', 'namespace', 'dev')).toBe('namespace/dev created\n');
    const table = (await ok('get', 'ns')).trim().split('\n');
    expect(table[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['default', 'Active'], ['dev', 'Active']]);
    expect(table[1]).toMatch(/\s\d+[smh]$/);
    const ns = JSON.parse(await ok('get', 'namespace', 'dev', '-o', 'json'));
    expect(ns).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect(ns.metadata.generateName).toBeUndefined();

    const api = file('api.yaml', resource('api', { replicas: 2 }));
    expect(await ok('apply', '-n', 'dev', '-f', api)).toBe('resource.apphost.dev/api created\n');
    await runningPids('dev', 'api', 2);

    const missing = await kubectl('apply', '-n', 'nope', '-f', api);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('namespaces "nope" not found');
    const raw = await app.client.request({ method: 'POST', path: '/apis/apphost.dev/v1/namespaces/nope/networks', body: JSON.stringify({ metadata: { name: 'n' }, spec: {} }), headers: { 'content-type': 'application/json' } });
    expect(raw.json).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'namespaces "nope" not found', details: { name: 'nope', kind: 'namespaces' } });

    const def = await kubectl('delete', 'namespace', 'default');
    expect(def.code).toBe(1);
    expect(def.stderr).toContain('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');
  });

  it.skipIf(!hasPython)('python3-kubernetes deletes a namespace: Terminating meanwhile, 403 for new content, gone once its replicas are stopped', async () => {
    expect(await ok('create', 'namespace', 'slow')).toBe('namespace/slow created\n');
    await ok('apply', '-n', 'slow', '-f', file('stubborn.yaml', stubborn('stubborn', 2)));
    const pids = await runningPids('slow', 'stubborn', 2);

    const run = spawnSync(PYTHON, [join(import.meta.dirname, 'python', 'delete_namespace.py'), app.kubeconfig.path, 'slow'], { env: { PATH: process.env['PATH'], HOME: env['HOME'] }, encoding: 'utf8', timeout: 90_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ step: 'before', phase: 'Active', finalizers: ['kubernetes'] });
    expect(lines[1]).toEqual({ step: 'deleted', phase: 'Terminating', finalizers: ['kubernetes'], deletionTimestamp: true });
    expect(lines[2]).toEqual({
      step: 'create',
      status: 403,
      reason: 'Forbidden',
      message: 'resources.apphost.dev "late" is forbidden: unable to create new content in namespace slow because it is being terminated',
      causes: [{ reason: 'NamespaceTerminating', field: 'metadata.namespace', message: 'namespace slow is being terminated' }],
    });
    const watched = lines.slice(3);
    expect(watched[0]).toEqual({ step: 'watch', type: 'MODIFIED', phase: 'Terminating' });
    expect(watched.at(-1)).toEqual({ step: 'watch', type: 'DELETED', phase: 'Terminating' });
    // Gone only when everything in it is: the replicas' processes were stopped before.
    expect(pids.filter(alive)).toEqual([]);
    expect(await replicas('slow', 'stubborn')).toEqual([]);
    expect((await kubectl('get', 'ns', 'slow')).stderr).toContain('namespaces "slow" not found');
  });

  it('kubectl delete namespace returns once everything in it is gone, processes stopped', async () => {
    const pids = await runningPids('dev', 'api', 2);
    expect(await ok('delete', 'namespace', 'dev')).toBe('namespace "dev" deleted\n');
    expect(pids.filter(alive)).toEqual([]);
    expect(await kubectl('get', 'all', '-n', 'dev')).toEqual({ code: 0, stdout: '', stderr: 'No resources found in dev namespace.\n' });
    expect((await kubectl('get', 'ns', 'dev')).stderr).toContain('namespaces "dev" not found');
    // The app in default runs on.
    await runningPids('default', 'web', 1);
  });

  it.skipIf(!docker.available)('deleting a namespace removes its containers, then its Docker network, without a failed reconcile', async () => {
    await ok('create', 'namespace', 'boxes');
    await ok('apply', '-n', 'boxes', '-f', file('box.yaml', `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: box, labels: {'apphost.dev/test-run': ${docker.runId}}}
spec:
  container: {image: ${JSON.stringify(TEST_IMAGE)}, command: sleep, args: ['600']}
  stopGracePeriodSeconds: 1
`));
    let network = '';
    let container = '';
    await waitFor('the container running on the namespace network', async () => {
      const rep = (await replicas('boxes', 'box'))[0];
      const net = (await app.client.request({ path: '/apis/apphost.dev/v1/namespaces/boxes/networks/default' })).json;
      network = net?.status?.runtimeName ?? '';
      container = rep?.status?.state === 'Running' ? (rep.status.containerId ?? '') : '';
      return container !== '' && network !== '';
    }, 90_000);
    const containers = () => dockerCli('ps', '-a', '-q', '--no-trunc', '--filter', `id=${container}`);
    expect(await containers()).toBe(container);
    const before = app.up.output().length;
    expect(await ok('delete', 'namespace', 'boxes')).toBe('namespace "boxes" deleted\n');
    expect(await containers()).toBe('');
    expect(await dockerCli('network', 'ls', '-q', '--filter', `name=^${network}$`)).toBe('');
    expect(app.up.output().slice(before)).not.toContain('reconcile failed');
  });

  it('apphostctl: apply -n creates the namespace, get ns, delete ns', async () => {
    const cli = (...args: string[]) => runCli(args, app.dir);
    const applied = await cli('apply', '-n', 'qa', '-f', file('qa.yaml', resource('qa')));
    expect(applied).toMatchObject({ code: 0, stdout: 'namespace/qa created\nresource.apphost.dev/qa created\n' });
    const pids = await runningPids('qa', 'qa', 1);
    const table = await cli('get', 'ns');
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\nqa\s+Active\s+\S+\n$/);
    expect(await cli('get', 'res', '-n', 'qa')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^NAME.*\nqa\s+executable/) });
    expect(await cli('delete', 'ns', 'qa')).toMatchObject({ code: 0, stdout: 'namespaces "qa" deleted\n' });
    expect(pids.filter(alive)).toEqual([]);
    expect((await cli('get', 'ns')).stdout).not.toContain('qa');
    expect(await cli('delete', 'ns', 'default')).toMatchObject({ code: 1, stderr: expect.stringContaining('namespaces "default" is forbidden: this namespace may not be deleted') });
  });

  it("kubectl apply --prune -l with kubectl's default allowlist exits 0; --prune-allowlist=apphost.dev/v1/Resource prunes a Resource and stops its replicas", async () => {
    const dir = join(app.dir, 'prune');
    file('prune/a.yaml', resource('pa', { labels: { app: 'x' } }));
    const b = file('prune/b.yaml', resource('pb', { labels: { app: 'x' } }));
    const prune = async (...extra: string[]) => {
      const r = await kubectl('apply', '--prune', '-l', 'app=x', ...extra, '-f', dir);
      // kubectl's own deprecation notice for a context that names a namespace; nothing else.
      expect({ code: r.code, stderr: r.stderr.split('\n').filter((l) => l && !l.includes('Deprecated: kubectl apply will no longer prune non-namespaced')) }).toEqual({ code: 0, stderr: [] });
      return r.stdout;
    };
    expect(await prune()).toBe('resource.apphost.dev/pa created\nresource.apphost.dev/pb created\n');
    const pids = await runningPids('default', 'pb', 1);
    const { rmSync } = await import('node:fs');
    rmSync(b);
    // The default allowlist holds core and apps kinds only (as in Kubernetes): pb stays.
    expect(await prune()).toBe('resource.apphost.dev/pa unchanged\n');
    expect(await app.get('resources', 'pb')).toBeDefined();
    expect(await prune('--prune-allowlist=apphost.dev/v1/Resource')).toBe('resource.apphost.dev/pa unchanged\nresource.apphost.dev/pb pruned\n');
    await waitFor('pb replicas stopped', async () => pids.filter(alive).length === 0 && (await replicas('default', 'pb')).length === 0);
    expect(await app.get('resources', 'pa')).toBeDefined();
  });

  it('discovery still resolves endpoints and ep to apphost, get all lists apphost kinds only, and placeholders are empty and read-only', async () => {
    expect((await ok('get', 'endpoints')).split('\n')[0]).toMatch(/^NAME\s+RESOURCE\s+URL/);
    expect((await ok('get', 'ep')).split('\n')[0]).toMatch(/^NAME\s+RESOURCE\s+URL/);
    expect(await ok('explain', 'endpoints')).toMatch(/GROUP:\s+apphost.dev\nKIND:\s+Endpoint/);
    const all = await ok('get', 'all');
    expect(all).toContain('resource.apphost.dev/web');
    expect(all).not.toMatch(/pod|service|deployment/i);
    const resources = (await ok('api-resources', '--no-headers')).trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(resources.find((r) => r[0] === 'coreendpoints')).toEqual(['coreendpoints', 'v1', 'true', 'Endpoints']);
    expect(resources.find((r) => r[0] === 'namespaces')).toEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    for (const kind of ['pods', 'services', 'deployments', 'coreendpoints', 'configmaps']) {
      const r = await kubectl('get', kind, '-A');
      expect({ kind, code: r.code, stdout: r.stdout, stderr: r.stderr.trim() }).toEqual({ kind, code: 0, stdout: '', stderr: 'No resources found' });
    }
    const created = await kubectl('create', 'deployment', 'x', '--image=nginx');
    expect(created.code).toBe(1);
    expect(created.stderr).toContain('apphost does not run Deployment objects');
    expect(created.stderr).toContain('apphost.dev/v1 Resource');
  });
});
