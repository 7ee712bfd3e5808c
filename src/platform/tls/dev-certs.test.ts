import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanDevCertificates, devCertsDir, ensureDevCertificates } from './dev-certs.ts';

const run = promisify(execFile);

describe('development certificates', () => {
  const dirs: string[] = [];
  const newDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'apphost-devcerts-'));
    dirs.push(d);
    return join(d, 'dev-certs');
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('APPHOST_HOME moves the folder', () => {
    expect(devCertsDir({ APPHOST_HOME: '/x/y' })).toBe('/x/y/dev-certs');
    expect(devCertsDir({})).toMatch(/\.apphost\/dev-certs$/);
  });

  it('makes a CA once and a certificate openssl verifies for localhost, 127.0.0.1, ::1 and host.apphost.internal', async () => {
    const dir = await newDir();
    const first = await ensureDevCertificates({ dir });
    expect(first.created).toBe('ca');
    expect((await run('openssl', ['verify', '-CAfile', first.caCert, first.cert])).stdout).toContain(': OK');
    const text = (await run('openssl', ['x509', '-in', first.cert, '-noout', '-ext', 'subjectAltName'])).stdout;
    for (const name of ['DNS:localhost', 'DNS:host.apphost.internal', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']) expect(text).toContain(name);
    expect(await readFile(first.bundle, 'utf8')).toContain(await readFile(first.caCert, 'utf8'));
    const again = await ensureDevCertificates({ dir });
    expect(again.created).toBe('none');
  });

  it('renews the certificate (same CA) when it is about to expire; clean removes everything', async () => {
    const dir = await newDir();
    const first = await ensureDevCertificates({ dir });
    const ca = await readFile(first.caCert, 'utf8');
    const cert = await readFile(first.cert, 'utf8');
    const later = await ensureDevCertificates({ dir, now: () => new Date(Date.now() + 360 * 86_400_000) });
    expect(later.created).toBe('certificate');
    expect(await readFile(later.caCert, 'utf8')).toBe(ca);
    expect(await readFile(later.cert, 'utf8')).not.toBe(cert);
    expect(cleanDevCertificates(dir)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(cleanDevCertificates(dir)).toBe(false);
  });

  it('concurrent ensures in one folder end with one CA that signed the certificate', async () => {
    const dir = await newDir();
    const results = await Promise.all([1, 2, 3].map(() => ensureDevCertificates({ dir })));
    expect(results.filter((r) => r.created === 'ca')).toHaveLength(1);
    expect((await run('openssl', ['verify', '-CAfile', results[0]!.caCert, results[0]!.cert])).stdout).toContain(': OK');
  });
});
