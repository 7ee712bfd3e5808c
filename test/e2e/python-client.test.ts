// Debian's python3-kubernetes (the official Python client, run with /usr/bin/python3) against the
// real HTTPS server, store and crds/. `.ci/run` installs the package on a fresh machine.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.ts';
import { waitFor } from '../support/wait.ts';

const PYTHON = '/usr/bin/python3';
const hasClient = spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
const SCRIPTS = join(import.meta.dirname, 'python');

const resource = (name: string): KubeObject => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { executable: { command: 'node', args: ['api.js'] }, replicas: 1 },
});

describe.skipIf(!hasClient && !process.env['CI'])('python3-kubernetes against the API server', () => {
  let api: TestApiServer;

  beforeAll(async () => {
    api = await startTestApiServer();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('watches with watch=True: ADDED, MODIFIED and DELETED while a resource scales', async () => {
    api.store.create(resource('api'));
    const child = spawn(PYTHON, [join(SCRIPTS, 'watch_resources.py'), api.kubeconfigPath, 'default', 'api'], { env: { PATH: process.env['PATH'], HOME: api.dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const events = () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; name: string; replicas: number });
    try {
      await waitFor(`ADDED from python (stderr: ${stderr})`, () => events().some((e) => e.type === 'ADDED'));
      for (const replicas of [2, 3]) api.store.patch('resources', 'default', 'api', 'merge', { spec: { replicas } });
      await waitFor('MODIFIED twice', () => events().filter((e) => e.type === 'MODIFIED').length === 2);
      api.store.delete('resources', 'default', 'api');
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
    expect(stderr).toBe('');
    expect(events()).toEqual([
      { type: 'ADDED', name: 'api', replicas: 1 },
      { type: 'MODIFIED', name: 'api', replicas: 2 },
      { type: 'MODIFIED', name: 'api', replicas: 3 },
      { type: 'DELETED', name: 'api', replicas: 3 },
    ]);
  });

  it('scales with patch_namespaced_custom_object_scale and reads the autoscaling/v1 Scale back', async () => {
    api.store.create(resource('web'));
    api.store.patch('resources', 'default', 'web', 'merge', { status: { replicas: 1, selector: 'apphost.dev/resource=web' } }, { subresource: 'status' });
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(PYTHON, [join(SCRIPTS, 'scale_resource.py'), api.kubeconfigPath, 'default', 'web', '4'], { env: { PATH: process.env['PATH'], HOME: api.dir }, timeout: 20_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut }),
      ),
    );
    expect(stderr).toBe('');
    const { patched, read } = JSON.parse(stdout) as Record<string, any>;
    const rv = api.store.get('resources', 'default', 'web').metadata.resourceVersion;
    for (const scale of [patched, read]) {
      expect(scale).toMatchObject({
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'web', namespace: 'default', resourceVersion: rv },
        spec: { replicas: 4 },
        status: { replicas: 1, selector: 'apphost.dev/resource=web' },
      });
    }
    expect((api.store.get('resources', 'default', 'web').spec as any).replicas).toBe(4);
  });
});
