// Proxy status through the real `apphostctl up`, `apphostctl get` and `kubectl`: the BACKENDS column
// (ready/all of spec.backends) and every listening address, the container tunnel on the Docker
// network gateway included (issue 14 item 7).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { TEST_IMAGE, dockerTestEnv } from '../support/docker-env.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const env = await dockerTestEnv();

const APP = `
apiVersion: apphost.dev/v1
kind: Resource
metadata: { name: api }
spec:
  executable: { command: ${JSON.stringify(process.execPath)}, args: ['-e', "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"] }
  replicas: 2
  endpoints: [{ name: http, scheme: http, env: PORT }]
  stopGracePeriodSeconds: 0
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: { name: consumer }
spec:
  container: { image: ${JSON.stringify(TEST_IMAGE)}, command: sleep, args: ['600'] }
  references: [{ resource: api }]
  stopGracePeriodSeconds: 0
`;

/** Splits a table into rows of cells (columns are separated by 2+ spaces). */
const rows = (table: string) => table.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
const column = (table: string, row: string, name: string) => {
  const [head, ...body] = rows(table);
  return body.find((r) => r[0] === row)?.[head!.indexOf(name)];
};

describe.skipIf(!env.available || !existsSync(KUBECTL))('Proxy status in tables (real up, apphostctl get, kubectl)', () => {
  let app: CliApp | undefined;
  afterAll(async () => {
    await app?.stop();
  });

  it('shows ready/all backends and every listening address, the container tunnel on the gateway included', async () => {
    app = await startCliApp({ name: `pxcols-${env.runId}`, files: { 'apphost.yaml': APP }, ready: /\[apphost\] api: Running 2\/2 ready/ });
    const net = await waitFor('the app network', async () => (await app!.get('networks', 'default'))?.status?.gateway as string | undefined, 30_000);
    const px = await waitFor('both proxies listening, the tunnel counted', async () => {
      const p = await app!.get('proxies', 'api-http');
      return p?.status?.listening?.some((a: string) => a.startsWith(`${net}:`)) ? p : undefined;
    }, 30_000);
    const port = px.status.port as number;
    expect(px.status.readyBackends).toBe('2/2');
    expect(px.status.listening).toEqual(expect.arrayContaining([`127.0.0.1:${port}`, `${net}:${port}`]));
    const tunnel = await app.get('proxies', 'api-http-tunnel');
    expect(tunnel.status).toMatchObject({ readyBackends: '1/1', listening: [`${net}:${port}`] });

    const get = await runCli(['get', 'px'], app.dir);
    expect(get.code).toBe(0);
    expect(column(get.stdout, 'api-http', 'BACKENDS')).toBe('2/2');
    expect(column(get.stdout, 'api-http-tunnel', 'BACKENDS')).toBe('1/1');
    expect(column(get.stdout, 'api-http-tunnel', 'ADDRESS')).toBe(net);
    const wide = await runCli(['get', 'px', 'api-http', '-o', 'wide'], app.dir);
    expect(column(wide.stdout, 'api-http', 'LISTENING')).toContain(`${net}:${port}`);

    const kubectl = await run(KUBECTL, ['--kubeconfig', app.kubeconfig.path, 'get', 'px', '-o', 'wide'], { timeout: 20_000 });
    expect(column(kubectl.stdout, 'api-http', 'BACKENDS')).toBe('2/2');
    expect(column(kubectl.stdout, 'api-http', 'LISTENING')).toContain(`127.0.0.1:${port}`);
    expect(column(kubectl.stdout, 'api-http', 'LISTENING')).toContain(`${net}:${port}`);
    expect(column(kubectl.stdout, 'api-http-tunnel', 'BACKENDS')).toBe('1/1');

    // Scale down: the column follows spec.backends.
    expect((await runCli(['scale', 'resource/api', '--replicas=1'], app.dir)).code).toBe(0);
    await waitFor('1/1', async () => (await app!.get('proxies', 'api-http'))?.status?.readyBackends === '1/1', 20_000);
  }, 120_000);
});
