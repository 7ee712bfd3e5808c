import { afterEach, describe, expect, it } from 'vitest';
import type { Proxy, ProxySpec } from '../../src/api/types.ts';
import { createFakeProxyFactory, type FakeProxyFactory } from '../../src/platform/net/index.ts';
import { createFakePortAllocator } from '../../src/platform/ports/index.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { createProxiesController } from './controller.ts';

const V = 'apphost.dev/v1';
const proxy = (name: string, spec: ProxySpec): Proxy => ({ apiVersion: V, kind: 'Proxy', metadata: { name, namespace: NS }, spec });
const b = (name: string, port: number) => ({ name, address: '127.0.0.1', port });

describe('proxies controller', () => {
  let fx: ControllerFixture;
  let factory: FakeProxyFactory;
  afterEach(async () => {
    await fx?.dispose();
  });

  async function setup(statusIntervalMs = 0) {
    factory = createFakeProxyFactory();
    const ports = createFakePortAllocator();
    ports.occupy(5066, { pid: 4321, command: 'python3 -m http.server 5066' });
    fx = await createControllerFixture(
      createProxiesController({ factory, ports, statusIntervalMs, bindBackoff: { baseMs: 20, maxMs: 100 } }),
    );
    return ports;
  }
  const get = (name: string) => fx.store.get<Proxy>('Proxy', NS, name);

  it('serves a Proxy, writes its bound address and reaches a steady state', async () => {
    await setup(60_000);
    fx.create(proxy('api-http', { listen: { address: 'localhost', port: 0 }, backends: [b('api-0', 5001)] }));
    await fx.settle(['api-http']);
    await fx.assertSteady(['api-http']);
    const running = factory.running();
    expect(running).toHaveLength(1);
    expect(running[0]!.backends.map((x) => x.port)).toEqual([5001]);
    const st = get('api-http').status!;
    expect(st.port).toBe(running[0]!.port);
    expect(st.conditions?.find((c) => c.type === 'Bound')).toMatchObject({ status: 'True', reason: 'Listening' });
  });

  it('changes backends and policy live, without re-binding', async () => {
    await setup(60_000);
    const px = fx.create(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [b('a', 1)] }));
    await fx.settle(['p']);
    fx.store.update({ ...get('p'), spec: { ...px.spec, backends: [b('a', 1), b('c', 3)], policy: 'LeastConnections' } });
    await fx.settle(['p']);
    expect(factory.proxies).toHaveLength(1);
    expect(factory.running()[0]!.backends.map((x) => x.name)).toEqual(['a', 'c']);
    expect(factory.running()[0]!.policy).toBe('LeastConnections');
  });

  it('re-binds when the listen port changes', async () => {
    await setup(60_000);
    const px = fx.create(proxy('p', { listen: { address: 'localhost', port: 45001 } }));
    await fx.settle(['p']);
    fx.store.update({ ...get('p'), spec: { ...px.spec, listen: { address: 'localhost', port: 45002 } } });
    await fx.settle(['p']);
    expect(factory.proxies.map((p) => [p.port, p.closed])).toEqual([[45001, true], [45002, false]]);
    expect(get('p').status?.port).toBe(45002);
  });

  it('reports PortInUse naming the holder, retries with backoff, and binds once the port is free', async () => {
    await setup();
    factory.occupyPort(5066);
    fx.create(proxy('frontend-http', { listen: { address: 'localhost', port: 5066 } }));
    const r1 = await fx.reconcile('frontend-http');
    expect(r1?.requeueAfterMs).toBe(20);
    const bound = get('frontend-http').status?.conditions?.find((c) => c.type === 'Bound');
    expect(bound).toMatchObject({ status: 'False', reason: 'PortInUse' });
    expect(bound?.message).toContain('pid 4321: python3 -m http.server 5066');

    await new Promise((r) => setTimeout(r, 25));
    const r2 = await fx.reconcile('frontend-http');
    expect(r2?.requeueAfterMs).toBe(40); // backoff doubled
    factory.releasePort(5066);
    await new Promise((r) => setTimeout(r, 45));
    await fx.reconcile('frontend-http');
    expect(factory.find(5066)).toBeDefined();
    expect(get('frontend-http').status?.conditions?.find((c) => c.type === 'Bound')?.status).toBe('True');
  });

  it('writes counters, at most once per interval', async () => {
    await setup(200);
    fx.create(proxy('p', { listen: { address: 'localhost', port: 0 }, backends: [b('a', 1)] }));
    await fx.settle(['p']);
    const fp = factory.running()[0]!;
    fp.simulateConnection();
    fp.simulateTraffic({ bytesIn: 10, bytesOut: 20 });
    const r = await fx.reconcile('p');
    expect(get('p').status?.totalConnections).toBe(0); // too soon after the last write
    expect(r?.requeueAfterMs).toBeLessThanOrEqual(200);
    await new Promise((res) => setTimeout(res, 210));
    await fx.reconcile('p');
    expect(get('p').status).toMatchObject({ totalConnections: 1, activeConnections: 1, bytesIn: 10, bytesOut: 20 });
  });

  it('closes the proxy when the Proxy is deleted, and all of them on dispose', async () => {
    await setup(60_000);
    fx.create(proxy('p1', { listen: { address: 'localhost', port: 0 } }));
    fx.create(proxy('p2', { listen: { address: 'localhost', port: 0 } }));
    await fx.settle(['p1', 'p2']);
    fx.store.delete('Proxy', NS, 'p1');
    await fx.reconcile('p1');
    expect(factory.running()).toHaveLength(1);
    await fx.dispose();
    expect(factory.running()).toHaveLength(0);
  });
});
