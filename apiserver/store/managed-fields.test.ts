import { describe, expect, it } from 'vitest';
import { isApiError } from '../../src/api/status.ts';
import { createTestRegistry } from '../../test/support/test-registry.ts';
import { createStore } from './index.ts';

const body = (spec: Record<string, unknown>, labels?: Record<string, string>) => ({
  apiVersion: 'test.dev/v1',
  kind: 'Widget',
  metadata: { name: 'w', ...(labels ? { labels } : {}) },
  spec,
});

function conflictOf(fn: () => unknown): { message: string; causes: unknown } | undefined {
  try {
    fn();
  } catch (err) {
    if (isApiError(err, 'Conflict')) return { message: err.message, causes: err.details?.causes };
    throw err;
  }
  return undefined;
}

describe('server-side apply field ownership (metadata.managedFields)', () => {
  it('records FieldsV1 per manager; a re-apply of the same thing changes nothing', () => {
    const store = createStore({ registry: createTestRegistry() });
    const first = store.patch('widgets', 'default', 'w', 'apply', body({ size: 1 }, { tier: 'a' }), { fieldManager: 'alice' }).object;
    expect(first.metadata.managedFields).toEqual([
      { manager: 'alice', operation: 'Apply', apiVersion: 'test.dev/v1', time: expect.any(String), fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:spec': { 'f:size': {} } } },
    ]);
    const again = store.patch('widgets', 'default', 'w', 'apply', body({ size: 1 }, { tier: 'a' }), { fieldManager: 'alice' }).object;
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('another manager changing an owned field gets 409 naming fields and managers; the same value co-owns; force takes over', () => {
    const store = createStore({ registry: createTestRegistry() });
    store.patch('widgets', 'default', 'w', 'apply', body({ size: 1, color: 'red' }), { fieldManager: 'alice' });
    expect(conflictOf(() => store.patch('widgets', 'default', 'w', 'apply', body({ size: 2 }), { fieldManager: 'bob' }))).toEqual({
      message: 'Apply failed with 1 conflict: conflict with "alice": .spec.size',
      causes: [{ reason: 'FieldManagerConflict', field: '.spec.size', message: 'conflict with "alice"' }],
    });
    expect(conflictOf(() => store.patch('widgets', 'default', 'w', 'apply', body({ size: 2, color: 'blue' }), { fieldManager: 'bob' }))?.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.size\n- .spec.color',
    );
    expect((store.get('widgets', 'default', 'w').spec as any).size).toBe(1);
    // The same value: no conflict, both own it.
    const shared = store.patch('widgets', 'default', 'w', 'apply', body({ size: 1 }), { fieldManager: 'bob' }).object;
    expect(shared.metadata.managedFields!.map((e: any) => [e.manager, Object.keys(e.fieldsV1['f:spec'])])).toEqual([
      ['alice', ['f:size', 'f:color']],
      ['bob', ['f:size']],
    ]);
    const forced = store.patch('widgets', 'default', 'w', 'apply', body({ size: 3 }), { fieldManager: 'bob', force: true }).object;
    expect((forced.spec as any).size).toBe(3);
    expect(forced.metadata.managedFields!.map((e: any) => [e.manager, Object.keys(e.fieldsV1['f:spec'])])).toEqual([
      ['alice', ['f:color']],
      ['bob', ['f:size']],
    ]);
  });

  it('an ordinary write takes the fields it changed (operation Update); applying them back conflicts with it', () => {
    const store = createStore({ registry: createTestRegistry() });
    store.patch('widgets', 'default', 'w', 'apply', body({ size: 1 }), { fieldManager: 'alice' });
    const scaled = store.patch('widgets', 'default', 'w', 'merge', { spec: { size: 5 } }, { fieldManager: 'kubectl' }).object;
    expect(scaled.metadata.managedFields!.map((e: any) => [e.manager, e.operation, e.fieldsV1])).toEqual([['kubectl', 'Update', { 'f:spec': { 'f:size': {} } }]]);
    expect(conflictOf(() => store.patch('widgets', 'default', 'w', 'apply', body({ size: 1 }), { fieldManager: 'alice' }))?.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" using test.dev/v1: .spec.size',
    );
    // A status write is recorded with its subresource.
    const status = store.patch('widgets', 'default', 'w', 'merge', { status: { ready: true } }, { fieldManager: 'ctrl', subresource: 'status' }).object;
    expect(status.metadata.managedFields!.at(-1)).toMatchObject({ manager: 'ctrl', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:ready': {} } } });
  });

  it('objects never applied server-side carry no managedFields', () => {
    const store = createStore({ registry: createTestRegistry() });
    store.create({ ...body({ size: 1 }), metadata: { name: 'w', namespace: 'default' } }, { fieldManager: 'kubectl' });
    const out = store.patch('widgets', 'default', 'w', 'merge', { spec: { size: 2 } }, { fieldManager: 'kubectl' }).object;
    expect(out.metadata.managedFields).toBeUndefined();
  });
});
