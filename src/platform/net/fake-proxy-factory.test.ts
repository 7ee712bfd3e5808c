import { describe, expect, it } from 'vitest';
import { createFakeProxyFactory, ProxyError } from './index.ts';
import type { FakeProxy, ProxyOptions } from './index.ts';

const opts = (port = 0, extra: Partial<ProxyOptions> = {}): ProxyOptions => ({
  listen: { address: 'localhost', port },
  protocol: 'TCP',
  backends: [
    { name: 'a', address: '127.0.0.1', port: 5001 },
    { name: 'b', address: '127.0.0.1', port: 5002 },
  ],
  ...extra,
});

describe('fake proxy factory', () => {
  it('hands out distinct ports for port 0 and records started proxies', async () => {
    const f = createFakeProxyFactory();
    const p1 = await f.start(opts());
    const p2 = await f.start(opts());
    expect(p1.port).not.toBe(p2.port);
    expect(p1.boundAddresses).toEqual(['127.0.0.1', '::1']);
    expect(f.proxies).toHaveLength(2);
    expect(f.find(p1.port)).toBe(p1);
    await p1.close();
    expect(f.running()).toEqual([p2]);
  });

  it('fails the next bind on a port once with PortInUse', async () => {
    const f = createFakeProxyFactory();
    f.failNextBind(5066);
    const err = await f.start(opts(5066)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({ code: 'PortInUse', port: 5066 });
    const p = await f.start(opts(5066));
    expect(p.port).toBe(5066);
  });

  it('rejects a second proxy on a port in use until the first closes, and occupied ports', async () => {
    const f = createFakeProxyFactory();
    const p = await f.start(opts(6000));
    await expect(f.start(opts(6000))).rejects.toMatchObject({ code: 'PortInUse' });
    // Another protocol on the same port is fine, as with real sockets.
    await f.start(opts(6000, { protocol: 'UDP' }));
    await p.close();
    await f.start(opts(6000));
    f.occupyPort(7000);
    await expect(f.start(opts(7000))).rejects.toMatchObject({ code: 'PortInUse' });
    f.releasePort(7000);
    await f.start(opts(7000));
  });

  it('balances simulated connections like the real proxy and counts them', async () => {
    const f = createFakeProxyFactory();
    const p = (await f.start(opts())) as FakeProxy;
    const c1 = p.simulateConnection()!;
    const c2 = p.simulateConnection()!;
    expect([c1.backend.name, c2.backend.name]).toEqual(['a', 'b']);
    c1.close();
    c1.close();
    p.simulateTraffic({ bytesIn: 10, bytesOut: 20 });
    p.simulateConnectFailure('a 127.0.0.1:5001: ECONNREFUSED');
    expect(p.stats()).toEqual({
      activeConnections: 1,
      totalConnections: 2,
      bytesIn: 10,
      bytesOut: 20,
      failedConnects: 1,
      refusedConnections: 0,
      lastError: 'a 127.0.0.1:5001: ECONNREFUSED',
    });
    expect((await f.start({ ...opts(), allowedClients: ['10.0.0.0/8'] }) as FakeProxy).simulateConnection('127.0.0.1')).toBeUndefined();
  });

  it('follows live backend and policy changes', async () => {
    const f = createFakeProxyFactory();
    const p = (await f.start(opts())) as FakeProxy;
    p.setBackends([{ name: 'c', address: '127.0.0.1', port: 5003, ready: false }]);
    expect(p.backendUpdates).toBe(1);
    expect(p.simulateConnection()).toBeUndefined();
    p.setBackends([{ name: 'c', address: '127.0.0.1', port: 5003 }]);
    expect(p.simulateConnection()?.backend.name).toBe('c');
    p.setPolicy('LeastConnections', true);
    expect([p.policy, p.clientIPAffinity]).toEqual(['LeastConnections', true]);
    expect(() => p.setBackends([{ name: 'x', address: '', port: 1 }])).toThrow(ProxyError);
  });

  it('rejects invalid options like the real factory', async () => {
    const f = createFakeProxyFactory();
    await expect(f.start(opts(-1))).rejects.toMatchObject({ code: 'InvalidOptions' });
  });
});
