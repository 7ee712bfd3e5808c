import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hasIpv6Loopback } from './bind-probe.ts';
import { findPortHolder, listeningInodes } from './find-port-holder.ts';

const children: ChildProcess[] = [];

/** A child process listening on host:0; resolves with its port. */
async function listenerChild(host: string): Promise<{ child: ChildProcess; port: number }> {
  const script = `const s = require('node:net').createServer().listen(0, ${JSON.stringify(host)}, () => console.log(s.address().port)); // apphost-port-holder-test`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { child, port };
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('findPortHolder (real listeners, /proc)', () => {
  it('finds the child process listening on a 127.0.0.1 port, with its command line', async () => {
    const { child, port } = await listenerChild('127.0.0.1');
    const holder = await findPortHolder(port);
    expect(holder?.pid).toBe(child.pid);
    expect(holder?.command).toContain(process.execPath);
    expect(holder?.command).toContain('apphost-port-holder-test');
  });

  it('finds an IPv6 listener too', async (ctx) => {
    if (!(await hasIpv6Loopback())) ctx.skip();
    const { child, port } = await listenerChild('::1');
    expect((await findPortHolder(port))?.pid).toBe(child.pid);
  });

  it('finds this very process, and nothing for a port nobody listens on', async () => {
    const server = createServer();
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
    expect((await findPortHolder(port))?.pid).toBe(process.pid);
    await new Promise((r) => server.close(r));
    expect(await findPortHolder(port)).toBeUndefined();
  });
});

describe('listeningInodes', () => {
  it('picks LISTEN rows on the port from a /proc/net/tcp table', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:10E2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11111 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:10E2 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 22222 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 33333 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(table, 0x10e2)).toEqual(['11111']);
    expect(listeningInodes(table, 8080)).toEqual(['33333']);
    expect(listeningInodes(table, 1)).toEqual([]);
  });
});
