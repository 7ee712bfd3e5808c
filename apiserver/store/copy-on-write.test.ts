// Status writes and merge patches copy only what they change (no full clone of the stored object):
// the unchanged parts of the stored object are shared, admission makes the one deep copy. Even with
// a registry whose admission hands back its input, the store itself must never modify a stored
// object and must hand out frozen objects. (Isolating the caller's input is admission's copy.)
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import type { Registry } from '../../src/api/registry.ts';
import { createStore } from './index.ts';
import { createTestRegistry } from '../../test/support/test-registry.ts';

/** Admission that returns the very object it was given (allowed by the Registry contract). */
function passThroughRegistry(): Registry {
  const base = createTestRegistry();
  return { ...base, admit: (_info, obj) => ({ object: obj, warnings: [] }) };
}

function widget(name: string): KubeObject {
  return { apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name, namespace: 'default', labels: { a: '1' } }, spec: { size: 1, tags: ['x'] } };
}

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value as object).every(isDeepFrozen);
}

describe.each([
  ['copying registry', createTestRegistry],
  ['pass-through registry', passThroughRegistry],
])('store copy-on-write (%s)', (_name, registry) => {
  it('a status merge patch leaves the previous object untouched and shares nothing mutable', () => {
    const store = createStore({ registry: registry() });
    const created = store.create(widget('a'));
    const first = store.patch('Widget', 'default', 'a', 'merge', { status: { targets: [{ port: 1 }], phase: 'A' } }, { subresource: 'status' }).object;
    const before = JSON.stringify(first);
    const patch = { status: { phase: 'B', extra: { n: 1 } } };
    const second = store.patch('Widget', 'default', 'a', 'merge', patch, { subresource: 'status' }).object;
    expect(Object.isFrozen(patch.status.extra)).toBe(false); // the merge patch copies what it applies
    expect(JSON.stringify(first)).toBe(before);
    expect(second.status).toEqual({ targets: [{ port: 1 }], phase: 'B', extra: { n: 1 } });
    expect(second.spec).toEqual(created.spec);
    expect(second.metadata.generation).toBe(1);
    expect(Number(second.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(isDeepFrozen(second)).toBe(true);
    expect(store.get('Widget', 'default', 'a')).toBe(second);
  });

  it('a merge patch of the spec without metadata bumps the generation and keeps labels', () => {
    const store = createStore({ registry: registry() });
    const created = store.create(widget('a'));
    const patched = store.patch('Widget', 'default', 'a', 'merge', { spec: { size: 2 } }).object;
    expect(patched.spec).toEqual({ size: 2, tags: ['x'] });
    expect(patched.metadata).toMatchObject({ name: 'a', labels: { a: '1' }, generation: 2, uid: created.metadata.uid });
    expect(created.spec).toEqual({ size: 1, tags: ['x'] });
    expect(created.metadata.generation).toBe(1);
    expect(isDeepFrozen(patched)).toBe(true);
  });

  it('an update of the status subresource takes only the status', () => {
    const store = createStore({ registry: registry() });
    const created = store.create(widget('a'));
    const status = { phase: 'Up', list: [1, 2] };
    const updated = store.update({ ...created, spec: { size: 99 }, status }, { subresource: 'status' });
    expect(updated.status).toEqual({ phase: 'Up', list: [1, 2] });
    expect(updated.spec).toEqual({ size: 1, tags: ['x'] });
    expect(isDeepFrozen(updated)).toBe(true);
    // Writing the same status again is a no-op (same object, same resourceVersion).
    expect(store.update({ ...updated }, { subresource: 'status' })).toBe(updated);
  });

  it('list stays sorted and complete as objects come and go (cached key order)', () => {
    const store = createStore({ registry: registry() });
    for (const n of ['c', 'a', 'b']) store.create(widget(n));
    expect(store.list('Widget').items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    store.delete('Widget', 'default', 'b');
    store.create(widget('aa'));
    expect(store.list('Widget', { namespace: 'default' }).items.map((o) => o.metadata.name)).toEqual(['a', 'aa', 'c']);
    store.patch('Widget', 'default', 'c', 'merge', { spec: { size: 3 } });
    expect(store.list('Widget', { limit: 2 }).items.map((o) => o.metadata.name)).toEqual(['a', 'aa']);
  });
});
