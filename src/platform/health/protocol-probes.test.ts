// Protocol probes against a real redis-server (Debian's, as a child process) and against servers
// that accept the connection but answer wrongly, or as a Postgres that is still starting.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../test/support/wait.ts';
import { probeTcp } from './probe-tcp.ts';

function serve(answer: (socket: net.Socket, data: Buffer) => void): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server = net.createServer((s) => s.once('data', (d) => answer(s, d)));
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() }));
  });
}

function pgError(code: string): Buffer {
  const body = Buffer.from(`SFATAL\0C${code}\0Mthe database system is starting up\0\0`, 'latin1');
  const out = Buffer.alloc(5 + body.length);
  out.write('E', 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

describe('protocol probes', () => {
  let redis: ChildProcess | undefined;
  let redisPort = 0;
  beforeAll(async () => {
    redisPort = await freePort();
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', 'pw', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor('redis-server', async () => (await probeTcp({ host: '127.0.0.1', port: redisPort })).ok, 10_000, 50);
  });
  afterAll(() => {
    if (redis?.pid) process.kill(redis.pid, 'SIGKILL');
  });

  it('redis: a real redis-server with a password answers PING with NOAUTH, which is ready', async () => {
    const r = await probeTcp({ host: '127.0.0.1', port: redisPort, protocol: 'redis' });
    expect(r).toMatchObject({ ok: true, code: 'PROBE_OK' });
    expect(r.message).toContain('NOAUTH');
  });

  it('redis: a server that accepts but answers -LOADING is not ready', async () => {
    const s = await serve((sock) => sock.end('-LOADING Redis is loading the dataset in memory\r\n'));
    const r = await probeTcp({ host: '127.0.0.1', port: s.port, protocol: 'redis' });
    s.close();
    expect(r).toMatchObject({ ok: false, code: 'PROBE_PROTOCOL' });
  });

  it('postgres: an authentication request is ready, 57P03 (starting up) is not, silence times out', async () => {
    const ready = await serve((sock, d) => {
      // A StartupMessage: length, protocol 3.0, user ...
      expect(d.readInt32BE(4)).toBe(196608);
      expect(d.toString('latin1')).toContain('user\0apphost-probe\0');
      const r = Buffer.alloc(13);
      r.write('R', 0, 'latin1');
      r.writeInt32BE(12, 1);
      r.writeInt32BE(10, 5); // SASL
      sock.end(r);
    });
    const starting = await serve((sock) => sock.end(pgError('57P03')));
    const silent = await serve(() => undefined);
    expect(await probeTcp({ host: '127.0.0.1', port: ready.port, protocol: 'postgres' })).toMatchObject({ ok: true });
    expect(await probeTcp({ host: '127.0.0.1', port: starting.port, protocol: 'postgres' })).toMatchObject({ ok: false, code: 'PROBE_PROTOCOL' });
    expect(await probeTcp({ host: '127.0.0.1', port: silent.port, protocol: 'postgres', timeoutMs: 300 })).toMatchObject({ ok: false, code: 'PROBE_TIMEOUT' });
    for (const s of [ready, starting, silent]) s.close();
  });

  it('amqp: Connection.Start is ready; a protocol-header answer (wrong version) is not', async () => {
    const start = await serve((sock, d) => {
      expect([...d]).toEqual([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
      const frame = Buffer.from([1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0xce]);
      sock.end(frame);
    });
    const other = await serve((sock) => sock.end(Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 10])));
    expect(await probeTcp({ host: '127.0.0.1', port: start.port, protocol: 'amqp' })).toMatchObject({ ok: true });
    const r = await probeTcp({ host: '127.0.0.1', port: other.port, protocol: 'amqp' });
    expect(r).toMatchObject({ ok: false, code: 'PROBE_PROTOCOL' });
    expect(r.message).toContain('1.1.0.10');
    for (const s of [start, other]) s.close();
  });
});
