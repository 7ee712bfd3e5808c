// Each validation error of DESIGN.md section 1 is refused at admission, naming the field, through the
// real HTTPS API with the real kubectl (a 422 with the field path) and in-process.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceSpec } from '../../src/api/types.ts';
import { isHostError } from '../../src/host/index.ts';
import { echoResource, startTestApphost, type TestApphost } from './support/harness.ts';

const run = promisify(execFile);

const CASES: { what: string; spec: Partial<ResourceSpec>; field: string }[] = [
  { what: 'executable with replicas > 1 and a fixed targetPort', spec: { replicas: 2, endpoints: [{ scheme: 'http', targetPort: 3001 }] }, field: 'spec.endpoints[0].targetPort' },
  { what: 'replicas > 1 with a proxyless endpoint', spec: { replicas: 2, endpoints: [{ scheme: 'http', isProxied: false }] }, field: 'spec.endpoints[0].isProxied' },
  { what: 'replicas > 1 with persistent lifetime', spec: { replicas: 2, lifetime: 'Persistent' }, field: 'spec.replicas' },
  { what: 'explicitly proxied with port == targetPort', spec: { endpoints: [{ scheme: 'http', isProxied: true, port: 3002, targetPort: 3002 }] }, field: 'spec.endpoints[0]' },
  { what: 'proxyless executable with port != targetPort', spec: { endpoints: [{ scheme: 'http', isProxied: false, port: 3003, targetPort: 3004 }] }, field: 'spec.endpoints[0]' },
  { what: 'duplicate endpoint names', spec: { endpoints: [{ scheme: 'http' }, { name: 'http', scheme: 'http' }] }, field: 'spec.endpoints[1].name' },
  { what: 'invalid endpoint name', spec: { endpoints: [{ name: 'bad--name', scheme: 'http' }] }, field: 'spec.endpoints[0].name' },
];

describe('validation at admission', () => {
  let t: TestApphost;
  beforeAll(async () => {
    t = await startTestApphost([]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(CASES)('refuses $what, naming $field', async ({ spec, field }) => {
    const err = await t.app.apply([echoResource('bad', spec)]).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_APPLY')).toBe(true);
    expect((err as Error).message).toContain(field);
    expect(t.resource('bad')).toBeUndefined();
  });

  it('a container endpoint without targetPort is refused', async () => {
    const err = await t.app
      .apply([{ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'ctr' }, spec: { container: { image: 'nginx' }, endpoints: [{ scheme: 'http' }] } }])
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain('spec.endpoints[0].targetPort');
  });

  it('kubectl apply gets a 422 naming the resource, the endpoint and the field', async () => {
    const file = join(t.dir, 'bad.json');
    await writeFile(file, JSON.stringify(echoResource('bad', CASES[0]!.spec)));
    const err = (await run('kubectl', ['--kubeconfig', t.app.kubeconfigPath, 'apply', '-f', file], { timeout: 20_000 }).catch((e: unknown) => e)) as {
      code?: number;
      stderr?: string;
    };
    expect(err.code).not.toBe(0);
    expect(err.stderr).toContain('is invalid');
    expect(err.stderr).toContain('spec.endpoints[0].targetPort');
    expect(err.stderr).toContain('"bad"');
  });
});
