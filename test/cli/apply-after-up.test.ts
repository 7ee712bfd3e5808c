// `up -f` and `apphostctl apply` are one applier: a field the first manifest set and the edited
// manifest no longer sets is removed by `apply`, as a second `kubectl apply` removes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApphost, type Apphost } from '../../src/host/index.ts';
import { loadManifests } from '../../src/host/manifests.ts';
import { runCli, TEST_APP } from './support.ts';

const manifest = (extra: string) => `apiVersion: apphost.dev/v1
kind: Resource
metadata:
  name: web
${extra.includes('labels') ? '  labels: {team: web}\n' : ''}spec:
  executable: {command: node, args: [app.mjs]}
  endpoints:
    - {scheme: http, env: PORT}
${extra.includes('health') ? '  healthCheck: {endpoint: http, path: /health}\n' : ''}`;

let dir: string;
let apphost: Apphost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apply-after-up-'));
  writeFileSync(join(dir, 'app.mjs'), TEST_APP);
  writeFileSync(join(dir, 'apphost.yaml'), manifest('labels health'));
  apphost = await startApphost({ dir, manifests: await loadManifests(join(dir, 'apphost.yaml')), docker: false, gracePeriodMs: 2000, logger: pino({ level: 'error' }) });
}, 60_000);

afterAll(async () => {
  await apphost?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('apply after up -f', { timeout: 60_000 }, () => {
  it('removes what the started manifest set and the applied one no longer sets; keeps what others set', async () => {
    expect((await runCli(['scale', 'resource/web', '--replicas=2'], dir)).code).toBe(0);
    writeFileSync(join(dir, 'apphost.yaml'), manifest(''));
    const applied = await runCli(['apply', '-f', 'apphost.yaml'], dir);
    expect(applied.stdout).toBe('resource.apphost.dev/web configured\n');
    const web = JSON.parse((await runCli(['get', 'res/web', '-o', 'json'], dir)).stdout) as { spec: Record<string, unknown>; metadata: { labels?: object } };
    expect(web.spec.healthCheck).toBeUndefined();
    expect(web.metadata.labels).toBeUndefined();
    // The scale came from another manager (apphostctl scale): a manifest without replicas keeps it.
    expect(web.spec.replicas).toBe(2);
    // Applying the started manifest again brings both back.
    writeFileSync(join(dir, 'apphost.yaml'), manifest('labels health'));
    expect((await runCli(['apply', '-f', 'apphost.yaml'], dir)).stdout).toBe('resource.apphost.dev/web configured\n');
    const again = JSON.parse((await runCli(['get', 'res/web', '-o', 'json'], dir)).stdout) as { spec: Record<string, unknown>; metadata: { labels?: object } };
    expect(again.spec.healthCheck).toMatchObject({ path: '/health' });
    expect(again.metadata.labels).toEqual({ team: 'web' });
  });
});
