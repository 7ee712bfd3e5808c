// The real kubectl (v1.32 at /usr/bin/kubectl) against the HTTPS server, the store and crds/.
// HOME and KUBECACHEDIR point into the test's temp dir so no discovery cache leaks between runs.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.ts';
import { waitFor } from '../support/wait.ts';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!existsSync(KUBECTL))('kubectl against the API server', () => {
  let api: TestApiServer;
  let env: NodeJS.ProcessEnv;

  const kubectl = (args: string[], input?: string, timeoutMs = 15_000): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(KUBECTL, ['--kubeconfig', api.kubeconfigPath, ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (input !== undefined) child.stdin!.end(input);
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return r.stdout;
  };
  const manifest = async (name: string, body: string): Promise<string> => {
    const path = join(api.dir, name);
    await writeFile(path, body);
    return path;
  };

  beforeAll(async () => {
    api = await startTestApiServer();
    const home = join(api.dir, 'home');
    await mkdir(home, { recursive: true });
    env = { PATH: process.env['PATH'], HOME: home, KUBECACHEDIR: join(home, 'cache') };
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists our kinds with api-resources', async () => {
    const out = await ok(['api-resources', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    // Ours, core Events and Namespaces, and the always-empty placeholders of kubectl's default
    // prune allowlist (placeholder-kinds.ts): core Endpoints as coreendpoints, never `endpoints`.
    expect(rows.map((r) => [r[0], r.at(-3)])).toEqual([
      ['configmaps', 'v1'],
      ['coreendpoints', 'v1'],
      ['events', 'v1'],
      ['namespaces', 'v1'],
      ['persistentvolumeclaims', 'v1'],
      ['persistentvolumes', 'v1'],
      ['pods', 'v1'],
      ['replicationcontrollers', 'v1'],
      ['secrets', 'v1'],
      ['services', 'v1'],
      ['endpoints', 'apphost.dev/v1'],
      ['networks', 'apphost.dev/v1'],
      ['proxies', 'apphost.dev/v1'],
      ['replicas', 'apphost.dev/v1'],
      ['resources', 'apphost.dev/v1'],
      ['daemonsets', 'apps/v1'],
      ['deployments', 'apps/v1'],
      ['replicasets', 'apps/v1'],
      ['statefulsets', 'apps/v1'],
      ['cronjobs', 'batch/v1'],
      ['jobs', 'batch/v1'],
      ['ingresses', 'networking.k8s.io/v1'],
    ]);
    expect(rows.filter((r) => r[0] === 'endpoints' || r[1] === 'ep')).toEqual([['endpoints', 'ep', 'apphost.dev/v1', 'true', 'Endpoint']]);
    expect(await ok(['version', '-o', 'json'])).toContain('"gitVersion": "v1.32');
  });

  it('applies client-side, then re-applies a change', async () => {
    const body = `apiVersion: apphost.dev/v1
kind: Resource
metadata:
  name: api
  labels: {tier: backend}
spec:
  executable: {command: node, args: [api.js]}
  replicas: 2
  endpoints:
    - {scheme: http, env: PORT}
`;
    const file = await manifest('api.yaml', body);
    expect(await ok(['apply', '-f', file])).toBe('resource.apphost.dev/api created\n');
    await writeFile(file, body.replace('replicas: 2', 'replicas: 3'));
    expect(await ok(['apply', '-f', file])).toBe('resource.apphost.dev/api configured\n');
    expect(await ok(['apply', '-f', file])).toBe('resource.apphost.dev/api unchanged\n');
    const obj = api.store.get('resources', 'default', 'api') as any;
    expect(obj.spec.replicas).toBe(3);
    expect(obj.metadata.generation).toBe(2);
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"replicas":3');
  });

  it('gets tables (default and -o wide), yaml, json, names and filters by label', async () => {
    await ok(['create', '-f', '-'], 'apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: web, labels: {tier: front}}\nspec: {container: {image: nginx}}\n');
    const table = await ok(['get', 'resources']);
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+REPLICAS\s+READY\s+PHASE\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['api', 'web']);
    expect(lines[1]).toMatch(/\s\d+s$/);
    const wide = await ok(['get', 'res', '-o', 'wide']);
    expect(wide.split('\n')[0]).toContain('COMMAND');
    expect(wide.split('\n')[0]).toMatch(/\sREASON\s+MESSAGE$/);
    expect(wide).toMatch(/web .* nginx/);

    const yaml = YAML.parse(await ok(['get', 'res', 'api', '-o', 'yaml']));
    expect(yaml).toMatchObject({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'api', namespace: 'default' }, spec: { replicas: 3 } });
    const json = JSON.parse(await ok(['get', 'res', '-o', 'json']));
    expect(json.kind).toBe('List');
    expect(json.items.map((i: any) => i.metadata.name)).toEqual(['api', 'web']);

    expect(await ok(['get', 'res', '-l', 'tier=front', '-o', 'name'])).toBe('resource.apphost.dev/web\n');
    expect(await ok(['get', 'res', '-l', 'tier in (front,backend)', '-o', 'name'])).toBe('resource.apphost.dev/api\nresource.apphost.dev/web\n');
    expect(await ok(['get', 'res', '-l', '!tier', '-o', 'name'])).toBe('');
    const all = await ok(['get', 'res', '-A', '--show-labels']);
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s.*LABELS$/);
    expect(all).toMatch(/default\s+web\s.*tier=front/);
    const missing = await kubectl(['get', 'res', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFound): resources.apphost.dev "nope" not found');
  });

  it('watches with get -w: the current row, then one row per change', async () => {
    let stdout = '';
    let listed: () => void = () => {};
    let seen: () => void = () => {};
    const firstRow = new Promise<void>((resolve) => (listed = resolve));
    const allRows = new Promise<void>((resolve) => (seen = resolve));
    const child = spawn(KUBECTL, ['--kubeconfig', api.kubeconfigPath, 'get', 'res', 'web', '-w', '--request-timeout=30s'], { env });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const rows = stdout.split('\n').filter((l) => /^web\s/.test(l));
      if (rows.length >= 1) listed();
      if (rows.length >= 3) seen();
    });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      // kubectl watches from the resourceVersion of its list: changes made after the first row are seen.
      await firstRow;
      await ok(['patch', 'res', 'web', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
      await ok(['patch', 'res', 'web', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
      await allRows;
    } finally {
      clearTimeout(killer);
      child.kill('SIGTERM');
      await exited;
    }
    const rows = stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+TYPE/);
    expect(rows.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['web', 'web', 'web']);
    expect(rows[2]).toMatch(/^web\s+2\s/);
    expect(rows[3]).toMatch(/^web\s+4\s/);
  });

  it('describes an object (no events yet -> <none>)', async () => {
    const out = await ok(['describe', 'res', 'api']);
    expect(out).toMatch(/^Name:\s+api$/m);
    expect(out).toMatch(/^Labels:\s+tier=backend$/m);
    expect(out).toMatch(/^\s+Replicas:\s+3$/m);
    expect(out).toMatch(/^Events:\s+<none>$/m);
  });

  it('scales through the scale subresource (autoscaling/v1 Scale)', async () => {
    expect(await ok(['scale', 'resource/api', '--replicas=5'])).toBe('resource.apphost.dev/api scaled\n');
    expect((api.store.get('resources', 'default', 'api').spec as any).replicas).toBe(5);
    const scale = JSON.parse(await ok(['get', '--raw', '/apis/apphost.dev/v1/namespaces/default/resources/api/scale']));
    expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'api', namespace: 'default' }, spec: { replicas: 5 }, status: { replicas: 0 } });
    // --current-replicas is a precondition: a wrong one changes nothing.
    const wrong = await kubectl(['scale', 'resource/api', '--current-replicas=2', '--replicas=1']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Expected replicas to be 2, was 5');
    expect(await ok(['scale', 'resource/api', '--current-replicas=5', '--replicas=3'])).toBe('resource.apphost.dev/api scaled\n');
    expect((api.store.get('resources', 'default', 'api').spec as any).replicas).toBe(3);
    // Kinds without subresources.scale have none.
    const none = await kubectl(['scale', 'network/shared', '--replicas=2']);
    expect(none.code).toBe(1);
  });

  it('applies server-side (create, then update)', async () => {
    const body = 'apiVersion: apphost.dev/v1\nkind: Network\nmetadata:\n  name: shared\nspec:\n  driver: bridge\n';
    const file = await manifest('net.yaml', body);
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('network.apphost.dev/shared serverside-applied\n');
    await writeFile(file, body.replace('bridge', 'overlay'));
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('network.apphost.dev/shared serverside-applied\n');
    const obj = api.store.get('networks', 'default', 'shared') as any;
    expect(obj.spec).toEqual({ driver: 'overlay', lifetime: 'Session' });
    expect(obj.metadata.generation).toBe(2);
  });

  it('server-side apply keeps managedFields per manager and answers 409 naming fields and managers unless forced', async () => {
    const body = (replicas: number, extra = '') => `apiVersion: apphost.dev/v1\nkind: Resource\nmetadata:\n  name: ssa\nspec:\n  executable: {command: node}\n  replicas: ${replicas}\n${extra}`;
    await ok(['apply', '--server-side', '--field-manager=alice', '-f', await manifest('alice.yaml', body(2, '  lifetime: Session\n'))]);
    const bob = await manifest('bob.yaml', body(3));
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=bob', '-f', bob]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    expect((api.store.get('resources', 'default', 'ssa').spec as any).replicas).toBe(2);
    // kubectl scale is an Update by "kubectl": the field is its now.
    await ok(['scale', 'resource/ssa', '--replicas=4']);
    const again = await kubectl(['apply', '--server-side', '--field-manager=alice', '-f', await manifest('alice.yaml', body(2, '  lifetime: Session\n'))]);
    expect(again.stderr).toContain('conflict with "kubectl" using apphost.dev/v1: .spec.replicas');
    expect(await ok(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', bob])).toBe('resource.apphost.dev/ssa serverside-applied\n');
    expect((api.store.get('resources', 'default', 'ssa').spec as any).replicas).toBe(3);
    const shown = YAML.parse(await ok(['get', 'resource/ssa', '-o', 'yaml', '--show-managed-fields']));
    expect(shown.metadata.managedFields.map((e: any) => [e.manager, e.operation, e.fieldsType, e.fieldsV1])).toEqual([
      ['alice', 'Apply', 'FieldsV1', { 'f:spec': { 'f:executable': { 'f:command': {} }, 'f:lifetime': {} } }],
      ['bob', 'Apply', 'FieldsV1', { 'f:spec': { 'f:executable': { 'f:command': {} }, 'f:replicas': {} } }],
    ]);
    expect(YAML.parse(await ok(['get', 'resource/ssa', '-o', 'yaml'])).metadata.managedFields).toBeUndefined();
    await ok(['delete', 'resource/ssa']);
  });

  it('get all lists Resources, Replicas and Endpoints; removing the last label leaves no labels: {}', async () => {
    api.store.create({ apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name: 'api-0', namespace: 'default' }, spec: { resource: 'api', index: 0 } });
    const names = (await ok(['get', 'all', '-o', 'name'])).trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['resource.apphost.dev/api', 'replica.apphost.dev/api-0']));
    expect(names.some((n) => n.startsWith('network.') || n.startsWith('proxy.'))).toBe(false);
    await ok(['delete', 'replica/api-0']);
    expect(await ok(['label', 'resource/api', 'tier-'])).toBe('resource.apphost.dev/api unlabeled\n');
    expect(api.store.get('resources', 'default', 'api').metadata.labels).toBeUndefined();
    expect(await ok(['label', 'resource/api', 'tier=backend'])).toBe('resource.apphost.dev/api labeled\n');
  });

  it('auth can-i and auth whoami: the token holder may do everything', async () => {
    expect(await ok(['auth', 'can-i', 'create', 'resources'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', 'delete', 'replicas', '--all-namespaces'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', '--list'])).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(await ok(['auth', 'whoami'])).toMatch(/^Username\s+apphost$/m);
  });

  it('patches with --type=merge and --type=json', async () => {
    expect(await ok(['patch', 'net', 'shared', '--type=merge', '-p', '{"spec":{"app":"shop"}}'])).toBe('network.apphost.dev/shared patched\n');
    expect(await ok(['patch', 'net', 'shared', '--type=json', '-p', '[{"op":"replace","path":"/spec/app","value":"store"}]'])).toBe('network.apphost.dev/shared patched\n');
    expect((api.store.get('networks', 'default', 'shared') as any).spec.app).toBe('store');
    const bad = await kubectl(['patch', 'net', 'shared', '--type=json', '-p', '[{"op":"remove","path":"/spec/missing"}]']);
    expect(bad.code).toBe(1);
  });

  it('patches the status subresource and waits on it', async () => {
    const streams = api.server.stats().streams;
    const waiting = kubectl(['wait', '--for=jsonpath={.status.phase}=Ready', 'net/shared', '--timeout=10s']);
    // kubectl wait gets the object, then watches it: patch once its watch is open.
    await waitFor('kubectl wait watching', () => api.server.stats().streams > streams, 10_000);
    expect(await ok(['patch', 'net', 'shared', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready","subnet":"10.1.0.0/24"},"spec":{"app":"ignored"}}'])).toBe('network.apphost.dev/shared patched\n');
    expect(await waiting).toMatchObject({ code: 0, stdout: 'network.apphost.dev/shared condition met\n' });
    const obj = api.store.get('networks', 'default', 'shared') as any;
    expect(obj.status).toMatchObject({ phase: 'Ready', subnet: '10.1.0.0/24' });
    expect(obj.spec.app).toBe('store');
    expect(await ok(['get', 'net', 'shared', '--no-headers'])).toMatch(/^shared\s+10\.1\.0\.0\/24\s+\d+s\n$/);
  });

  it('explains a kind from the OpenAPI v3 schema', async () => {
    const out = await ok(['explain', 'resources.spec.endpoints']);
    expect(out).toContain('KIND:       Resource');
    expect(out).toMatch(/FIELD: endpoints <\[\]Object>/);
    expect(out).toMatch(/^\s+targetPort\s+<integer>/m);
  });

  it('shows the field paths of an invalid manifest, and of an unknown field', async () => {
    const file = await manifest('bad.yaml', 'apiVersion: apphost.dev/v1\nkind: Resource\nmetadata:\n  name: bad\nspec:\n  executable: {command: node}\n  replicas: -1\n  endpoints:\n    - {scheme: http, port: 99999}\n');
    const r = await kubectl(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Resource "bad" is invalid');
    expect(r.stderr).toContain('spec.replicas: Invalid value: -1');
    expect(r.stderr).toContain('spec.endpoints[0].port: Invalid value: 99999');
    const unknown = await manifest('unknown.yaml', 'apiVersion: apphost.dev/v1\nkind: Network\nmetadata:\n  name: unk\nspec:\n  drivr: bridge\n');
    const u = await kubectl(['create', '-f', unknown]);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain('unknown field "spec.drivr"');
    expect(api.store.tryGet('resources', 'default', 'bad')).toBeUndefined();
    expect(api.store.tryGet('networks', 'default', 'unk')).toBeUndefined();

    // --validate=warn: the server prunes the field and kubectl prints the Warning header.
    const warned = await kubectl(['apply', '--validate=warn', '-f', unknown]);
    expect(warned).toMatchObject({ code: 0, stdout: 'network.apphost.dev/unk created\n' });
    expect(warned.stderr).toContain('Warning: unknown field "spec.drivr"');
    expect((api.store.get('networks', 'default', 'unk') as any).spec).toEqual({ driver: 'bridge', lifetime: 'Session' });
  });

  it('deletes, waiting for finalizers to be removed', async () => {
    expect(await ok(['delete', 'res', 'web'])).toBe('resource.apphost.dev "web" deleted\n');
    expect(api.store.tryGet('resources', 'default', 'web')).toBeUndefined();

    await ok(['create', '-f', '-'], 'apiVersion: apphost.dev/v1\nkind: Network\nmetadata: {name: fin, finalizers: [apphost.dev/test]}\n');
    const streams = api.server.stats().streams;
    const deleting = kubectl(['delete', 'net', 'fin', '--timeout=10s']);
    await waitFor('deletionTimestamp set', () => (api.store.tryGet('networks', 'default', 'fin') as any)?.metadata?.deletionTimestamp, 5000);
    // kubectl delete then watches the object until DELETED: remove the finalizer once it does.
    await waitFor('kubectl delete watching', () => api.server.stats().streams > streams, 10_000);
    await ok(['patch', 'net', 'fin', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const r = await deleting;
    expect(r).toMatchObject({ code: 0, stdout: 'network.apphost.dev "fin" deleted\n' });
    expect(api.store.tryGet('networks', 'default', 'fin')).toBeUndefined();
  });
});
