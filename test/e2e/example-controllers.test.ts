// The two example controllers, end to end: apphost started, the controller acting on real objects,
// the result observed through the real kubectl and a real TCP connection.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import endpointsEnvController from '../../examples/controllers/endpoints-env/controller.ts';
import { startApphost } from '../../src/host/index.ts';
import type { Apphost } from '../../src/host/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);

/** waitFor, with a throw (file not there yet, connection refused) counting as "not yet". */
const eventually = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number) =>
  waitFor(what, () => fn().catch(() => undefined), timeoutMs);
const ROOT = resolve(import.meta.dirname, '../..');

const server = `require('http').createServer((q, s) => s.end('hello from ' + process.env.PORT)).listen(process.env.PORT, '127.0.0.1')`;

const web = (name: string): KubeObject => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name },
  spec: {
    executable: { command: process.execPath, args: ['-e', server] },
    endpoints: [{ scheme: 'http', env: 'PORT' }],
  },
});


function httpGet(url: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolvePromise(body));
    }).on('error', reject);
  });
}

async function kubectl(app: Apphost, home: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', app.kubeconfigPath, ...args], {
    env: { ...process.env, HOME: home, KUBECACHEDIR: join(home, 'cache') },
  });
  return stdout;
}

describe('example controllers', () => {
  let dir: string;
  let app: Apphost | undefined;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child?.pid && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    child = undefined;
    await app?.stop();
    app = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('in-process: endpoints.env follows every Endpoint URL', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-envctl-'));
    app = await startApphost({
      dir,
      manifests: [web('my-web')],
      controllers: [endpointsEnvController({ dir })],
      gracePeriodMs: 500,
    });
    const file = join(dir, '.apphost', 'endpoints.env');
    const content = await eventually('endpoints.env', async () => {
      const text = await readFile(file, 'utf8');
      return text.includes('MY_WEB_HTTP=') ? text : undefined;
    });
    const url = await kubectl(app, dir, 'get', 'endpoints', 'my-web-http', '-o', 'jsonpath={.status.url}');
    expect(content).toBe(`MY_WEB_HTTP=${url}\n`);
    // The URL in the file really reaches the app.
    expect(await eventually('app answers', () => httpGet(url))).toMatch(/^hello from \d+$/);

    // A second resource appears in the file; deleting it takes it out again.
    await app.apply([web('other')]);
    await eventually('OTHER_HTTP line', async () => ((await readFile(file, 'utf8')).includes('OTHER_HTTP=') ? true : undefined));
    await kubectl(app, dir, 'delete', 'resource', 'other');
    await eventually('OTHER_HTTP gone', async () => (!(await readFile(file, 'utf8')).includes('OTHER_HTTP=') ? true : undefined));
  });

  it('out-of-process: a PortForward of a user CRD forwards a local port to a resource endpoint', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-pfctl-'));
    app = await startApphost({
      dir,
      manifests: [web('web')],
      crdDirs: [join(ROOT, 'examples/controllers/port-forward/crds')],
      gracePeriodMs: 500,
    });
    child = spawn(process.execPath, [join(ROOT, 'bin/run-ts.js'), 'examples/controllers/port-forward/controller.ts', '--kubeconfig', app.kubeconfigPath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c));
    child.stderr!.on('data', (c: Buffer) => (output += c));

    // The user's kind is served like the built-in ones: kubectl applies and prints it.
    const manifest = join(dir, 'pf.yaml');
    await writeFile(
      manifest,
      ['apiVersion: examples.apphost.dev/v1', 'kind: PortForward', 'metadata:', '  name: web', 'spec:', '  resource: web', '  localPort: 0', ''].join('\n'),
    );
    expect(await kubectl(app, dir, 'apply', '-f', manifest)).toContain('portforward.examples.apphost.dev/web created');

    const url = await eventually(
      'PortForward Ready',
      async () => {
        const out = await kubectl(app!, dir, 'get', 'pf', 'web', '-o', 'jsonpath={.status.phase} {.status.url}');
        const [phase, u] = out.split(' ');
        return phase === 'Ready' && u ? u : undefined;
      },
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\ncontroller output:\n${output}`);
    });
    const port = Number(new URL(url).port);
    expect(port).toBeGreaterThan(0);
    expect(await eventually('forwarded request', () => httpGet(`http://127.0.0.1:${port}/`))).toMatch(/^hello from \d+$/);

    const table = await kubectl(app, dir, 'get', 'portforwards');
    expect(table).toMatch(/NAME\s+TARGET\s+URL\s+PHASE\s+AGE/);
    expect(table).toMatch(/web\s+127\.0\.0\.1:\d+\s+tcp:\/\/127\.0\.0\.1:\d+\s+Ready/);

    // Deleting the forward deletes its Proxy (owner reference) and closes the port.
    await kubectl(app, dir, 'delete', 'pf', 'web');
    await eventually('proxy gone', async () => (app!.store.tryGet('Proxy', 'default', 'pf-web') ? undefined : true));
  });
});
