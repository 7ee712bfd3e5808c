import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint, EndpointStatus, Proxy, Replica } from '../../src/api/types.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createEndpointProxiesController } from './endpoint-proxies.ts';

const V = 'apphost.dev/v1';
const NS = 'default';

describe('endpoint-proxies controller', () => {
  let fx: ControllerFixture;
  afterEach(async () => {
    await fx?.stop();
  });

  const setup = async () => {
    fx = await createControllerFixture({ controllers: [createEndpointProxiesController()] });
  };
  const endpoint = async (status: EndpointStatus): Promise<Endpoint> => {
    const ep =
      fx.store.tryGet<Endpoint>('Endpoint', NS, 'api-http') ??
      (await fx.apply<Endpoint>({ apiVersion: V, kind: 'Endpoint', metadata: { name: 'api-http', namespace: NS }, spec: { resource: 'api', name: 'http', scheme: 'http' } }));
    const out = fx.store.update<Endpoint>({ ...ep, status }, { subresource: 'status' });
    await fx.settle();
    return out;
  };
  const px = () => fx.store.tryGet<Proxy>('Proxy', NS, 'api-http');
  const t = (replica: string, port: number, ready: boolean) => ({ replica, address: '127.0.0.1', port, ready });

  it('creates an owned Proxy on the endpoint port with the ready targets only, and follows them', async () => {
    await setup();
    const ep = await endpoint({ proxied: true, port: 5066, targets: [t('api-0', 5001, true), t('api-1', 5002, false)] });
    await fx.assertSteady();
    expect(px()!.spec).toMatchObject({ listen: { address: 'localhost', port: 5066 }, protocol: 'TCP', backends: [{ name: 'api-0', address: '127.0.0.1', port: 5001, ready: true }] });
    expect(px()!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Endpoint', uid: ep.metadata.uid, controller: true });
    expect(px()!.metadata.labels).toMatchObject({ 'apphost.dev/resource': 'api', 'apphost.dev/endpoint': 'http' });

    await endpoint({ proxied: true, port: 5066, targets: [t('api-0', 5001, true), t('api-1', 5002, true)] });
    expect(px()!.spec.backends?.map((x) => x.name)).toEqual(['api-0', 'api-1']);
  });

  it('keeps a policy set on the Proxy by a user', async () => {
    await setup();
    await endpoint({ proxied: true, port: 5066, targets: [] });
    const p = px()!;
    fx.store.update({ ...p, spec: { ...p.spec, policy: 'Random' } });
    await endpoint({ proxied: true, port: 5067, targets: [] });
    expect(px()!.spec).toMatchObject({ policy: 'Random', listen: { port: 5067 } });
  });

  it('makes no Proxy for a proxyless endpoint and deletes one that is no longer wanted', async () => {
    await setup();
    await endpoint({ proxied: true, port: 5066 });
    expect(px()).toBeDefined();
    await endpoint({ proxied: false, port: 5066 });
    expect(px()).toBeUndefined();
  });

  it('rejects clients at once while every replica has failed for good or keeps failing, holds them otherwise', async () => {
    await setup();
    const replica = (name: string, status: Replica['status']) =>
      fx.store.update<Replica>({ ...(fx.store.tryGet<Replica>('Replica', NS, name) ?? fx.store.create<Replica>({ apiVersion: V, kind: 'Replica', metadata: { name, namespace: NS, labels: { 'apphost.dev/resource': 'api' } }, spec: { resource: 'api', index: 0 } })), status }, { subresource: 'status' });
    const running = (reason: string) => [{ type: 'Running', status: 'False' as const, reason, lastTransitionTime: new Date().toISOString() }];
    await endpoint({ proxied: true, port: 5066, targets: [] });
    expect(px()!.spec.whenNoBackend).toBe('Hold');
    // A process's first crash, restart due in a backoff: hold.
    replica('api-0', { state: 'Failed', restarts: 0, conditions: running('BackOff') });
    await fx.settle();
    expect(px()!.spec.whenNoBackend).toBe('Hold');
    // It failed again after its restart: a crash loop.
    replica('api-0', { state: 'Failed', restarts: 1, conditions: running('BackOff') });
    await fx.settle();
    expect(px()!.spec.whenNoBackend).toBe('Reject');
    // A second replica still starting may serve soon.
    replica('api-1', { state: 'Starting', restarts: 0 });
    await fx.settle();
    expect(px()!.spec.whenNoBackend).toBe('Hold');
    // A container whose image is missing.
    replica('api-1', { state: 'Failed', restarts: 0, conditions: running('ImageNotFound') });
    await fx.settle();
    expect(px()!.spec.whenNoBackend).toBe('Reject');
    // A ready backend: hold (there is one, nothing is held anyway).
    await endpoint({ proxied: true, port: 5066, targets: [t('api-0', 5001, true)] });
    expect(px()!.spec.whenNoBackend).toBe('Hold');
  });

  it('leaves alone a Proxy of the same name that a user owns', async () => {
    await setup();
    await fx.apply<Proxy>({ apiVersion: V, kind: 'Proxy', metadata: { name: 'api-http', namespace: NS }, spec: { listen: { address: 'localhost', port: 7000 } } });
    await endpoint({ proxied: true, port: 5066 });
    expect(px()!.spec.listen.port).toBe(7000);
  });
});
