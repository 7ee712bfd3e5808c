import { afterEach, describe, expect, it } from 'vitest';
import type { Proxy, ProxySpec } from '../../src/api/types.ts';
import { createFakeProxyFactory, type FakeProxyFactory } from '../../src/platform/net/index.ts';
import { createFakePortAllocator } from '../../src/platform/ports/index.ts';
import { createFakeClock, type FakeClock } from '../../src/runtime/clock.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createProxiesController } from './controller.ts';

const V = 'apphost.dev/v1';
const NS = 'default';
const proxy = (name: string, spec: ProxySpec): Proxy => ({ apiVersion: V, kind: 'Proxy', metadata: { name, namespace: NS }, spec });
const b = (name: string, port: number) => ({ name, address: '127.0.0.1', port });

describe('proxies controller', () => {
  let fx: ControllerFixture;
  let factory: FakeProxyFactory;
  let clock: FakeClock;
  afterEach(async () => {
    await fx?.stop();
  });

  async function setup(statusIntervalMs = 1000) {
    clock = createFakeClock();
    factory = createFakeProxyFactory();
    const ports = createFakePortAllocator();
    ports.occupy(5066, { pid: 4321, command: 'python3 -m http.server 5066' });
    fx = await createControllerFixture({
      clock,
      controllers: [createProxiesController({ factory, ports, statusIntervalMs, bindBackoff: { baseMs: 200, maxMs: 1000 }, clock })],
    });
  }
  const get = (name: string) => fx.store.get<Proxy>('Proxy', NS, name);
  const bound = (name: string) => get(name).status?.conditions?.find((c) => c.type === 'Bound');

  it('serves a Proxy, writes its bound address and reaches a steady state', async () => {
    await setup();
    await fx.apply(proxy('api-http', { listen: { address: 'localhost', port: 0 }, backends: [b('api-0', 5001)] }));
    await fx.assertSteady();
    const running = factory.running();
    expect(running).toHaveLength(1);
    expect(running[0]!.backends.map((x) => x.port)).toEqual([5001]);
    expect(get('api-http').status!.port).toBe(running[0]!.port);
    expect(bound('api-http')).toMatchObject({ status: 'True', reason: 'Listening' });
  });

  it('changes backends and policy live, without re-binding', async () => {
    await setup();
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [b('a', 1)] }));
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [b('a', 1), b('c', 3)], policy: 'LeastConnections' }));
    expect(factory.proxies).toHaveLength(1);
    expect(factory.running()[0]!.backends.map((x) => x.name)).toEqual(['a', 'c']);
    expect(factory.running()[0]!.policy).toBe('LeastConnections');
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [], whenNoBackend: 'Reject' }));
    expect(factory.proxies).toHaveLength(1);
    expect(factory.running()[0]!.whenNoBackend).toBe('Reject');
  });

  it('re-binds when the listen port changes', async () => {
    await setup();
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 45001 } }));
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 45002 } }));
    expect(factory.proxies.map((p) => [p.port, p.closed])).toEqual([[45001, true], [45002, false]]);
    expect(get('p').status?.port).toBe(45002);
  });

  it('reports PortInUse naming the holder, retries with backoff, and binds once the port is free', async () => {
    await setup();
    factory.occupyPort(5066);
    await fx.apply(proxy('frontend-http', { listen: { address: 'localhost', port: 5066 } }));
    expect(bound('frontend-http')).toMatchObject({ status: 'False', reason: 'PortInUse' });
    expect(bound('frontend-http')?.message).toContain('pid 4321: python3 -m http.server 5066');
    expect(get('frontend-http').status?.phase).toBe('PortInUse');

    // Retries keep going while the port is taken, with backoff (200 ms doubling, capped at 1 s):
    // about 7 attempts in 5 s, not one per 100 ms step.
    const attempts = () => fx.reconciles.filter((r) => r.controller === 'proxies').length;
    const before = attempts();
    for (let t = 0; t < 5000; t += 100) await fx.advance(100);
    expect(factory.find(5066)).toBeUndefined();
    expect(attempts() - before).toBeGreaterThanOrEqual(5);
    expect(attempts() - before).toBeLessThanOrEqual(12);

    factory.releasePort(5066);
    for (let t = 0; t < 1100; t += 100) await fx.advance(100);
    expect(factory.find(5066)).toBeDefined();
    expect(bound('frontend-http')?.status).toBe('True');
  });

  it('writes counters at most once per interval', async () => {
    await setup(1000);
    await fx.apply(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [b('a', 1)] }));
    const fp = factory.running()[0]!;
    fp.simulateConnection();
    fp.simulateTraffic({ bytesIn: 10, bytesOut: 20 });
    await fx.advance(500);
    expect(get('p').status?.totalConnections).toBe(0); // too soon after the last write
    await fx.advance(600);
    expect(get('p').status).toMatchObject({ totalConnections: 1, activeConnections: 1, bytesIn: 10, bytesOut: 20 });
  });

  it('closes the proxy when the Proxy is deleted, and all of them on stop', async () => {
    await setup();
    await fx.apply(proxy('p1', { listen: { address: 'localhost', port: 0 } }));
    await fx.apply(proxy('p2', { listen: { address: 'localhost', port: 0 } }));
    await fx.client.delete('Proxy', NS, 'p1');
    await fx.settle();
    expect(factory.running()).toHaveLength(1);
    await fx.stop();
    expect(factory.running()).toHaveLength(0);
  });
});
