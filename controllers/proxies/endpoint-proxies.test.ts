import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint, EndpointStatus, Proxy } from '../../src/api/types.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { createEndpointProxiesController } from './endpoint-proxies.ts';

const V = 'apphost.dev/v1';

describe('endpoint-proxies controller', () => {
  let fx: ControllerFixture;
  afterEach(async () => {
    await fx?.dispose();
  });

  const endpoint = (status: EndpointStatus): Endpoint => {
    const ep = fx.create<Endpoint>({ apiVersion: V, kind: 'Endpoint', metadata: { name: 'api-http', namespace: NS }, spec: { resource: 'api', name: 'http', scheme: 'http' } });
    return fx.store.update<Endpoint>({ ...ep, status }, { subresource: 'status' });
  };
  const setStatus = (status: EndpointStatus) => {
    const ep = fx.store.get<Endpoint>('Endpoint', NS, 'api-http');
    fx.store.update({ ...ep, status }, { subresource: 'status' });
  };

  it('creates an owned Proxy on the endpoint port with the ready targets only, and follows them', async () => {
    fx = await createControllerFixture(createEndpointProxiesController());
    const ep = endpoint({
      proxied: true,
      port: 5066,
      targets: [
        { replica: 'api-0', address: '127.0.0.1', port: 5001, ready: true },
        { replica: 'api-1', address: '127.0.0.1', port: 5002, ready: false },
      ],
    });
    await fx.settle(['api-http']);
    await fx.assertSteady(['api-http']);
    let px = fx.store.get<Proxy>('Proxy', NS, 'api-http');
    expect(px.spec).toEqual({ listen: { address: 'localhost', port: 5066 }, protocol: 'TCP', backends: [{ name: 'api-0', address: '127.0.0.1', port: 5001, ready: true }] });
    expect(px.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Endpoint', uid: ep.metadata.uid, controller: true });

    setStatus({ ...ep.status, targets: [{ replica: 'api-0', address: '127.0.0.1', port: 5001, ready: true }, { replica: 'api-1', address: '127.0.0.1', port: 5002, ready: true }] });
    await fx.settle(['api-http']);
    px = fx.store.get<Proxy>('Proxy', NS, 'api-http');
    expect(px.spec.backends?.map((x) => x.name)).toEqual(['api-0', 'api-1']);
  });

  it('keeps a policy set on the Proxy by a user', async () => {
    fx = await createControllerFixture(createEndpointProxiesController());
    endpoint({ proxied: true, port: 5066, targets: [] });
    await fx.settle(['api-http']);
    const px = fx.store.get<Proxy>('Proxy', NS, 'api-http');
    fx.store.update({ ...px, spec: { ...px.spec, policy: 'Random' } });
    setStatus({ proxied: true, port: 5067, targets: [] });
    await fx.settle(['api-http']);
    expect(fx.store.get<Proxy>('Proxy', NS, 'api-http').spec).toMatchObject({ policy: 'Random', listen: { port: 5067 } });
  });

  it('makes no Proxy for a proxyless endpoint and deletes one that is no longer wanted', async () => {
    fx = await createControllerFixture(createEndpointProxiesController());
    endpoint({ proxied: true, port: 5066 });
    await fx.settle(['api-http']);
    expect(fx.store.tryGet('Proxy', NS, 'api-http')).toBeDefined();
    setStatus({ proxied: false, port: 5066 });
    await fx.settle(['api-http']);
    expect(fx.store.tryGet('Proxy', NS, 'api-http')).toBeUndefined();
  });

  it('leaves alone a Proxy of the same name that a user owns', async () => {
    fx = await createControllerFixture(createEndpointProxiesController());
    fx.create<Proxy>({ apiVersion: V, kind: 'Proxy', metadata: { name: 'api-http', namespace: NS }, spec: { listen: { address: 'localhost', port: 7000 } } });
    endpoint({ proxied: true, port: 5066 });
    await fx.settle(['api-http']);
    expect(fx.store.get<Proxy>('Proxy', NS, 'api-http').spec.listen.port).toBe(7000);
  });
});
