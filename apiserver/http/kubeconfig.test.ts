// writeKubeconfig: the file kubectl and client-node read (0600, directory created, CA and token in it).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKubeconfig } from './kubeconfig.ts';

describe('writeKubeconfig', () => {
  let dir: string;
  const server = { url: 'https://127.0.0.1:12345', token: 'tok-123', caPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-kubeconfig-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the directory and writes a 0600 kubeconfig named apphost with namespace default', async () => {
    const path = join(dir, 'nested', '.apphost', 'kubeconfig');
    await writeKubeconfig(path, server);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const cfg = YAML.parse(await readFile(path, 'utf8'));
    expect(cfg['current-context']).toBe('apphost');
    expect(cfg.clusters[0]).toEqual({ name: 'apphost', cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caPem).toString('base64') } });
    expect(cfg.users[0]).toEqual({ name: 'apphost', user: { token: 'tok-123' } });
    expect(cfg.contexts[0]).toEqual({ name: 'apphost', context: { cluster: 'apphost', user: 'apphost', namespace: 'default' } });
  });

  it('tightens an existing file to 0600 and honours name and namespace', async () => {
    const path = join(dir, 'existing');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeKubeconfig(path, server, { name: 'apphost-shop', namespace: 'dev' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const cfg = YAML.parse(await readFile(path, 'utf8'));
    expect(cfg['current-context']).toBe('apphost-shop');
    expect(cfg.contexts[0].context.namespace).toBe('dev');
  });
});
