// A proxyless fixed port that another process holds, through the real `apphostctl up`: the replica
// is not started while the port is held (no crash loop whose backoff would delay the recovery), the
// resource says PortInUse naming the holder as a proxied endpoint does, and it starts within 2-3 s of
// the port being freed.
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { isRunning } from '../support/proc.ts';
import { freePort, waitFor } from '../support/wait.ts';

const HOLDER = `require('node:net').createServer().listen(Number(process.argv[1]), '127.0.0.1', () => console.log('holding'));`;
// Binds the port as soon as it is free (retrying every 5 ms): takes it the moment a replica dies.
const GRABBER = `const net = require('node:net');
const port = Number(process.argv[1]);
const tryBind = () => { const s = net.createServer(); s.once('error', () => setTimeout(tryBind, 5)); s.listen(port, '127.0.0.1', () => console.log('holding')); };
tryBind();`;

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

describe('proxyless port in use', { timeout: 90_000 }, () => {
  let app: CliApp;
  let holder: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    holder = spawn(process.execPath, ['-e', HOLDER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const manifest = `apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: web}\nspec:\n  executable: {command: node, args: [app.mjs]}\n  endpoints: [{scheme: http, port: ${port}, isProxied: false, env: PORT}]\n`;
    app = await startCliApp({ name: 'proxyless-busy', files: { 'app.mjs': TEST_APP, 'apphost.yaml': manifest } });
  });
  afterAll(async () => {
    if (holder?.pid && isRunning(holder.pid)) process.kill(holder.pid, 'SIGKILL');
    await app?.stop('SIGINT');
  });

  it('does not start the replica while the port is held, says who holds it, and starts within 3 s once it is free', async () => {
    const res = await waitFor('web PortInUse', async () => {
      const r = await app.get('resources', 'web');
      return r?.status?.reason === 'PortInUse' && r;
    }, 15_000);
    expect(res.status.phase).toBe('Degraded');
    expect(res.status.message).toContain(`port ${port} is in use (held by pid ${holder.pid}`);
    // For a few seconds (several retries of the port): no replica, so nothing crash-loops.
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      expect(await app.list('replicas')).toEqual([]);
      await new Promise((r) => setTimeout(r, 250));
    }
    const wide = await runCli(['get', 'res', 'web', '-o', 'wide'], app.dir);
    expect(wide.stdout).toMatch(new RegExp(`^web\\s.*Degraded.*PortInUse.*held by pid ${holder.pid}`, 'm'));
    const ep = await runCli(['get', 'ep', 'web-http', '-o', 'json'], app.dir);
    expect(JSON.parse(ep.stdout).status.conditions).toContainEqual(expect.objectContaining({ type: 'PortAllocated', status: 'False', reason: 'PortInUse' }));

    // Free the port: the replica starts, serves on it, and nothing restarted on the way.
    const freed = Date.now();
    process.kill(holder.pid!, 'SIGKILL');
    await waitFor('holder gone', () => !isRunning(holder.pid!), 5000);
    await waitFor('web serves on its port', () => httpOk(`http://127.0.0.1:${port}/health`), 10_000, 50);
    const recoveredMs = Date.now() - freed;
    expect(recoveredMs).toBeLessThan(3000);
    const [rep] = await app.list('replicas');
    expect(rep.status).toMatchObject({ state: 'Running', restarts: 0 });
    await waitFor('web Running', async () => (await app.get('resources', 'web'))?.status?.phase === 'Running', 5000);
    console.log(`proxyless port freed -> serving in ${recoveredMs} ms`);
  });

  it('a replica that dies while someone takes its port is not restarted into a crash loop, and comes back once the port is free', async () => {
    const before = (await app.list('replicas'))[0];
    const restarts0 = Number(before.status.restarts ?? 0);
    // Kill it; a grabber takes the port the moment it is free.
    const grabber = spawn(process.execPath, ['-e', GRABBER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    holder = grabber;
    const grabbed = new Promise<void>((resolve) => grabber.stdout!.once('data', () => resolve()));
    process.kill(before.status.pid as number, 'SIGKILL');
    await grabbed;
    const res = await waitFor('web PortInUse again', async () => {
      const r = await app.get('resources', 'web');
      return r?.status?.reason === 'PortInUse' && r;
    }, 10_000);
    expect(res.status.message).toContain(`held by pid ${grabber.pid}`);
    // While the port is held: no restarts beyond (at most) one that raced the port check.
    const seen = Number((await app.list('replicas'))[0].status.restarts ?? 0);
    expect(seen - restarts0).toBeLessThanOrEqual(1);
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const [rep] = await app.list('replicas');
      expect(Number(rep.status.restarts ?? 0)).toBe(seen);
      await new Promise((r) => setTimeout(r, 250));
    }
    const [waiting] = await app.list('replicas');
    expect(waiting.status.message).toMatch(/not restarted while endpoint web-http: port \d+ is in use/);

    const freed = Date.now();
    process.kill(grabber.pid!, 'SIGKILL');
    await waitFor('grabber gone', () => !isRunning(grabber.pid!), 5000);
    await waitFor('web serves again', () => httpOk(`http://127.0.0.1:${port}/health`), 10_000, 50);
    const recoveredMs = Date.now() - freed;
    console.log(`port freed -> restarted replica serving in ${recoveredMs} ms`);
    expect(recoveredMs).toBeLessThan(3000);
    expect(Number((await app.list('replicas'))[0].status.restarts)).toBe(seen + 1);
  });
});
