import { describe, expect, it } from 'vitest';
import { createStore } from '../../apiserver/store/index.ts';
import { isApiError } from '../api/status.ts';
import type { KubeObject } from '../api/types.ts';
import { createStoreClient } from './store-client.ts';
import { TEST_API_VERSION, createTestKindsRegistry } from '../../test/support/test-kinds.ts';

const widget = (name: string): KubeObject => ({
  apiVersion: TEST_API_VERSION,
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec: { a: 1 },
});

describe('createStoreClient', () => {
  it('get and delete resolve to undefined for a missing object', async () => {
    const client = createStoreClient(createStore({ registry: createTestKindsRegistry() }));
    expect(await client.get('widgets', 'default', 'nope')).toBeUndefined();
    expect(await client.delete('widgets', 'default', 'nope')).toBeUndefined();
  });

  it('create, list, update (409 on a stale resourceVersion), patch, delete', async () => {
    const client = createStoreClient(createStore({ registry: createTestKindsRegistry() }));
    const created = await client.create(widget('w'));
    expect((await client.list('widgets', { namespace: 'default' })).map((o) => o.metadata.name)).toEqual(['w']);
    const updated = await client.update({ ...created, spec: { a: 2 } });
    await expect(client.update({ ...created, spec: { a: 3 } })).rejects.toSatisfy((e: unknown) => isApiError(e, 'Conflict'));
    const patched = await client.patch('widgets', 'default', 'w', { spec: { b: true } });
    expect(patched.spec).toEqual({ a: 2, b: true });
    expect(updated.metadata.resourceVersion).not.toBe(patched.metadata.resourceVersion);
    expect(await client.delete('widgets', 'default', 'w')).toBeDefined();
    expect(await client.get('widgets', 'default', 'w')).toBeUndefined();
  });

  it('patchStatus merges into status without touching spec; two writers of different fields both stick', async () => {
    const client = createStoreClient(createStore({ registry: createTestKindsRegistry() }));
    await client.create(widget('s'));
    await client.patchStatus('widgets', 'default', 's', { status: { ready: true } });
    await client.patchStatus('widgets', 'default', 's', { status: { pid: 42 }, spec: { a: 99 } });
    const got = await client.get('widgets', 'default', 's');
    expect(got?.status).toEqual({ ready: true, pid: 42 });
    expect(got?.spec).toEqual({ a: 1 });
  });

  it('updateStatus writes only status', async () => {
    const client = createStoreClient(createStore({ registry: createTestKindsRegistry() }));
    const w = await client.create(widget('u'));
    await client.updateStatus({ ...w, spec: { a: 7 }, status: { phase: 'Running' } });
    const got = await client.get('widgets', 'default', 'u');
    expect(got?.status).toEqual({ phase: 'Running' });
    expect(got?.spec).toEqual({ a: 1 });
  });
});
