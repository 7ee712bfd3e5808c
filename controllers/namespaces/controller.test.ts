import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createNamespacesController } from './controller.ts';

const V = 'apphost.dev/v1';

describe('namespaces controller', () => {
  let fx: ControllerFixture;
  afterEach(() => fx?.stop());

  it('empties a deleted namespace (dependents before owners, networks after the rest), waits for finalizers, then removes the kubernetes finalizer', async () => {
    fx = await createControllerFixture({ controllers: [createNamespacesController()] });
    await fx.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    const res = await fx.apply<KubeObject>({ apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: 'dev' }, spec: { executable: { command: 'node' } } });
    const owner = [{ apiVersion: V, kind: 'Resource', name: 'api', uid: res.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    await fx.apply({ apiVersion: V, kind: 'Replica', metadata: { name: 'api-0', namespace: 'dev', ownerReferences: owner, finalizers: ['test.dev/hold'] }, spec: { resource: 'api', index: 0 } });
    const net = await fx.apply<KubeObject>({ apiVersion: V, kind: 'Network', metadata: { name: 'default', namespace: 'dev' }, spec: {} });
    // A tunnel Proxy owned by the Network: it goes with its owner and does not hold the networks' turn.
    const netOwner = [{ apiVersion: V, kind: 'Network', name: 'default', uid: net.metadata.uid!, controller: true }];
    await fx.apply({ apiVersion: V, kind: 'Proxy', metadata: { name: 'api-http-tunnel', namespace: 'dev', ownerReferences: netOwner }, spec: { listen: { address: '127.0.0.1', port: 0 } } });
    await fx.apply({ apiVersion: V, kind: 'Network', metadata: { name: 'other', namespace: 'default' }, spec: {} });
    await fx.assertSteady();
    expect(fx.errors()).toEqual([]);

    await fx.client.delete('namespaces', '', 'dev');
    await fx.settle();
    const ns = await fx.client.get<any>('namespaces', '', 'dev');
    expect(ns).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
    expect(ns.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'NamespaceContentRemaining', status: 'True', message: expect.stringContaining('replicas.apphost.dev has 1 resource instances') }),
        expect.objectContaining({ type: 'NamespaceFinalizersRemaining', status: 'True', message: expect.stringContaining('test.dev/hold in 1 resource instances') }),
      ]),
    );
    // The owner waits (foreground) for its Replica, whose finalizer holds it.
    expect((await fx.client.get<KubeObject>('Resource', 'dev', 'api'))?.metadata.deletionTimestamp).toBeDefined();
    expect((await fx.client.get<KubeObject>('Replica', 'dev', 'api-0'))?.metadata.deletionTimestamp).toBeDefined();
    // The network waits until nothing else is left (containers leave it first).
    expect((await fx.client.get<KubeObject>('Network', 'dev', 'default'))?.metadata.deletionTimestamp).toBeUndefined();

    await fx.client.patch('Replica', 'dev', 'api-0', { metadata: { finalizers: null } });
    await fx.settle();
    expect(await fx.client.get('Replica', 'dev', 'api-0')).toBeUndefined();
    expect(await fx.client.get('Resource', 'dev', 'api')).toBeUndefined();
    expect(await fx.client.get('Network', 'dev', 'default')).toBeUndefined();
    expect(await fx.client.get('Proxy', 'dev', 'api-http-tunnel')).toBeUndefined();
    expect(await fx.client.get('namespaces', '', 'dev')).toBeUndefined();
    // Other namespaces are untouched.
    expect(await fx.client.get('Network', 'default', 'other')).toBeDefined();
    expect(await fx.client.get('namespaces', '', 'default')).toBeDefined();
    expect(fx.errors()).toEqual([]);
  });
});
