// The assembly on its own: API server + kubeconfig, manifests applied through admission, a clear
// one-line error for a refused manifest, stop() removing the kubeconfig and closing the port.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.ts';
import { isHostError } from './errors.ts';
import { applicationName, projectHash } from './project.ts';
import { startApphost } from './start-apphost.ts';
import type { Apphost } from './types.ts';

const proxyObj = (name: string, port = 0): KubeObject => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Proxy',
  metadata: { name },
  spec: { listen: { address: 'localhost', port }, backends: [] },
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('startApphost', () => {
  let dir: string;
  let app: Apphost | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the API, writes a 0600 kubeconfig, applies manifests, and cleans up on stop', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-host-'));
    app = await startApphost({ dir, manifests: [proxyObj('forward')], gracePeriodMs: 500 });
    expect(app.name).toBe(applicationName(dir));
    expect(app.projectHash).toBe(projectHash(dir));
    expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(app.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(app.applied).toEqual([{ kind: 'Proxy', name: 'forward', namespace: 'default', action: 'created' }]);

    // The proxies controller serves the Proxy: it reports where it listens.
    let port: number | undefined;
    for (let i = 0; i < 100 && !port; i++) {
      port = app.store.tryGet<KubeObject & { status?: { port?: number } }>('Proxy', 'default', 'forward')?.status?.port;
      if (!port) await new Promise((r) => setTimeout(r, 20));
    }
    expect(port).toBeGreaterThan(0);
    expect(await canConnect(port!)).toBe(true);

    const apiPort = Number(new URL(app.url).port);
    expect(await canConnect(apiPort)).toBe(true);

    await app.stop();
    expect(existsSync(app.kubeconfigPath)).toBe(false);
    expect(await canConnect(apiPort)).toBe(false);
    expect(await canConnect(port!)).toBe(false);
  });

  it('applying again updates in place; a refused manifest is one line naming the object and field', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-host-'));
    app = await startApphost({ dir, name: 'demo', manifests: [proxyObj('a')] });
    expect(app.name).toBe('demo');
    const again = await app.apply([proxyObj('a', 0)]);
    expect(again[0]!.action).toMatch(/configured|unchanged/);

    const bad: KubeObject = {
      apiVersion: 'apphost.dev/v1',
      kind: 'Resource',
      metadata: { name: 'api' },
      spec: { executable: { command: 'node' }, replicas: 2, endpoints: [{ name: 'http', targetPort: 3001 }] },
    };
    const err = await app.apply([bad]).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_APPLY')).toBe(true);
    expect((err as Error).message).toMatch(/^Resource "api": spec\.endpoints\[0\]\.targetPort: /);
    expect((err as Error).message).not.toContain('\n');
  });
});
