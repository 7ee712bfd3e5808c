// apphostctl certs print|trust|clean through the real CLI, with APPHOST_HOME and APPHOST_TRUST_DIR
// in temp folders (the machine's trust store is left alone).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support.ts';

describe('apphostctl certs', () => {
  const saved = { home: process.env.APPHOST_HOME, trust: process.env.APPHOST_TRUST_DIR };
  let home: string;
  let trust: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'apphost-certs-home-'));
    trust = mkdtempSync(join(tmpdir(), 'apphost-certs-trust-'));
    process.env.APPHOST_HOME = home;
    process.env.APPHOST_TRUST_DIR = trust;
  });
  afterAll(() => {
    for (const [k, v] of [['APPHOST_HOME', saved.home], ['APPHOST_TRUST_DIR', saved.trust]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(home, { recursive: true, force: true });
    rmSync(trust, { recursive: true, force: true });
  });

  it('print creates the CA and prints it (or its path); trust copies it; clean removes both', async () => {
    const ca = join(home, 'dev-certs', 'ca.pem');
    const path = await runCli(['certs', 'print', '--path'], home);
    expect(path).toMatchObject({ code: 0, stdout: `${ca}\n` });
    const pem = await runCli(['certs', 'print'], home);
    expect(pem.stdout).toBe(readFileSync(ca, 'utf8'));
    expect(pem.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const trusted = await runCli(['certs', 'trust'], home);
    expect(trusted.code).toBe(0);
    expect(readFileSync(join(trust, 'apphost-development-ca.crt'), 'utf8')).toBe(pem.stdout);

    const clean = await runCli(['certs', 'clean'], home);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toContain(`removed ${join(home, 'dev-certs')}`);
    expect(existsSync(join(home, 'dev-certs'))).toBe(false);
    expect(existsSync(join(trust, 'apphost-development-ca.crt'))).toBe(false);
    expect((await runCli(['certs', 'clean'], home)).stdout).toContain('nothing in');
  });

  it('a trust store it cannot write is one line saying what to do, exit 1', async () => {
    process.env.APPHOST_TRUST_DIR = join(trust, 'missing', 'dir');
    try {
      const r = await runCli(['certs', 'trust'], home);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: cannot write .*apphost-development-ca\.crt: /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      process.env.APPHOST_TRUST_DIR = trust;
    }
  });
});
