// A fixed localhost port that another process holds on ::1 only, through the real
// `apphostctl up` (issue 14 item 16): the proxy binds 127.0.0.1 and serves, says which
// address it could not bind and who holds it; a PortInUse that clears prints a line.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { hasIPv6Loopback } from '../support/net-backends.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { waitFor } from '../support/wait.ts';

/** Another program holding port 0 (or `port`) on each of `hosts`; prints the port. */
function holdPort(hosts: string[]): Promise<{ child: ChildProcess; port: number }> {
  const script = `const net = require('net'); const hosts = ${JSON.stringify(hosts)};
    const first = net.createServer().listen(0, hosts[0], () => { const port = first.address().port;
      for (const h of hosts.slice(1)) net.createServer().listen(port, h); setTimeout(() => console.log(port), 100); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}

const WEB = `require('http').createServer((q, s) => s.end(process.env.APPHOST_RESOURCE)).listen(process.env.PORT);`;
const resource = (name: string, port: number) => `
apiVersion: apphost.dev/v1
kind: Resource
metadata: { name: ${name} }
spec:
  executable: { command: ${JSON.stringify(process.execPath)}, args: [web.js] }
  endpoints: [{ name: http, scheme: http, port: ${port}, env: PORT }]
  stopGracePeriodSeconds: 0
`;

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe.skipIf(!(await hasIPv6Loopback()))('a localhost port held on one family only (real up)', () => {
  const holders: ChildProcess[] = [];
  let app: CliApp | undefined;
  afterEach(async () => {
    for (const h of holders.splice(0)) h.kill('SIGKILL');
    await app?.stop();
    app = undefined;
  });

  it('serves on 127.0.0.1 when ::1 is held, says so, and prints a line when a PortInUse clears', async () => {
    const v6 = await holdPort(['::1']);
    const both = await holdPort(['127.0.0.1', '::1']);
    holders.push(v6.child, both.child);
    app = await startCliApp({
      name: 'partial',
      files: { 'web.js': WEB, 'apphost.yaml': `${resource('web', v6.port)}---${resource('other', both.port)}` },
    });
    // The endpoint is up on the family that is free, and the terminal says what is not.
    await app.up.waitFor(new RegExp(`listening on 127\\.0\\.0\\.1 port ${v6.port} only; port ${v6.port} is already in use on ::1 \\(held by pid ${v6.child.pid}`), 30_000);
    expect(await waitFor('web answers on 127.0.0.1', () => get(`http://127.0.0.1:${v6.port}/`).catch(() => undefined), 20_000)).toBe('web');
    const px = await app.get('proxies', 'web-http');
    expect(px.status.conditions.find((c: { type: string }) => c.type === 'Bound')).toMatchObject({ status: 'True', reason: 'PartiallyBound' });
    expect(px.status.listening).toEqual([`127.0.0.1:${v6.port}`]);
    await waitFor('web Running', async () => (await app!.get('resources', 'web'))?.status?.phase === 'Running', 20_000);

    // Held on both: PortInUse until the holder goes, then one line says it recovered.
    await app.up.waitFor(new RegExp(`port ${both.port} is already in use`), 30_000);
    both.child.kill('SIGKILL');
    await app.up.waitFor(new RegExp(`port ${both.port} is free again: listening on 127\\.0\\.0\\.1, ::1 port ${both.port}`), 30_000);
    expect(await waitFor('other answers', () => get(`http://127.0.0.1:${both.port}/`).catch(() => undefined), 20_000)).toBe('other');
  }, 90_000);
});
