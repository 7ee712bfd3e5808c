import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNetProxyFactory, ProxyError } from './index.ts';
import type { ProxyEngine, ProxyOptions, RunningProxy } from './index.ts';
import {
  answerAfterEnd,
  closed,
  connect,
  deadPort,
  hasIPv6Loopback,
  readLine,
  readToEnd,
  roundTrip,
  startBackend,
} from '../../../test/support/net-backends.ts';
import { waitFor } from '../../../test/support/wait.ts';
import type { TestBackend } from '../../../test/support/net-backends.ts';

const factory = createNetProxyFactory();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function backend(name: string, behaviour?: Parameters<typeof startBackend>[1]): Promise<TestBackend> {
  const b = await startBackend(name, behaviour);
  cleanups.push(() => b.close());
  return b;
}

let engine: ProxyEngine = 'handles';

async function proxy(options: Partial<ProxyOptions> & Pick<ProxyOptions, 'backends'>): Promise<RunningProxy> {
  const p = await factory.start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', engine, ...options });
  expect(p.engine).toBe(engine);
  cleanups.push(() => p.close());
  return p;
}

async function client(port: number, host?: string): Promise<Socket> {
  const s = await connect(port, host);
  cleanups.push(() => s.destroy());
  return s;
}

const to = (b: TestBackend, ready?: boolean) => ({
  name: b.name,
  address: '127.0.0.1',
  port: b.port,
  ...(ready === undefined ? {} : { ready }),
});

describe.each(['handles', 'streams'] as const)('tcp proxy, %s engine', (name) => {
  beforeEach(() => {
    engine = name;
  });

  it('round-robins successive new connections over two backends', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)] });
    expect(p.port).toBeGreaterThan(0);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await client(p.port);
      seen.push(await readLine(s));
      s.destroy();
    }
    expect(seen).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('gives unready backends no connections', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a, false), to(b)] });
    for (let i = 0; i < 3; i++) {
      const s = await client(p.port);
      expect(await readLine(s)).toBe('b');
      s.destroy();
    }
    expect(a.accepted).toBe(0);
  });

  it('passes a half-close through and keeps the other direction open', async () => {
    const a = await backend('a', answerAfterEnd);
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    const reply = readToEnd(s);
    s.write('hello ');
    s.write('world');
    s.end();
    expect(await reply).toBe('a:hello world');
  });

  it('passes a backend half-close through and still forwards the client data afterwards', async () => {
    let gotFromClient: Promise<string> | undefined;
    const a = await backend('a', (socket) => {
      gotFromClient = readToEnd(socket);
      socket.end('bye\n');
    });
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    // The client sees the backend's FIN but its own direction stays open.
    expect(await readToEnd(s)).toBe('bye\n');
    expect(s.writable).toBe(true);
    s.end('late data');
    await waitFor('backend connection', () => gotFromClient !== undefined, 2000);
    expect(await gotFromClient).toBe('late data');
    await closed(s);
    await waitFor('connection closed', () => p.stats().activeConnections === 0, 2000);
  });

  it('passes a backend reset on to the client', async () => {
    const a = await backend('a', (socket) => socket.once('data', () => socket.resetAndDestroy()));
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    const code = closed(s);
    s.write('boom');
    expect(await code).toBe('ECONNRESET');
  });

  it('passes a client reset on to the backend', async () => {
    const codes: Array<string | undefined> = [];
    const a = await backend('a', (socket) => {
      socket.write('a\n');
      socket.on('error', (err: NodeJS.ErrnoException) => codes.push(err.code));
      socket.on('close', () => codes.push('closed'));
    });
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    expect(await readLine(s)).toBe('a');
    s.resetAndDestroy();
    await waitFor('backend close', () => codes.includes('closed'), 3000);
    expect(codes[0]).toBe('ECONNRESET');
  });

  it('retries a failed connect on the next ready backend with no client-visible failure', async () => {
    const dead = await deadPort();
    const live = await backend('live');
    const p = await proxy({
      backends: [{ name: 'dead', address: '127.0.0.1', port: dead }, to(live)],
    });
    for (let i = 0; i < 6; i++) {
      const s = await client(p.port);
      expect(await readLine(s)).toBe('live');
      expect(await roundTrip(s, `ping ${i}`)).toBe(`ping ${i}`);
      s.destroy();
    }
    const stats = p.stats();
    expect(stats.failedConnects).toBe(3);
    expect(stats.lastError).toMatch(/^dead 127\.0\.0\.1:\d+: ECONNREFUSED$/);
    expect(live.accepted).toBe(6);
  });

  it('closes the client when every ready backend refuses', async () => {
    const p = await proxy({ backends: [{ name: 'dead', address: '127.0.0.1', port: await deadPort() }] });
    const s = await client(p.port);
    await closed(s);
    expect(p.stats().failedConnects).toBe(1);
  });

  it('holds a connection while no backend is ready and dispatches it, bytes included, when one appears', async () => {
    const a = await backend('a', answerAfterEnd);
    const p = await proxy({ backends: [] });
    const s = await client(p.port);
    const reply = readToEnd(s);
    s.write('sent while held');
    s.end();
    await waitFor('the connection held', () => p.stats().activeConnections === 1, 2000);
    expect(a.accepted).toBe(0);
    p.setBackends([to(a)]);
    expect(await reply).toBe('a:sent while held');
    expect(p.stats().bytesIn).toBe('sent while held'.length);
  });

  it('dispatches a held connection when an unready backend becomes ready', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a, false)] });
    const s = await client(p.port);
    await waitFor('the connection held', () => p.stats().activeConnections === 1, 2000);
    expect(a.accepted).toBe(0);
    p.setBackends([to(a, true)]);
    expect(await readLine(s)).toBe('a');
    expect(await roundTrip(s, 'after hold')).toBe('after hold');
  });

  it('closes a held connection after the hold timeout', async () => {
    const p = await proxy({ backends: [], hold: { timeoutMs: 150 } });
    const s = await client(p.port);
    const started = Date.now();
    await closed(s, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(p.stats().lastError).toMatch(/no ready backend within 150 ms/);
    await waitFor('active 0', () => p.stats().activeConnections === 0, 1000);
  });

  it('resets at once while no backend is ready with whenNoBackend Reject, and serves again once one is', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [], whenNoBackend: 'Reject', hold: { timeoutMs: 30_000 } });
    const started = Date.now();
    const s = net.connect({ host: '127.0.0.1', port: p.port });
    cleanups.push(() => s.destroy());
    expect(await closed(s, 2000)).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(p.stats().lastError).toBe('no ready backend (whenNoBackend: Reject)');
    await waitFor('active 0', () => p.stats().activeConnections === 0, 1000);
    p.setBackends([to(a)]);
    expect(await readLine(await client(p.port))).toBe('a');
  });

  it('switching to Reject resets the connections already held; Hold holds again', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [], hold: { timeoutMs: 30_000 } });
    const held = await client(p.port);
    await waitFor('held', () => p.stats().activeConnections === 1, 1000);
    const gone = closed(held, 2000);
    p.setWhenNoBackend('Reject');
    expect(await gone).toBe('ECONNRESET');
    p.setWhenNoBackend('Hold');
    const waiting = await client(p.port);
    await waitFor('held again', () => p.stats().activeConnections === 1, 1000);
    p.setBackends([to(a)]);
    expect(await readLine(waiting)).toBe('a');
  });

  it('closes connections beyond the hold limit at once', async () => {
    const p = await proxy({ backends: [], hold: { maxConnections: 1, timeoutMs: 5000 } });
    const first = await client(p.port);
    await waitFor('first held', () => p.stats().activeConnections === 1, 1000);
    const second = await client(p.port);
    await closed(second, 2000);
    expect(first.destroyed).toBe(false);
  });

  it('stops reading a held client beyond the byte limit and loses nothing', async () => {
    const a = await backend('a', answerAfterEnd);
    const p = await proxy({ backends: [], hold: { maxBytes: 1024 } });
    const s = await client(p.port);
    // More than the kernel's socket buffers can take, so what the proxy does not read stays queued.
    const payload = 'x'.repeat(16 * 1024 * 1024);
    const reply = readToEnd(s, 15_000);
    s.end(payload);
    // The proxy stops reading at 1 KiB: the rest stays queued on the client's side.
    await waitFor('the client backed up', () => p.stats().activeConnections === 1 && s.writableLength > 0, 2000);
    p.setBackends([to(a)]);
    expect(await reply).toBe(`a:${payload}`);
  });

  it('sends no new connections to a removed backend but lets its existing connection finish', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a)] });
    const old = await client(p.port);
    expect(await readLine(old)).toBe('a');
    p.setBackends([to(b)]);
    for (let i = 0; i < 3; i++) {
      const s = await client(p.port);
      expect(await readLine(s)).toBe('b');
      s.destroy();
    }
    expect(await roundTrip(old, 'still here')).toBe('still here');
    expect(a.accepted).toBe(1);
  });

  it('balances by least connections', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)], policy: 'LeastConnections' });
    const first = await client(p.port);
    const firstName = await readLine(first);
    // While the first stays open, every new (closed) connection goes to the other backend.
    for (let i = 0; i < 3; i++) {
      const s = await client(p.port);
      expect(await readLine(s)).not.toBe(firstName);
      s.destroy();
      await closed(s);
      await waitFor('only the first connection open', () => p.stats().activeConnections === 1, 2000);
    }
  });

  it('keeps a client on one backend with client-IP affinity', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)], clientIPAffinity: true });
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const s = await client(p.port);
      seen.add(await readLine(s));
      s.destroy();
    }
    expect(seen.size).toBe(1);
    p.setPolicy('RoundRobin', false);
    for (let i = 0; i < 2; i++) {
      const s = await client(p.port);
      seen.add(await readLine(s));
      s.destroy();
    }
    expect(seen.size).toBe(2);
  });

  it('counts connections and bytes', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    expect(await readLine(s)).toBe('a');
    expect(await roundTrip(s, 'hello')).toBe('hello');
    expect(p.stats()).toMatchObject({ activeConnections: 1, totalConnections: 1, failedConnects: 0 });
    s.end();
    await closed(s);
    await waitFor('active 0', () => p.stats().activeConnections === 0, 2000);
    expect(p.stats()).toEqual({
      activeConnections: 0,
      totalConnections: 1,
      bytesIn: 'hello\n'.length,
      bytesOut: 'a\nhello\n'.length,
      failedConnects: 0,
      refusedConnections: 0,
    });
  });

  it('resets clients outside allowedClients before dialling, and serves the ones inside', async () => {
    const a = await backend('a');
    const p = await proxy({ listen: { address: '0.0.0.0', port: 0 }, backends: [to(a)], allowedClients: ['127.0.0.2/32', '10.0.0.0/8'] });
    const outsider = net.connect({ host: '127.0.0.1', port: p.port, localAddress: '127.0.0.1' });
    cleanups.push(() => outsider.destroy());
    expect(await closed(outsider)).toBe('ECONNRESET');
    const insider = net.connect({ host: '127.0.0.1', port: p.port, localAddress: '127.0.0.2' });
    cleanups.push(() => insider.destroy());
    expect(await readLine(insider)).toBe('a');
    expect(a.accepted).toBe(1);
    expect(p.stats()).toMatchObject({ totalConnections: 1, refusedConnections: 1, lastError: 'refused 127.0.0.1: not in allowedClients' });
  });

  it('rejects a port in use with ProxyError PortInUse', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => holder.close(r)));
    const port = (holder.address() as net.AddressInfo).port;
    const err = await factory
      .start({ listen: { address: '127.0.0.1', port }, protocol: 'TCP', backends: [], engine })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).code).toBe('PortInUse');
    expect((err as ProxyError).port).toBe(port);
  });

  it('rejects bad options with ProxyError InvalidOptions', async () => {
    for (const bad of [
      { listen: { address: '127.0.0.1', port: 70000 }, protocol: 'TCP', backends: [] },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'SCTP', backends: [] },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [{ name: 'x', address: '', port: 1 }] },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [], policy: 'Sticky' },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [], allowedClients: ['10.0.0.0/33'] },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [], allowedClients: ['my-network'] },
      { listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [], allowedClients: '10.0.0.0/8' },
    ]) {
      const err = await factory.start(bad as unknown as ProxyOptions).catch((e: unknown) => e);
      expect((err as ProxyError).code).toBe('InvalidOptions');
    }
  });

  it('binds 127.0.0.1 and ::1 on one port for localhost', async () => {
    const a = await backend('a');
    const p = await proxy({ listen: { address: 'localhost', port: 0 }, backends: [to(a)] });
    expect(p.address).toBe('localhost');
    const v6 = await hasIPv6Loopback();
    expect(p.boundAddresses).toEqual(v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
    const hosts = v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    for (const host of hosts) {
      const s = await client(p.port, host);
      expect(await readLine(s)).toBe('a');
    }
  });

  it('listens on both families for ::, like net.Server', async () => {
    if (!(await hasIPv6Loopback())) return;
    const a = await backend('a');
    const p = await proxy({ listen: { address: '::', port: 0 }, backends: [to(a)] });
    for (const host of ['127.0.0.1', '::1']) {
      const s = await client(p.port, host);
      expect(await readLine(s)).toBe('a');
    }
  });

  it('serves localhost on 127.0.0.1 when another process holds the port on ::1 only, and says why', async () => {
    if (!(await hasIPv6Loopback())) return;
    const a = await backend('a');
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '::1', r));
    cleanups.push(() => new Promise((r) => holder.close(r)));
    const port = (holder.address() as net.AddressInfo).port;
    const p = await proxy({ listen: { address: 'localhost', port }, backends: [to(a)] });
    expect(p.boundAddresses).toEqual(['127.0.0.1']);
    expect(p.notBound.map((e) => [e.code, e.address, e.message])).toEqual([['PortInUse', '::1', `port ${port} is already in use on ::1`]]);
    expect(await readLine(await client(p.port, '127.0.0.1'))).toBe('a');
  });

  it('reports PortInUse for localhost when 127.0.0.1 holds the port (IPv4 clients would reach the holder)', async () => {
    const v4 = net.createServer();
    await new Promise<void>((r) => v4.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => v4.close(r)));
    const port = (v4.address() as net.AddressInfo).port;
    const err = await factory.start({ listen: { address: 'localhost', port }, protocol: 'TCP', backends: [], engine }).catch((e: unknown) => e);
    expect((err as ProxyError).code).toBe('PortInUse');
  });

  it('close() stops listening and destroys open connections', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    expect(await readLine(s)).toBe('a');
    const gone = closed(s);
    await p.close();
    await gone;
    await expect(connect(p.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await p.close();
  });

  it('stops reading a backend whose client does not read (bounded buffering), then delivers everything', async () => {
    const total = 48 * 1024 * 1024;
    let written = 0;
    let blocked = false;
    const a = await backend('a', (socket) => {
      const chunk = Buffer.alloc(256 * 1024, 1);
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            blocked = true;
            return void socket.once('drain', () => ((blocked = false), pump()));
          }
        }
        socket.end();
      };
      pump();
    });
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    s.pause();
    // Back-pressure reached the backend: its writes wait for a drain that does not come.
    await waitFor('the backend blocked on a full connection', () => blocked && written > 0, 5000);
    // Kernel socket buffers on both hops plus the proxy's high-water mark, far below the total.
    expect(p.stats().bytesOut).toBeLessThan(24 * 1024 * 1024);
    expect(written).toBeLessThan(total);
    let received = 0;
    s.on('data', (c: Buffer) => (received += c.length));
    s.resume();
    await closed(s, 10_000);
    expect(received).toBe(total);
  });

  it('close() also ends held connections and their timers', async () => {
    const p = await proxy({ backends: [], hold: { timeoutMs: 60_000 } });
    const s = await client(p.port);
    await waitFor('held', () => p.stats().activeConnections === 1, 1000);
    const gone = closed(s);
    await p.close();
    await gone;
    await waitFor('forgotten', () => p.stats().activeConnections === 0, 1000);
  });

  it('forwards a large stream intact in both directions', async () => {
    const a = await backend('a', (socket) => socket.pipe(socket));
    const p = await proxy({ backends: [to(a)] });
    const s = await client(p.port);
    const size = 8 * 1024 * 1024;
    let received = 0;
    const done = new Promise<void>((resolve) =>
      s.on('data', (c: Buffer) => {
        received += c.length;
        if (received >= size) resolve();
      }),
    );
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
    }
    await done;
    expect(received).toBe(size);
    await waitFor('bytesOut', () => p.stats().bytesOut === size, 2000);
    expect(p.stats().bytesIn).toBe(size);
  });
});
