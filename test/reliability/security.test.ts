// Security of a running apphost, started by the real `apphostctl up` (log level trace): no route
// answers without the token except the probes listed in PUBLIC_PATHS; a wrong token of any shape is
// refused; the token never reaches a log, a replica's environment or a file other than the
// kubeconfig; TLS only; everything apphost listens on is loopback; `.apphost/` is 0700 and every
// file in it 0600; a replica's env has neither the API token nor a kubeconfig path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCli } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { listeningSockets } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

/** Paths that answer without a token (Kubernetes' system:public-info-viewer has the same idea). None today. */
const PUBLIC_PATHS: string[] = [];

const ENV_DUMP_APP = `
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
writeFileSync(process.env.APPHOST_REPLICA + '.env.json', JSON.stringify(process.env));
const server = createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('serving'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [app.mjs]}
  endpoints: [{scheme: http, env: PORT}]
`;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
}

describe('security of a running apphost', { timeout: 120_000 }, () => {
  let app: CliApp;
  let dir: string;
  let up: LiveCli;
  let kubeconfig: CliApp['kubeconfig'];
  let client: CliApp['client'];

  beforeAll(async () => {
    app = await startCliApp({ name: 'sec', files: { 'app.mjs': ENV_DUMP_APP, 'apphost.yaml': APP_YAML }, env: { APPHOST_LOG_LEVEL: 'trace' }, ready: /\[apphost\] web: Running 1\/1 ready/ });
    ({ dir, up, kubeconfig, client } = app);
  });
  afterAll(() => app?.stop('SIGINT'));

  it('no route answers without the token, or with a wrong one', async () => {
    const paths = ['/', '/api', '/apis', '/version', '/healthz', '/livez', '/readyz', '/metrics', '/openapi/v3', '/openapi/v3/apis/apphost.dev/v1', '/api/v1/namespaces/default/events'];
    const groups = (await client.request({ path: '/apis' })).json.groups as { versions: { groupVersion: string }[] }[];
    for (const gv of groups.flatMap((g) => g.versions.map((v) => v.groupVersion))) {
      paths.push(`/apis/${gv}`);
      for (const r of (await client.request({ path: `/apis/${gv}` })).json.resources as { name: string; namespaced: boolean }[]) {
        const [plural, sub] = r.name.split('/');
        const base = r.namespaced ? `/apis/${gv}/namespaces/default/${plural}` : `/apis/${gv}/${plural}`;
        paths.push(sub ? `${base}/web-0/${sub}` : base, `${base}/web-0`, `/apis/${gv}/${plural}?watch=true`);
      }
    }
    paths.push('/apis/apphost.dev/v1/namespaces/default/replicas/web-0/log?follow=true');
    const wrong = [undefined, 'Bearer ', `Bearer ${kubeconfig.token.slice(0, -1)}`, `Bearer ${kubeconfig.token}x`, `Bearer ${'A'.repeat(kubeconfig.token.length)}`, `Basic ${kubeconfig.token}`, kubeconfig.token];
    for (const path of paths.filter((p) => !PUBLIC_PATHS.includes(p))) {
      for (const auth of wrong) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const res = await client.request({ method, path, noAuth: true, headers: auth === undefined ? {} : { authorization: auth }, timeoutMs: 5000 });
          expect({ path, method, auth: auth?.slice(0, 8), status: res.status }).toEqual({ path, method, auth: auth?.slice(0, 8), status: 401 });
          expect(res.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
        }
      }
    }
    // With the token the same server answers.
    expect((await client.request({ path: '/apis/apphost.dev/v1/namespaces/default/resources' })).status).toBe(200);
  });

  it('speaks TLS only: plain HTTP on the API port gets no answer', async () => {
    const port = Number(new URL(kubeconfig.server).port);
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/version', headers: { authorization: `Bearer ${kubeconfig.token}` }, timeout: 5000 }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });
    expect(outcome).toMatch(/^error /);
  });

  it('listens on loopback only: the API, every proxy (and the dashboard, when there is one)', () => {
    const sockets = listeningSockets(up.child.pid!);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    for (const s of sockets) expect({ ...s, loopback: s.address === '127.0.0.1' || s.address === '::1' }).toEqual({ ...s, loopback: true });
  });

  it('keeps .apphost/ at 0700 and every file in it at 0600', () => {
    const state = join(dir, '.apphost');
    expect(statSync(state).mode & 0o777).toBe(0o700);
    const entries = walk(state);
    expect(entries.some((p) => p.endsWith('kubeconfig'))).toBe(true);
    for (const p of entries) {
      const mode = statSync(p).mode & 0o777;
      expect({ p, mode: mode.toString(8) }).toEqual({ p, mode: statSync(p).isDirectory() ? '700' : '600' });
    }
  });

  it("gives a replica neither the API token nor a kubeconfig path in its env", async () => {
    const env = await waitFor('the replica env dump', () => {
      try {
        return JSON.parse(readFileSync(join(dir, 'web-0.env.json'), 'utf8')) as Record<string, string>;
      } catch {
        return undefined;
      }
    });
    expect(env.APPHOST_REPLICA).toBe('web-0');
    for (const [name, value] of Object.entries(env)) {
      expect({ name, hasToken: value.includes(kubeconfig.token) }).toEqual({ name, hasToken: false });
      expect({ name, hasKubeconfig: value.includes(join(dir, '.apphost')) || value.includes('.apphost/kubeconfig') }).toEqual({ name, hasKubeconfig: false });
    }
    expect(env.KUBECONFIG).toBeUndefined();
  });

  it('never writes the token to a log, at trace level, nor to any file but the kubeconfig', async () => {
    // Requests that log at every level: a bad one, an unauthorized one, a good one.
    await client.request({ path: '/apis/apphost.dev/v1/namespaces/default/nothings' });
    await client.request({ path: '/version', noAuth: true, headers: { authorization: `Bearer ${kubeconfig.token}x` } });
    expect(up.output().length).toBeGreaterThan(0);
    expect(up.output()).not.toContain(kubeconfig.token);
    for (const p of walk(join(dir, '.apphost')).filter((f) => statSync(f).isFile() && !f.endsWith('kubeconfig'))) {
      expect({ p, hasToken: readFileSync(p, 'latin1').includes(kubeconfig.token) }).toEqual({ p, hasToken: false });
    }
  });
});
