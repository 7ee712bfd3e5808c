// Container resources through the whole apphost (startApphost: registry, store, API server, every
// built-in controller, the containers and networks controllers) on the real Docker Engine.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LABELS } from '../../controllers/containers/index.ts';
import type { Endpoint, KubeObject, Network, Proxy, Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import { projectHash, startApphost, type Apphost } from '../../src/host/index.ts';
import { createDockerRuntime } from '../../src/platform/docker/index.ts';
import { currentInstanceId } from '../../src/platform/process/index.ts';
import { TEST_IMAGE, TEST_LABEL, cleanupTestRun, dockerTestEnv } from '../support/docker-env.ts';
import { freePort, waitFor } from '../support/wait.ts';

const env = await dockerTestEnv();
const V = 'apphost.dev/v1';
const NS = 'default';
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition') =>
  waitFor(what, fn, timeoutMs, 50);


/** One GET on a fresh connection (no keep-alive: the proxy balances per connection). */
function getOnce(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function resource(name: string, spec: Partial<ResourceSpec>): KubeObject {
  return { apiVersion: V, kind: 'Resource', metadata: { name, namespace: NS }, spec: { stopGracePeriodSeconds: 0, ...spec } };
}

/** Tests that need a running Docker Engine (the Docker-stopped one runs everywhere). */
const dockerIt = env.available ? it : it.skip;

describe('container resources through startApphost (real dockerd)', () => {
  const docker = new Docker();
  const runtime = createDockerRuntime({ pullPolicy: 'never' });
  const appName = `ctr-${env.runId}`;
  const dirs: string[] = [];
  let app: Apphost | undefined;

  async function newDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'apphost-ctr-'));
    dirs.push(d);
    return d;
  }

  /** `apphostctl up` in-process: the assembly wires the docker controllers itself (docker: true). */
  async function up(dir: string, manifests: KubeObject[], options: { dockerHost?: string } = {}): Promise<Apphost> {
    const saved = process.env.DOCKER_HOST;
    if (options.dockerHost) process.env.DOCKER_HOST = options.dockerHost;
    try {
      app = await startApphost({ dir, name: appName, manifests, docker: true, gracePeriodMs: 500 });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    return app;
  }

  async function down(): Promise<void> {
    await app?.stop();
    app = undefined;
  }

  const rep = (a: Apphost, name: string) => a.store.tryGet<Replica>('Replica', NS, name);
  const runningContainer = (a: Apphost, name: string) =>
    until(() => {
      const r = rep(a, name);
      return r?.status?.state === 'Running' && r.status.containerId ? r.status.containerId : undefined;
    }, 30_000, `${name} running`);

  async function containerOutput(id: string): Promise<string[]> {
    const lines: string[] = [];
    await runtime.logs(id, { follow: false, onLine: (l) => lines.push(l.line) }).done;
    return lines;
  }

  async function removeAll(): Promise<void> {
    if (!env.available) return;
    const filters = JSON.stringify({ label: [`${LABELS.app}=${appName}`] });
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  }

  afterEach(async () => {
    await down().catch(() => undefined);
    await removeAll();
    if (env.available) await cleanupTestRun(env.runId);
  });
  afterAll(async () => {
    await removeAll();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  dockerIt('serves a proxied container endpoint with 2 replicas behind one proxy port; Ctrl+C removes the containers and session network', async () => {
    const dir = await newDir();
    const a = await up(dir, [
      resource('web', {
        container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'echo "$APPHOST_REPLICA" > /var/www/index.html; exec httpd -f -p 8080 -h /var/www'] },
        replicas: 2,
        endpoints: [{ name: 'http', scheme: 'http', targetPort: 8080 }],
      }),
    ]);
    const ids = [await runningContainer(a, 'web-0'), await runningContainer(a, 'web-1')];
    const ep = await until(() => {
      const e = a.store.tryGet<Endpoint>('Endpoint', NS, 'web-http');
      return e?.status?.url && (e.status.targets ?? []).filter((t) => t.ready).length === 2 ? e : undefined;
    }, 30_000, 'two ready targets');
    const seen = new Set<string>();
    for (let i = 0; i < 10 && seen.size < 2; i++) seen.add((await getOnce(`http://127.0.0.1:${ep.status!.port}/`)).trim());
    expect([...seen].sort()).toEqual(['web-0', 'web-1']);

    const netName = `apphost-session-network-${currentInstanceId()}-${appName}`;
    expect(a.store.get<Network>('Network', NS, 'default').status?.runtimeName).toBe(netName);
    expect(await runtime.inspectNetwork(netName)).toBeDefined();

    await down();
    for (const id of ids) expect(await runtime.inspectContainer(id)).toBeUndefined();
    expect(await runtime.inspectNetwork(netName)).toBeUndefined();
  });

  dockerIt('reaches container `cache` at cache, redis-primary and session-store from another container via its reference', async () => {
    const dir = await newDir();
    const a = await up(dir, [
      resource('cache', {
        container: { image: TEST_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'], networkAliases: ['redis-primary', 'session-store'] },
        endpoints: [{ name: 'http', scheme: 'http', targetPort: 8080 }],
      }),
      resource('client', {
        container: {
          image: TEST_IMAGE,
          command: 'sh',
          args: ['-c', 'echo "CACHE_HTTP=$CACHE_HTTP"; while true; do for h in cache redis-primary session-store; do echo "$h=$(wget -q -O - http://$h:8080/)"; done; sleep 0.5; done'],
        },
        references: [{ resource: 'cache' }],
        waitFor: [{ resource: 'cache' }],
      }),
    ]);
    const id = await runningContainer(a, 'client-0');
    const lines = await until(async () => {
      const out = await containerOutput(id);
      return ['cache', 'redis-primary', 'session-store'].every((h) => out.includes(`${h}=apphost test image`)) ? out : undefined;
    }, 30_000, 'all three names to answer');
    expect(lines[0]).toBe('CACHE_HTTP=http://cache:8080');
  });

  dockerIt('lets a container reach a host executable through its reference variable (host.apphost.internal), and no container on another network', async () => {
    const dir = await newDir();
    const a = await up(dir, [
      resource('api', {
        executable: { command: process.execPath, args: ['-e', "require('http').createServer((q, s) => s.end('hello from api')).listen(process.env.PORT)"] },
        endpoints: [{ name: 'http', scheme: 'http', env: 'PORT' }],
      }),
      resource('consumer', {
        container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'while true; do echo "API_HTTP=$API_HTTP"; wget -q -O - "$API_HTTP" && echo; sleep 0.3; done'] },
        references: [{ resource: 'api' }],
      }),
    ]);
    const id = await runningContainer(a, 'consumer-0');
    const lines = await until(async () => {
      const out = await containerOutput(id);
      return out.includes('hello from api') ? out : undefined;
    }, 30_000, 'the container to reach the host process');
    const port = a.store.get<Endpoint>('Endpoint', NS, 'api-http').status!.port!;
    expect(lines).toContain(`API_HTTP=http://host.apphost.internal:${port}`);

    // A container on a network of its own tries the same host address: the tunnel resets it.
    // (This busybox's wget crashes with -T, so no timeout flag: the reset ends it at once anyway.)
    const gateway = a.store.get<Network>('Network', NS, 'default').status!.gateway!;
    const other = await runtime.createNetwork({ name: `apphost-test-other-${env.runId}`, labels: { [TEST_LABEL]: env.runId } });
    expect(other.gateway).not.toBe(gateway);
    const outsider = await runtime.runContainer({
      name: `apphost-test-outsider-${env.runId}`,
      image: TEST_IMAGE,
      command: 'sh',
      args: ['-c', `for i in 1 2 3; do r=$(wget -q -O - http://${gateway}:${port}/ 2>&1) && echo "GOT $r" || echo "REFUSED $r"; done; sleep 600`],
      labels: { [TEST_LABEL]: env.runId },
      network: { network: other.name },
    });
    const tries = await until(async () => {
      const out = (await containerOutput(outsider.id)).filter((l) => /^(GOT|REFUSED)/.test(l));
      return out.length === 3 ? out : undefined;
    }, 30_000, 'the outsider to try three times');
    expect(tries.every((l) => l.startsWith('REFUSED'))).toBe(true);
    const tunnel = await until(() => {
      const px = a.store.tryGet<Proxy>('Proxy', NS, 'api-http-tunnel');
      return (px?.status?.refusedConnections ?? 0) >= 3 ? px : undefined;
    }, 10_000, 'the tunnel to count the refusals');
    expect(tunnel.spec.allowedClients).toEqual([a.store.get<Network>('Network', NS, 'default').status!.subnet]);
    expect(tunnel.status?.lastError).toMatch(new RegExp(`^refused ${other.subnet!.split('.').slice(0, 2).join('\\.')}\\.`));
  });

  dockerIt('retries a container whose image is missing with the process backoff, and its proxy resets clients at once', async () => {
    const dir = await newDir();
    const a = await up(dir, [
      resource('web', { container: { image: 'nope/none', tag: '1' }, endpoints: [{ name: 'http', scheme: 'http', targetPort: 8080 }] }),
      resource('once', { container: { image: 'nope/none', tag: '2' }, restartPolicy: 'Never' }),
    ]);
    // Record when each restart shows up: the gaps grow (0.5 s, 1 s, 2 s, 4 s).
    const seenAt = new Map<number, number>();
    await until(() => {
      const n = rep(a, 'web-0')?.status?.restarts ?? 0;
      if (!seenAt.has(n)) seenAt.set(n, Date.now());
      return n >= 4;
    }, 30_000, 'web-0 to be retried 4 times');
    const gap = (n: number) => seenAt.get(n + 1)! - seenAt.get(n)!;
    expect(gap(3)).toBeGreaterThan(gap(1) * 1.5);
    const st = rep(a, 'web-0')!.status!;
    expect(st.state).toBe('Failed');
    expect(st.conditions?.find((c) => c.type === 'Running')).toMatchObject({ reason: 'ImageNotFound' });
    expect(st.message).toMatch(/^image nope\/none:1 not found locally .*; retrying in \d+(\.\d)?s$/);
    // Retried: a crash loop like a process's (one phase rule), Failed only once nothing retries.
    expect(a.store.get<Resource>('Resource', NS, 'web').status).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff' });
    await until(() => a.store.get<Resource>('Resource', NS, 'once').status?.phase === 'Failed', 5000, 'once to be Failed');
    expect(a.store.get<Resource>('Resource', NS, 'web').status?.message).toMatch(/image nope\/none:1 not found/);
    // restartPolicy Never: one try, said so.
    expect(rep(a, 'once-0')?.status).toMatchObject({ state: 'Failed', restarts: 0 });
    expect(rep(a, 'once-0')?.status?.message).toMatch(/; not retried \(restartPolicy Never\)$/);

    // No backend can come soon: a client of the proxy is reset at once, not held for 30 s.
    const px = await until(() => {
      const p = a.store.tryGet<Proxy>('Proxy', NS, 'web-http');
      return p?.spec.whenNoBackend === 'Reject' && p.status?.port ? p : undefined;
    }, 10_000, 'the proxy to reject');
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: px.status!.port! });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      s.on('close', () => resolve('closed'));
    });
    expect(outcome).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(1000);
  }, 60_000);

  dockerIt('applies a live env change by recreating the container (and removes the old one)', async () => {
    const dir = await newDir();
    const web = (greeting: string) =>
      resource('web', {
        container: { image: TEST_IMAGE, command: 'sh', args: ['-c', 'echo "$GREETING" > /var/www/index.html; exec httpd -f -p 8080 -h /var/www'] },
        env: [{ name: 'GREETING', value: greeting }],
        endpoints: [{ name: 'http', scheme: 'http', targetPort: 8080 }],
      });
    const a = await up(dir, [web('one')]);
    const first = await runningContainer(a, 'web-0');
    const port = await until(() => a.store.tryGet<Endpoint>('Endpoint', NS, 'web-http')?.status?.port, 20_000, 'proxy port');
    expect((await until(() => getOnce(`http://127.0.0.1:${port}/`).catch(() => undefined), 20_000, 'one')).trim()).toBe('one');
    await a.apply([web('two')]);
    const second = await until(() => {
      const id = rep(a, 'web-0')?.status?.containerId;
      return id && id !== first && rep(a, 'web-0')?.status?.state === 'Running' ? id : undefined;
    }, 20_000, 'recreated container');
    const body = await until(async () => {
      const b = (await getOnce(`http://127.0.0.1:${port}/`).catch(() => ''))?.trim();
      return b === 'two' ? b : undefined;
    }, 20_000, 'new greeting behind the same proxy port');
    expect(body).toBe('two');
    expect(await runtime.inspectContainer(first)).toBeUndefined();
    expect((await runtime.inspectContainer(second))?.running).toBe(true);
  });

  dockerIt('keeps a persistent container and its network across runs, reuses the id, recreates on env change', async () => {
    const dir = await newDir();
    const port = await freePort();
    const store = (mode: string) =>
      resource('store', {
        container: { image: TEST_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'] },
        lifetime: 'Persistent',
        env: [{ name: 'MODE', value: mode }],
        endpoints: [{ name: 'http', scheme: 'http', port, targetPort: 8080 }],
      });
    let a = await up(dir, [store('one')]);
    const first = await runningContainer(a, 'store-0');
    const netName = `apphost-persistent-network-${projectHash(dir)}-${appName}`;
    expect(a.store.get<Network>('Network', NS, 'default').status?.runtimeName).toBe(netName);
    await down();
    expect((await runtime.inspectContainer(first))?.running).toBe(true);
    expect(await runtime.inspectNetwork(netName)).toBeDefined();
    expect((await getOnce(`http://127.0.0.1:${port}/`)).trim()).toBe('apphost test image');

    a = await up(dir, [store('one')]);
    expect(await runningContainer(a, 'store-0')).toBe(first);
    await down();

    a = await up(dir, [store('two')]);
    const second = await runningContainer(a, 'store-0');
    expect(second).not.toBe(first);
    expect(await runtime.inspectContainer(first)).toBeUndefined();
  });

  dockerIt('after a SIGKILL of apphost, the next up removes its session containers and network', async () => {
    const dir = await newDir();
    const script = join(dir, 'child.mts');
    const url = (p: string) => JSON.stringify(new URL(p, `file://${REPO}`).href);
    await writeFile(
      script,
      `import { startApphost } from ${url('src/host/index.ts')};
const app = await startApphost({ dir: ${JSON.stringify(dir)}, name: ${JSON.stringify(appName)}, docker: true,
  manifests: [{ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'left', namespace: 'default' },
  spec: { container: { image: ${JSON.stringify(TEST_IMAGE)}, command: 'sleep', args: ['600'] } } }] });
const timer = setInterval(() => {
  const r = app.store.tryGet('Replica', 'default', 'left-0');
  if (r?.status?.state === 'Running') { console.log('READY ' + r.status.containerId); clearInterval(timer); }
}, 50);
`,
    );
    const child = spawn(process.execPath, [join(REPO, 'bin/run-ts.js'), script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      const id = await until(() => /READY (\w+)/.exec(out)?.[1], 40_000, 'child apphost to run its container').catch((err: Error) => {
        throw new Error(`${err.message}; child output: ${out}`);
      });
      const leftNetworks = await runtime.listNetworks({ labels: [`${LABELS.app}=${appName}`, `${LABELS.lifetime}=Session`] });
      expect(leftNetworks).toHaveLength(1);
      child.kill('SIGKILL');
      await exited;
      expect((await runtime.inspectContainer(id))?.running).toBe(true);

      await up(dir, []);
      expect(await runtime.inspectContainer(id)).toBeUndefined();
      expect(await runtime.inspectNetwork(leftNetworks[0]!.id)).toBeUndefined();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 60_000);

  it('with Docker stopped: a clear condition on the container, no crash, executables still served', async () => {
    const dir = await newDir();
    const a = await up(
      dir,
      [
        resource('api', {
          executable: { command: process.execPath, args: ['-e', "require('http').createServer((q, s) => s.end('api ok')).listen(process.env.PORT)"] },
          endpoints: [{ name: 'http', scheme: 'http', env: 'PORT' }],
        }),
        resource('cache', { container: { image: TEST_IMAGE, command: 'httpd', args: ['-f', '-p', '8080'] }, endpoints: [{ name: 'tcp', targetPort: 8080 }] }),
      ],
      { dockerHost: `unix://${join(dir, 'no-docker.sock')}` },
    );
    const cond = await until(() => {
      const c = rep(a, 'cache-0')?.status?.conditions?.find((x) => x.type === 'Running');
      return c?.reason === 'DockerUnavailable' ? c : undefined;
    }, 20_000, 'DockerUnavailable condition');
    expect(cond.message).toBe(`Docker is not available: cannot connect to ${join(dir, 'no-docker.sock')} — start dockerd or Docker Desktop`);
    expect(rep(a, 'cache-0')?.status?.state).toBe('Pending');
    const url = await until(() => {
      const e = a.store.tryGet<Endpoint>('Endpoint', NS, 'api-http');
      return e?.status?.port && (e.status.targets ?? []).some((t) => t.ready) ? `http://127.0.0.1:${e.status.port}/` : undefined;
    }, 20_000, 'api ready');
    expect(await getOnce(url)).toBe('api ok');
    const res = a.store.get<Resource>('Resource', NS, 'cache');
    expect(res.status?.phase).not.toBe('Running');
  });
});
