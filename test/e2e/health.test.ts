// /readyz, /livez and /healthz as kube-apiserver answers them, read with the real kubectl
// (`get --raw`): the checks listed with ?verbose, one check at /readyz/<name>, ?exclude, and checks
// that fail for real - controllers still starting (a controller whose setup has not finished), and
// the Docker Engine unreachable while a Resource runs a container (real `apphostctl up`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startApphost, stateDir } from '../../src/host/start-apphost.ts';
import type { Apphost } from '../../src/host/types.ts';
import { defineController } from '../../src/runtime/define-controller.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { KUBECTL } from '../support/prometheus.ts';
import { waitFor } from '../support/wait.ts';

interface Answer { code: number; stdout: string; stderr: string }
const raw = (kubeconfig: string, path: string): Promise<Answer> =>
  new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, 'get', '--raw', path], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** kubectl prints a 500's body inside its error message, with the newlines escaped. */
const body500 = (a: Answer) => a.stderr.replace(/\\n/g, '\n');

describe.skipIf(!existsSync(KUBECTL))('health endpoints through kubectl get --raw', { timeout: 120_000 }, () => {
  let dir: string | undefined;
  let app: Apphost | undefined;
  let cli: CliApp | undefined;
  afterAll(async () => {
    await app?.stop();
    await cli?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('readyz fails while a controller is still starting, names the check, and passes once it runs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-health-'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = defineController({ name: 'slow-start', for: 'Resource', async setup() { await gate; }, async reconcile() {} });
    const starting = startApphost({ dir, controllers: [slow], docker: false, logger: pino({ level: 'silent' }) });
    const kubeconfig = join(stateDir(dir), 'kubeconfig');
    // The API answers (and writes its kubeconfig) before the controllers run.
    await waitFor('the kubeconfig', () => existsSync(kubeconfig), 30_000);

    const failing = await raw(kubeconfig, '/readyz?verbose');
    expect(failing.code).not.toBe(0);
    expect(failing.stderr).toContain('InternalError');
    const lines = body500(failing);
    expect(lines).toContain('[+]ping ok\n[+]log ok\n[+]store ok\n[+]shutdown ok\n[-]controllers failed: reason withheld\n');
    expect(lines).toContain('readyz check failed');
    // A failure is verbose even when not asked to be.
    expect(body500(await raw(kubeconfig, '/readyz'))).toContain('[-]controllers failed: reason withheld');
    // The one check tells why.
    const one = await raw(kubeconfig, '/readyz/controllers');
    expect(one.code).not.toBe(0);
    expect(body500(one)).toMatch(/internal server error: not running: .*slow-start/);
    // Excluded, the rest passes; liveness never depended on the controllers.
    expect(await raw(kubeconfig, '/readyz?exclude=controllers')).toMatchObject({ code: 0, stdout: 'ok' });
    const excluded = await raw(kubeconfig, '/readyz?verbose&exclude=controllers&exclude=etcd');
    expect(excluded.stdout).toContain('[+]controllers excluded: ok\n');
    expect(excluded.stdout).toContain('warn: some health checks cannot be excluded: no matches for "etcd"\n');
    expect(excluded.stdout.endsWith('readyz check passed\n')).toBe(true);
    expect(await raw(kubeconfig, '/livez?verbose')).toMatchObject({ code: 0, stdout: '[+]ping ok\n[+]log ok\n[+]store ok\nlivez check passed\n' });

    release();
    app = await starting;
    const ready = await raw(kubeconfig, '/readyz?verbose');
    expect(ready).toMatchObject({ code: 0 });
    // Without the docker controllers (docker: false) there is no docker check.
    expect(ready.stdout).toBe('[+]ping ok\n[+]log ok\n[+]store ok\n[+]shutdown ok\n[+]controllers ok\n[+]informer-sync ok\nreadyz check passed\n');
    expect(await raw(kubeconfig, '/readyz')).toMatchObject({ code: 0, stdout: 'ok' });
    expect(await raw(kubeconfig, '/readyz/informer-sync')).toMatchObject({ code: 0, stdout: 'ok' });
    expect(await raw(kubeconfig, '/healthz')).toMatchObject({ code: 0, stdout: 'ok' });
    expect(await raw(kubeconfig, '/healthz?verbose')).toMatchObject({ code: 0, stdout: '[+]ping ok\n[+]log ok\n[+]store ok\nhealthz check passed\n' });
    const missing = await raw(kubeconfig, '/readyz/nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NotFound');
  });

  it('readyz fails the docker check while a container Resource runs and the Docker Engine does not answer (apphostctl up)', async () => {
    const manifest = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: cache}
spec:
  container: {image: apphost-test-no-such-image:1}
`;
    cli = await startCliApp({ name: 'health-docker', files: { 'apphost.yaml': manifest }, env: { DOCKER_HOST: `unix://${join(tmpdir(), 'apphost-no-docker.sock')}` } });
    const failing = await raw(cli.kubeconfig.path, '/readyz?verbose');
    expect(failing.code).not.toBe(0);
    expect(body500(failing)).toContain('[+]controllers ok\n[+]informer-sync ok\n[-]docker failed: reason withheld\n');
    expect(body500(await raw(cli.kubeconfig.path, '/readyz/docker'))).toMatch(/internal server error: .*apphost-no-docker\.sock/);
    // The control plane itself is alive.
    expect(await raw(cli.kubeconfig.path, '/livez')).toMatchObject({ code: 0, stdout: 'ok' });
    // With the container Resource gone, docker is not needed: ready.
    await cli.client.request({ method: 'DELETE', path: '/apis/apphost.dev/v1/namespaces/default/resources/cache' });
    await waitFor('ready without containers', async () => (await raw(cli!.kubeconfig.path, '/readyz')).code === 0, 20_000, 200);
    expect((await raw(cli.kubeconfig.path, '/readyz?verbose')).stdout).toContain('[+]docker ok\nreadyz check passed\n');
  });
});
