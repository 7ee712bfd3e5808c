// HTTPS with apphost's development CA, for real: a Node https replica that curl reaches trusting only
// the CA; the proxy terminating TLS in front of an http-only app; a Node client resolving
// `https+http://api` to the https URL and trusting the CA through NODE_EXTRA_CA_CERTS.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint, Replica } from '../../src/api/types.ts';
import { createBuilder } from '../../src/builder/builder.ts';
import { startApphost, type Apphost } from '../../src/host/index.ts';
import { devCertificatePaths } from '../../src/platform/tls/index.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const NS = 'default';
const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('https endpoints with the development CA', () => {
  let home: string;
  let dir: string;
  let app: Apphost;
  let savedHome: string | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'apphost-home-'));
    dir = await mkdtemp(join(tmpdir(), 'apphost-https-'));
    savedHome = process.env.APPHOST_HOME;
    process.env.APPHOST_HOME = home;
    const b = createBuilder({ baseDir: APPS });
    const api = b.addNodeApp('api', '.', 'https-server.js').withHttpsEndpoint({ env: 'HTTPS_PORT' }).withHttpEndpoint({ env: 'PORT' });
    b.addExecutable('client', 'node', '.', [join(REPO, 'bin/run-ts.js'), 'https-client.ts']).withReference(api).waitFor(api);
    b.addNodeApp('web', '.', 'http-only.js').withHttpsEndpoint({ env: 'PORT', tlsTermination: 'proxy' });
    app = await startApphost({ dir, name: 'https-test', manifests: b.build().manifests(), docker: false, gracePeriodMs: 500 });
  });
  afterAll(async () => {
    await app?.stop();
    if (savedHome === undefined) delete process.env.APPHOST_HOME;
    else process.env.APPHOST_HOME = savedHome;
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  const certs = () => devCertificatePaths(join(home, 'dev-certs'));
  const urlOf = (name: string) => waitFor(`endpoint ${name}`, () => app.store.tryGet<Endpoint>('Endpoint', NS, name)?.status?.url, 30_000, 50);
  const ready = (resource: string) =>
    waitFor(`${resource} ready`, () => app.store.tryGet<Replica>('Replica', NS, `${resource}-0`)?.status?.ready === true || undefined, 30_000, 50);
  const curl = (url: string, ...args: string[]) => run('curl', ['-sS', '--max-time', '10', ...args, url], { timeout: 15_000 });

  it('an https replica gets the certificate in env and curl trusting only the CA reaches it through the proxy', async () => {
    const url = await urlOf('api-https');
    expect(url).toMatch(/^https:\/\/localhost:\d+$/);
    await ready('api');
    const env = Object.fromEntries((app.store.get<Replica>('Replica', NS, 'api-0').spec.env ?? []).map((e) => [e.name, e.value]));
    const p = certs();
    expect(env).toMatchObject({ APPHOST_TLS_CERT: p.cert, APPHOST_TLS_KEY: p.key, SSL_CERT_FILE: p.bundle, NODE_EXTRA_CA_CERTS: p.caCert });
    expect((await curl(`${url}/`, '--cacert', p.caCert)).stdout).toBe('https from api-0\n');
    // 127.0.0.1 is in the certificate too; with only the system's CAs curl refuses it.
    expect((await curl(url.replace('localhost', '127.0.0.1'), '--cacert', p.caCert)).stdout).toBe('https from api-0\n');
    await expect(curl(url)).rejects.toThrow(/certificate/i);
    expect((await stat(p.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(p.key)).mode & 0o777).toBe(0o600);
    expect((await stat(p.caKey)).mode & 0o777).toBe(0o600);
  });

  it('tlsTermination: proxy serves https in front of an http-only app, which gets no certificate', async () => {
    const url = await urlOf('web-https');
    expect(url).toMatch(/^https:/);
    await ready('web');
    expect((await curl(`${url}/`, '--cacert', certs().caCert)).stdout).toBe('plain http from web-0\n');
    const env = (app.store.get<Replica>('Replica', NS, 'web-0').spec.env ?? []).map((e) => e.name);
    expect(env).not.toContain('APPHOST_TLS_CERT');
    // The replica itself speaks plain http.
    const port = app.store.get<Replica>('Replica', NS, 'web-0').spec.ports![0]!.targetPort;
    expect((await curl(`http://127.0.0.1:${port}/`)).stdout).toBe('plain http from web-0\n');
  });

  it('a Node client resolves https+http://api to the https URL and trusts the CA', async () => {
    const url = await urlOf('api-https');
    const line = await waitFor(
      'the client to answer',
      () => app.logs.read(`${NS}/client-0`).map((l) => l.line).find((l) => l.startsWith('CLIENT-OK')),
      60_000,
      100,
    );
    expect(line).toBe(`CLIENT-OK ${url}/ https from api-0`);
    const env = Object.fromEntries((app.store.get<Replica>('Replica', NS, 'client-0').spec.env ?? []).map((e) => [e.name, e.value]));
    expect(env.NODE_EXTRA_CA_CERTS).toBe(certs().caCert);
    expect(env.APPHOST_TLS_KEY).toBeUndefined();
  }, 90_000);
});
