// The container tunnel end to end on real sockets, without Docker: the networks controller keeps the
// tunnel Proxy objects, the proxies controller serves them with the real proxy factory. The fake
// runtime's network gets gateway 127.0.0.2 and subnet 127.0.0.2/31, so a client bound to 127.0.0.2
// plays a container on the app network and one bound to 127.0.0.1 a container on another network.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../apiserver/store/index.ts';
import type { Store } from '../../src/api/store.ts';
import type { Endpoint, Proxy, Resource } from '../../src/api/types.ts';
import { createNetProxyFactory } from '../../src/platform/net/index.ts';
import { createFakeContainerRuntime } from '../../test/support/fake-container-runtime.ts';
import { closed } from '../../test/support/net-backends.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { createKindsRegistry } from '../../test/integration/support/kinds-registry.ts';
import type { AppIdentity } from '../containers/labels.ts';
import { createProxiesController } from '../proxies/index.ts';
import { createNetworksController } from './controller.ts';
import { TUNNEL_FOR_LABEL } from './tunnels.ts';

const V = 'apphost.dev/v1';
const APP: AppIdentity = { name: 'tunnel-test', projectHash: 'p7654321', instanceId: 'i0002' };
const GATEWAY = '127.0.0.2';

function hostServer(host: string): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined); // reachability probes connect and leave at once
    s.end('hello from the host');
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve(server)));
}

/** Connects to host:port from `from` and reads until the end (or the reset). */
function readFrom(from: string, host: string, port: number): Promise<{ data: string; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    const s = net.connect({ host, port, localAddress: from });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('end', () => resolve({ data }));
    s.on('error', (err: NodeJS.ErrnoException) => resolve({ data, error: err.code ?? err.message }));
  });
}

describe('container tunnel (networks + proxies controllers, real sockets)', () => {
  const servers: net.Server[] = [];
  const fixtures: ControllerFixture[] = [];
  let store: Store;
  let networks: ControllerFixture;
  let proxies: ControllerFixture;

  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.dispose();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  async function setup(hostPort: number): Promise<void> {
    store = createStore({ registry: createKindsRegistry() });
    // The app network gets a gateway this machine has (loopback).
    const rt = createFakeContainerRuntime({ addressing: () => ({ gateway: GATEWAY, subnet: `${GATEWAY}/31` }) });
    networks = await createControllerFixture(createNetworksController({ runtime: rt, app: APP }), store);
    proxies = await createControllerFixture(createProxiesController({ factory: createNetProxyFactory(), statusIntervalMs: 0 }), store);
    fixtures.push(networks, proxies);
    store.create<Resource>({ apiVersion: V, kind: 'Resource', metadata: { name: 'cache', namespace: NS }, spec: { container: { image: 'redis' } } });
    store.create<Resource>({ apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'node' } } });
    const ep = store.create<Endpoint>({ apiVersion: V, kind: 'Endpoint', metadata: { name: 'api-http', namespace: NS }, spec: { resource: 'api', name: 'http' } });
    await networks.client.updateStatus<Endpoint>({ ...ep, status: { port: hostPort } });
  }

  it('serves the app network and resets clients from anywhere else', async () => {
    const server = await hostServer('127.0.0.1');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    await setup(port);
    await networks.settle(['default']);
    const tunnel = store.get<Proxy>('Proxy', NS, 'api-http-tunnel');
    expect(tunnel.metadata.labels?.[TUNNEL_FOR_LABEL]).toBe('api-http');
    expect(tunnel.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Network', name: 'default', controller: true });
    expect(tunnel.spec).toMatchObject({
      listen: { address: GATEWAY, port },
      allowedClients: [`${GATEWAY}/31`],
      backends: [{ name: 'api-http', address: '127.0.0.1', port }],
    });
    await proxies.settle(['api-http-tunnel']);

    expect(await readFrom(GATEWAY, GATEWAY, port)).toEqual({ data: 'hello from the host' });
    const outsider = await readFrom('127.0.0.1', GATEWAY, port);
    expect(outsider).toEqual({ data: '', error: 'ECONNRESET' });
    await proxies.reconcile('api-http-tunnel');
    expect(store.get<Proxy>('Proxy', NS, 'api-http-tunnel').status).toMatchObject({ totalConnections: 1, refusedConnections: 1 });
    await networks.settle(['default']);
    await networks.assertSteady(['default']);

    // The endpoint goes: so does its tunnel, and nothing listens on the gateway port any more.
    store.delete('Endpoint', NS, 'api-http');
    await networks.settle(['default']);
    expect(store.tryGet<Proxy>('Proxy', NS, 'api-http-tunnel')).toBeUndefined();
    await proxies.settle(['api-http-tunnel']);
    const s = net.connect({ host: GATEWAY, port });
    expect(await closed(s)).toBe('ECONNREFUSED');
  });

  it('makes no tunnel for a process that already listens on every address', async () => {
    const server = await hostServer('0.0.0.0');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    await setup(port);
    await networks.settle(['default']);
    expect(store.list<Proxy>('Proxy', { namespace: NS }).items).toEqual([]);
    expect((await readFrom(GATEWAY, GATEWAY, port)).data).toBe('hello from the host');
  });
});
