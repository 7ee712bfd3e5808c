// The dashboard's CLI face through the real `apphostctl`: `up` prints the login URL (on the port
// --dashboard-port names), `apphostctl dashboard` prints it again, `--no-dashboard` serves none.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { freePort } from '../support/wait.ts';
import { dashboardUrl } from './browser.ts';

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [app.mjs]}
  endpoints: [{scheme: http, env: PORT}]
`;
const files = { 'app.mjs': TEST_APP, 'apphost.yaml': APP_YAML };

describe('apphostctl and the dashboard', { timeout: 90_000 }, () => {
  const apps: CliApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.stop('SIGINT');
  });

  it('serves it on --dashboard-port, and `apphostctl dashboard` prints the same URL', async () => {
    const port = await freePort();
    const app = await startCliApp({ name: 'dashcli', files, args: ['--dashboard-port', String(port)] });
    apps.push(app);
    const url = dashboardUrl(app.up.output());
    expect(new URL(url).port).toBe(String(port));
    const again = await runCli(['dashboard'], app.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`dashboard  ${url}\n`);
    expect(statSync(join(app.dir, '.apphost', 'dashboard-url')).mode & 0o777).toBe(0o600);
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(302);
  });

  it('serves none with --no-dashboard, and `apphostctl dashboard` says so', async () => {
    const app = await startCliApp({ name: 'nodash', files, args: ['--no-dashboard'] });
    apps.push(app);
    expect(app.up.output()).not.toMatch(/^dashboard /m);
    const res = await runCli(['dashboard'], app.dir);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/^error: this apphost serves no dashboard/m);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad --dashboard-port in one line, before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apphost-dashport-'));
    try {
      const res = await runCli(['up', '--plain', '--dashboard-port', 'eighty', '-f', '/dev/null'], dir);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/^error: --dashboard-port needs a port number 1-65535, got "eighty"$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what to do when the dashboard port is taken', async () => {
    const taken = new URL(dashboardUrl(apps[0].up.output())).port;
    const dir = mkdtempSync(join(tmpdir(), 'apphost-dashbusy-'));
    try {
      const res = await runCli(['up', '--plain', '--dashboard-port', taken, '--name', 'busy'], dir);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(new RegExp(`^error: dashboard port ${taken} is in use: pick another with --dashboard-port`, 'm'));
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the dashboard URL of a detached apphost too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apphost-dashdetach-'));
    try {
      for (const [f, c] of Object.entries(files)) writeFileSync(join(dir, f), c);
      const up = await runCli(['up', '-d', '--name', 'detached'], dir);
      expect(up.code).toBe(0);
      const url = dashboardUrl(up.stdout);
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(302);
      expect((await runCli(['dashboard'], dir)).stdout).toBe(`dashboard  ${url}\n`);
      expect((await runCli(['down'], dir)).code).toBe(0);
      const after = await runCli(['dashboard'], dir);
      expect(after.code).not.toBe(0);
      expect(after.stderr).toMatch(/^error: /m);
    } finally {
      await runCli(['down'], dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
