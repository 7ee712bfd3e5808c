import { describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError } from '../../src/api/status.ts';
import { createStore } from './index.ts';
import { createTestRegistry } from '../../test/support/test-registry.ts';
import type { Store, WatchEvent } from '../../src/api/store.ts';

function widget(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { size: 1 }, ...extra };
}

function newStore(historySize?: number): Store {
  return createStore({ registry: createTestRegistry(), historySize });
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.reason;
    throw err;
  }
  return undefined;
}

function collect(store: Store, type: string, options: Parameters<Store['watch']>[1] = {}): WatchEvent[] {
  const events: WatchEvent[] = [];
  store.watch(type, options).subscribe((e) => events.push(e));
  return events;
}

describe('store: create, get, update', () => {
  it('fills metadata and hands out frozen objects', () => {
    const store = newStore();
    const created = store.create(widget('a'));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(Object.isFrozen(created)).toBe(true);
    expect(Object.isFrozen(created.metadata)).toBe(true);
    expect(() => {
      (created.spec as { size: number }).size = 5;
    }).toThrow();
    expect((store.get('widgets', 'default', 'a').spec as { size: number }).size).toBe(1);
  });

  it('never shares the caller object', () => {
    const store = newStore();
    const input = widget('a');
    store.create(input);
    (input.spec as { size: number }).size = 99;
    expect((store.get('Widget', 'default', 'a').spec as { size: number }).size).toBe(1);
  });

  it('stores what JSON would: a Date becomes its ISO string, undefined fields vanish', () => {
    const store = newStore();
    const when = new Date('2026-01-02T03:04:05.000Z');
    const created = store.create(widget('d', { spec: { at: when, gone: undefined } as unknown as KubeObject['spec'] }));
    expect(created.spec).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });

  it('refuses duplicates and unknown objects', () => {
    const store = newStore();
    store.create(widget('a'));
    expect(reasonOf(() => store.create(widget('a')))).toBe('AlreadyExists');
    expect(reasonOf(() => store.get('widgets', 'default', 'missing'))).toBe('NotFound');
    expect(store.tryGet('widgets', 'default', 'missing')).toBeUndefined();
    expect(reasonOf(() => store.get('nothings', 'default', 'x'))).toBe('NotFound');
    expect(reasonOf(() => store.create({ ...widget('b'), kind: 'Nope' }))).toBe('BadRequest');
  });

  it('resourceVersion is global and strictly increasing; seeded from the clock', () => {
    const store = newStore();
    expect(Number(store.resourceVersion())).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
    const a = store.create(widget('a'));
    const b = store.create({ ...widget('b'), kind: 'Gadget' });
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(store.resourceVersion()).toBe(b.metadata.resourceVersion);
  });

  it('optimistic concurrency: a stale resourceVersion is a 409 Conflict', () => {
    const store = newStore();
    const v1 = store.create(widget('a'));
    const v2 = store.update({ ...structuredClone(v1), spec: { size: 2 } });
    expect(reasonOf(() => store.update({ ...structuredClone(v1), spec: { size: 3 } }))).toBe('Conflict');
    expect((store.get('widgets', 'default', 'a').spec as { size: number }).size).toBe(2);
    expect(v2.metadata.generation).toBe(2);
  });

  it('generation moves on spec changes only; status goes through the subresource only', () => {
    const store = newStore();
    const v1 = store.create({ ...widget('a'), status: { phase: 'ignored' } });
    expect(v1.status).toBeUndefined();
    const labelled = store.update({ ...structuredClone(v1), metadata: { ...v1.metadata, labels: { x: 'y' } } });
    expect(labelled.metadata.generation).toBe(1);
    const withStatus = store.update({ ...structuredClone(labelled), status: { phase: 'Running' } }, { subresource: 'status' });
    expect(withStatus.status).toEqual({ phase: 'Running' });
    expect(withStatus.metadata.generation).toBe(1);
    // A main-resource write keeps the stored status; a status write ignores spec changes.
    const specChange = store.update({ ...structuredClone(withStatus), spec: { size: 7 }, status: { phase: 'Lost' } });
    expect(specChange.status).toEqual({ phase: 'Running' });
    expect(specChange.metadata.generation).toBe(2);
    const statusWrite = store.update({ ...structuredClone(specChange), spec: { size: 100 }, status: { phase: 'Done' } }, { subresource: 'status' });
    expect(statusWrite.spec).toEqual({ size: 7 });
    expect(statusWrite.status).toEqual({ phase: 'Done' });
  });

  it('a no-op update writes nothing and emits nothing', () => {
    const store = newStore();
    const v1 = store.create(widget('a'));
    const events = collect(store, 'widgets', { resourceVersion: store.resourceVersion() });
    const same = store.update(structuredClone(v1));
    expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    expect(events).toHaveLength(0);
  });

  it('dryRun persists nothing', () => {
    const store = newStore();
    const rv = store.resourceVersion();
    const dry = store.create(widget('a'), { dryRun: true });
    expect(dry.metadata.name).toBe('a');
    expect(store.tryGet('widgets', 'default', 'a')).toBeUndefined();
    expect(store.resourceVersion()).toBe(rv);
    const real = store.create(widget('a'));
    store.delete('widgets', 'default', 'a', { dryRun: true });
    expect(store.get('widgets', 'default', 'a')).toBe(real);
  });

  it('validators refuse with field paths and lose nothing', () => {
    const registry = createTestRegistry();
    registry.addValidator('widgets.test.dev', (obj) =>
      (obj.spec as { size: number }).size < 0 ? [{ reason: 'FieldValueInvalid', field: 'spec.size', message: 'must be >= 0' }] : [],
    );
    const store = createStore({ registry });
    const v1 = store.create(widget('a'));
    try {
      store.update({ ...structuredClone(v1), spec: { size: -1 } });
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).reason).toBe('Invalid');
      expect((err as ApiError).details?.causes?.[0].field).toBe('spec.size');
    }
    expect(store.get('widgets', 'default', 'a')).toBe(v1);
  });

  it('generateName makes a unique name', () => {
    const store = newStore();
    const a = store.create({ apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name: '', generateName: 'w-' } });
    expect(a.metadata.name).toMatch(/^w-[a-z0-9]{5}$/);
  });
});

describe('store: patch', () => {
  it('merge, json and apply patches; resourceVersion in a patch is a precondition', () => {
    const store = newStore();
    const v1 = store.create(widget('a', { spec: { size: 1, color: 'red' } }));
    const merged = store.patch('widgets', 'default', 'a', 'merge', { spec: { color: null, shape: 'round' } }).object;
    expect(merged.spec).toEqual({ size: 1, shape: 'round' });
    const jsoned = store.patch('widgets', 'default', 'a', 'json', [{ op: 'replace', path: '/spec/size', value: 4 }]).object;
    expect((jsoned.spec as { size: number }).size).toBe(4);
    expect(reasonOf(() => store.patch('widgets', 'default', 'a', 'merge', { metadata: { resourceVersion: v1.metadata.resourceVersion }, spec: { size: 9 } }))).toBe('Conflict');
    expect(reasonOf(() => store.patch('widgets', 'default', 'a', 'json', [{ op: 'test', path: '/spec/size', value: 5 }]))).toBe('Invalid');
    expect(reasonOf(() => store.patch('widgets', 'default', 'a', 'json', { not: 'a list' }))).toBe('BadRequest');
    expect(reasonOf(() => store.patch('widgets', 'default', 'zzz', 'merge', {}))).toBe('NotFound');
  });

  it('server-side apply creates, updates, and drops fields the manager stopped applying', () => {
    const store = newStore();
    const body = { apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, color: 'red' } };
    expect(reasonOf(() => store.patch('widgets', 'default', 'w', 'apply', body))).toBe('BadRequest');
    const first = store.patch('widgets', 'default', 'w', 'apply', body, { fieldManager: 'kubectl' });
    expect(first.created).toBe(true);
    store.patch('widgets', 'default', 'w', 'merge', { spec: { owner: 'someone-else' } });
    const second = store.patch('widgets', 'default', 'w', 'apply', { ...body, spec: { size: 2 } }, { fieldManager: 'kubectl' });
    expect(second.created).toBe(false);
    expect(second.object.spec).toEqual({ size: 2, owner: 'someone-else' });
    // A field the manager dropped is removed, unless someone else changed it since (they own it now).
    store.patch('widgets', 'default', 'w', 'merge', { spec: { size: 5 } });
    const third = store.patch('widgets', 'default', 'w', 'apply', { ...body, spec: { color: 'blue' } }, { fieldManager: 'kubectl' });
    expect(third.object.spec).toEqual({ size: 5, owner: 'someone-else', color: 'blue' });
    const fourth = store.patch('widgets', 'default', 'w', 'apply', { ...body, spec: {} }, { fieldManager: 'kubectl' });
    expect(fourth.object.spec).toEqual({ size: 5, owner: 'someone-else' });
  });

  it('a status patch changes only status', () => {
    const store = newStore();
    store.create(widget('a'));
    const out = store.patch('widgets', 'default', 'a', 'merge', { spec: { size: 50 }, status: { ready: true } }, { subresource: 'status' }).object;
    expect(out.spec).toEqual({ size: 1 });
    expect(out.status).toEqual({ ready: true });
  });
});

describe('store: list and selectors', () => {
  it('label selectors: =, ==, !=, in, notin, exists, !exists', () => {
    const store = newStore();
    store.create(widget('a', { metadata: { name: 'a', labels: { app: 'web', tier: 'front' } } }));
    store.create(widget('b', { metadata: { name: 'b', labels: { app: 'api' } } }));
    store.create(widget('c', { metadata: { name: 'c' } }));
    const names = (sel: string) => store.list('widgets', { labelSelector: sel }).items.map((o) => o.metadata.name);
    expect(names('app=web')).toEqual(['a']);
    expect(names('app==api')).toEqual(['b']);
    expect(names('app!=web')).toEqual(['b', 'c']);
    expect(names('app in (web, api)')).toEqual(['a', 'b']);
    expect(names('app notin (web)')).toEqual(['b', 'c']);
    expect(names('tier')).toEqual(['a']);
    expect(names('!tier')).toEqual(['b', 'c']);
    expect(names('app in (web,api),!tier')).toEqual(['b']);
    expect(reasonOf(() => names('app in (web'))).toBe('BadRequest');
    expect(reasonOf(() => names('a b c'))).toBe('BadRequest');
  });

  it('field selectors on metadata.name and metadata.namespace only', () => {
    const store = newStore();
    store.create(widget('a'));
    store.create({ ...widget('b'), metadata: { name: 'b', namespace: 'other' } });
    expect(store.list('widgets', { fieldSelector: 'metadata.name=a' }).items).toHaveLength(1);
    expect(store.list('widgets', { fieldSelector: 'metadata.namespace!=default' }).items[0].metadata.name).toBe('b');
    expect(store.list('widgets', { namespace: 'other' }).items.map((o) => o.metadata.name)).toEqual(['b']);
    expect(reasonOf(() => store.list('widgets', { fieldSelector: 'spec.size=1' }))).toBe('BadRequest');
  });

  it('pages with limit and continue', () => {
    const store = newStore();
    for (let i = 0; i < 25; i++) store.create(widget(`w${String(i).padStart(2, '0')}`));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = store.list('widgets', { limit: 10, continue: token });
      seen.push(...page.items.map((o) => o.metadata.name));
      token = page.continue;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(reasonOf(() => store.list('widgets', { limit: 5, continue: '%%%' }))).toBe('BadRequest');
  });
});

describe('store: deletion, finalizers, owner references', () => {
  it('finalizers hold an object in two-phase deletion', () => {
    const store = newStore();
    store.create(widget('a', { metadata: { name: 'a', finalizers: ['test.dev/hold'] } }));
    const marked = store.delete('widgets', 'default', 'a');
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(store.get('widgets', 'default', 'a').metadata.deletionTimestamp).toBeTruthy();
    const withNew = structuredClone(marked);
    withNew.metadata.finalizers = ['test.dev/hold', 'test.dev/more'];
    expect(reasonOf(() => store.update(withNew))).toBe('Invalid');
    const released = structuredClone(store.get('widgets', 'default', 'a'));
    released.metadata.finalizers = [];
    store.update(released);
    expect(store.tryGet('widgets', 'default', 'a')).toBeUndefined();
  });

  it('preconditions on delete', () => {
    const store = newStore();
    const a = store.create(widget('a'));
    expect(reasonOf(() => store.delete('widgets', 'default', 'a', { preconditions: { uid: 'nope' } }))).toBe('Conflict');
    expect(reasonOf(() => store.delete('widgets', 'default', 'a', { preconditions: { resourceVersion: '1' } }))).toBe('Conflict');
    store.delete('widgets', 'default', 'a', { preconditions: { uid: a.metadata.uid } });
    expect(store.tryGet('widgets', 'default', 'a')).toBeUndefined();
  });

  function owned(name: string, owner: KubeObject, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
    return {
      apiVersion: 'test.dev/v1',
      kind: 'Gadget',
      metadata: {
        name,
        namespace: 'default',
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true }],
        ...extra,
      },
    };
  }

  it('background propagation deletes dependents, recursively', () => {
    const store = newStore();
    const owner = store.create(widget('owner'));
    const child = store.create(owned('child', owner));
    store.create({ ...owned('grandchild', child), kind: 'Widget' });
    store.create(owned('other', { ...owner, metadata: { ...owner.metadata, uid: 'unrelated' } }));
    store.create(widget('bystander'));
    store.delete('widgets', 'default', 'owner');
    expect(store.tryGet('gadgets', 'default', 'child')).toBeUndefined();
    expect(store.tryGet('widgets', 'default', 'grandchild')).toBeUndefined();
    expect(store.tryGet('widgets', 'default', 'bystander')).toBeDefined();
  });

  it('a dependent with another live owner survives', () => {
    const store = newStore();
    const a = store.create(widget('a'));
    const b = store.create(widget('b'));
    const shared = owned('shared', a);
    shared.metadata.ownerReferences!.push({ apiVersion: 'test.dev/v1', kind: 'Widget', name: 'b', uid: b.metadata.uid! });
    store.create(shared);
    store.delete('widgets', 'default', 'a');
    expect(store.tryGet('gadgets', 'default', 'shared')).toBeDefined();
    store.delete('widgets', 'default', 'b');
    expect(store.tryGet('gadgets', 'default', 'shared')).toBeUndefined();
  });

  it('foreground propagation keeps the owner until its dependents are gone', () => {
    const store = newStore();
    const owner = store.create(widget('owner'));
    store.create(owned('child', owner, { finalizers: ['test.dev/cleanup'] }));
    const marked = store.delete('widgets', 'default', 'owner', { propagationPolicy: 'Foreground' });
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    const child = store.get('gadgets', 'default', 'child');
    expect(child.metadata.deletionTimestamp).toBeTruthy();
    expect(store.tryGet('widgets', 'default', 'owner')).toBeDefined();
    store.update({ ...structuredClone(child), metadata: { ...structuredClone(child.metadata), finalizers: [] } });
    expect(store.tryGet('gadgets', 'default', 'child')).toBeUndefined();
    expect(store.tryGet('widgets', 'default', 'owner')).toBeUndefined();
  });

  it('orphan propagation leaves dependents without the owner reference', () => {
    const store = newStore();
    const owner = store.create(widget('owner'));
    store.create(owned('child', owner));
    store.delete('widgets', 'default', 'owner', { propagationPolicy: 'Orphan' });
    const child = store.get('gadgets', 'default', 'child');
    expect(child.metadata.ownerReferences).toBeUndefined();
  });

  it('an object created for an owner that no longer exists is collected', async () => {
    const store = newStore();
    store.create(owned('late', { ...widget('ghost'), metadata: { name: 'ghost', uid: 'gone-uid' } }));
    await Promise.resolve();
    expect(store.tryGet('gadgets', 'default', 'late')).toBeUndefined();
  });

  it('deleteCollection honours selectors', () => {
    const store = newStore();
    store.create(widget('a', { metadata: { name: 'a', labels: { x: '1' } } }));
    store.create(widget('b', { metadata: { name: 'b', labels: { x: '2' } } }));
    const deleted = store.deleteCollection('widgets', { labelSelector: 'x=1' });
    expect(deleted.map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.list('widgets').items.map((o) => o.metadata.name)).toEqual(['b']);
  });
});

describe('store: watch', () => {
  it('resourceVersion "0" sends the current state as ADDED, then live events', () => {
    const store = newStore();
    store.create(widget('a'));
    const events = collect(store, 'widgets', { resourceVersion: '0' });
    const b = store.create(widget('b'));
    store.update({ ...structuredClone(b), spec: { size: 2 } });
    store.delete('widgets', 'default', 'a');
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    const rvs = events.slice(1).map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
  });

  it('resumes from a resourceVersion: replays exactly what came after it, in order', () => {
    const store = newStore();
    store.create(widget('a'));
    const mark = store.resourceVersion();
    store.create(widget('b'));
    store.create({ ...widget('g'), kind: 'Gadget' });
    store.delete('widgets', 'default', 'a');
    const events = collect(store, 'widgets', { resourceVersion: mark });
    store.create(widget('c'));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a', 'ADDED c']);
  });

  it('410 Expired outside the history window, for unknown and future versions', async () => {
    const store = newStore(3);
    const first = store.resourceVersion();
    for (let i = 0; i < 5; i++) store.create(widget(`w${i}`));
    for (const rv of [first, 'abc', String(Number(store.resourceVersion()) + 10)]) {
      const events = await firstValueFrom(store.watch('widgets', { resourceVersion: rv }).pipe(toArray()));
      expect(events).toHaveLength(1);
      expect(events[0].type).toBe('ERROR');
      expect((events[0].object as unknown as { code: number; reason: string }).code).toBe(410);
      expect((events[0].object as unknown as { reason: string }).reason).toBe('Expired');
    }
    // Inside the window still works.
    const recent = String(Number(store.resourceVersion()) - 2);
    const replay = collect(store, 'widgets', { resourceVersion: recent });
    expect(replay.map((e) => e.object.metadata.name)).toEqual(['w3', 'w4']);
  });

  it('label-filtered watches see objects enter and leave the selection', () => {
    const store = newStore();
    const a = store.create(widget('a'));
    const events = collect(store, 'widgets', { labelSelector: 'app=web', resourceVersion: store.resourceVersion() });
    const labelled = store.update({ ...structuredClone(a), metadata: { ...structuredClone(a.metadata), labels: { app: 'web' } } });
    const changed = store.update({ ...structuredClone(labelled), spec: { size: 3 } });
    store.update({ ...structuredClone(changed), metadata: { ...structuredClone(changed.metadata), labels: {} } });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('namespace and field selector scoping', () => {
    const store = newStore();
    const events = collect(store, 'widgets', { namespace: 'other', fieldSelector: 'metadata.name=x' });
    store.create(widget('x'));
    store.create({ ...widget('x'), metadata: { name: 'x', namespace: 'other' } });
    store.create({ ...widget('y'), metadata: { name: 'y', namespace: 'other' } });
    expect(events.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['other/x']);
  });

  it('bookmarks only when asked for', async () => {
    const store = newStore();
    const withBookmarks = await firstValueFrom(
      store.watch('widgets', { allowBookmarks: true, bookmarkIntervalMs: 5 }).pipe(take(2), toArray()),
    );
    expect(withBookmarks.map((e) => e.type)).toEqual(['BOOKMARK', 'BOOKMARK']);
    expect(withBookmarks[0].object.metadata.resourceVersion).toBe(store.resourceVersion());
  });

  it('unsubscribing stops delivery', () => {
    const store = newStore();
    const events: WatchEvent[] = [];
    const sub = store.watch('widgets').subscribe((e) => events.push(e));
    store.create(widget('a'));
    sub.unsubscribe();
    store.create(widget('b'));
    expect(events).toHaveLength(1);
  });
});
