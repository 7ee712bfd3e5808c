import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetProxyFactory, ProxyError } from './index.ts';
import type { ProxyOptions, RunningProxy } from './index.ts';
import { hasIPv6Loopback, startUdpBackend, udpClient } from '../../../test/support/net-backends.ts';
import { waitFor } from '../../../test/support/wait.ts';
import type { UdpClient, UdpTestBackend } from '../../../test/support/net-backends.ts';

const factory = createNetProxyFactory();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function backend(name: string): Promise<UdpTestBackend> {
  const b = await startUdpBackend(name);
  cleanups.push(() => b.close());
  return b;
}

async function proxy(options: Partial<ProxyOptions> & Pick<ProxyOptions, 'backends'>): Promise<RunningProxy> {
  const p = await factory.start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'UDP', ...options });
  cleanups.push(() => p.close());
  return p;
}

async function client(port: number, host?: string): Promise<UdpClient> {
  const c = await udpClient(port, host);
  cleanups.push(() => c.close());
  return c;
}

const to = (b: UdpTestBackend) => ({ name: b.name, address: '127.0.0.1', port: b.port });

describe('udp proxy', () => {
  it('keeps one flow per client, round-robins new flows, and sends replies to the right client', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a), to(b)] });
    const c1 = await client(p.port);
    const c2 = await client(p.port);
    expect(await c1.request('one')).toBe('a:one');
    expect(await c2.request('two')).toBe('b:two');
    // Same client, same flow, same backend and upstream socket.
    expect(await c1.request('three')).toBe('a:three');
    expect(await c2.request('four')).toBe('b:four');
    expect(a.peers.size).toBe(1);
    expect(b.peers.size).toBe(1);
    expect(p.stats()).toEqual({
      activeConnections: 2,
      totalConnections: 2,
      bytesIn: 'one'.length + 'two'.length + 'three'.length + 'four'.length,
      bytesOut: 'a:one'.length + 'b:two'.length + 'a:three'.length + 'b:four'.length,
      failedConnects: 0,
      refusedConnections: 0,
    });
  });

  it('drops idle flows after the idle timeout', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)], udpIdleTimeoutMs: 100 });
    const c = await client(p.port);
    expect(await c.request('x')).toBe('a:x');
    expect(p.stats().activeConnections).toBe(1);
    await waitFor('flow expiry', () => p.stats().activeConnections === 0, 2000);
    // A new datagram opens a new flow with a new upstream socket.
    expect(await c.request('y')).toBe('a:y');
    expect(p.stats().totalConnections).toBe(2);
    expect(a.peers.size).toBe(2);
  });

  it('moves a flow off a backend that left', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const p = await proxy({ backends: [to(a)] });
    const c = await client(p.port);
    expect(await c.request('1')).toBe('a:1');
    p.setBackends([to(b)]);
    expect(await c.request('2')).toBe('b:2');
  });

  it('drops datagrams from clients outside allowedClients', async () => {
    const a = await backend('a');
    const p = await proxy({ backends: [to(a)], allowedClients: ['127.0.0.2'] });
    const outsider = await udpClient(p.port, '127.0.0.1', '127.0.0.1');
    cleanups.push(() => outsider.close());
    await expect(outsider.request('let me in', 300)).rejects.toThrow(/no UDP reply/);
    const insider = await udpClient(p.port, '127.0.0.1', '127.0.0.2');
    cleanups.push(() => insider.close());
    expect(await insider.request('hi')).toBe('a:hi');
    expect(p.stats()).toMatchObject({ totalConnections: 1, refusedConnections: 1 });
    expect(a.peers.size).toBe(1);
  });

  it('drops datagrams while no backend is ready', async () => {
    const p = await proxy({ backends: [] });
    const c = await client(p.port);
    await expect(c.request('lost', 200)).rejects.toThrow(/no UDP reply/);
    expect(p.stats()).toMatchObject({ activeConnections: 0, lastError: 'no ready backend' });
  });

  it('rejects a port in use with ProxyError PortInUse', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = holder.address().port;
    const err = await factory
      .start({ listen: { address: '127.0.0.1', port }, protocol: 'UDP', backends: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).code).toBe('PortInUse');
  });

  it('binds both loopback families for localhost', async () => {
    const a = await backend('a');
    const p = await proxy({ listen: { address: 'localhost', port: 0 }, backends: [to(a)] });
    const v6 = await hasIPv6Loopback();
    expect(p.boundAddresses).toEqual(v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
    for (const host of p.boundAddresses) {
      const c = await client(p.port, host);
      expect(await c.request(`via ${host}`)).toBe(`a:via ${host}`);
    }
  });
});
