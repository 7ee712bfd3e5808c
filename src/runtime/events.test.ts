import { describe, expect, it } from 'vitest';
import { BUILTIN_CRD_DIR, createApphostRegistry, createRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { KubeObject } from '../api/types.ts';
import { createEventRecorder, type CoreEvent } from './events.ts';
import { createStoreClient } from './store-client.ts';

const resource = (name: string): KubeObject => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { executable: { command: 'node' } },
});

function setup(capPerNamespace?: Record<string, number>) {
  let now = Date.parse('2026-01-01T00:00:00.400Z');
  const store = createStore({ registry: createApphostRegistry(), ...(capPerNamespace ? { capPerNamespace } : {}) });
  const recorder = createEventRecorder(createStoreClient(store), { component: 'processes', now: () => new Date(now) });
  const events = () => store.list<CoreEvent>('events', { namespace: 'default' }).items;
  return { store, recorder, events, tick: (ms: number) => (now += ms) };
}

describe('event recorder', () => {
  it('writes a core v1 Event about the object, with second-precision timestamps', async () => {
    const { store, recorder, events } = setup();
    const api = store.create(resource('api'));
    await recorder.record(api, { reason: 'Started', message: 'replica api-0 started', fieldPath: 'replicas{api-0}' });
    expect(events()).toEqual([
      expect.objectContaining({
        apiVersion: 'v1',
        kind: 'Event',
        involvedObject: { apiVersion: 'apphost.dev/v1', kind: 'Resource', name: 'api', namespace: 'default', uid: api.metadata.uid, fieldPath: 'replicas{api-0}' },
        reason: 'Started',
        message: 'replica api-0 started',
        type: 'Normal',
        count: 1,
        firstTimestamp: '2026-01-01T00:00:00Z',
        lastTimestamp: '2026-01-01T00:00:00Z',
        source: { component: 'processes' },
      }),
    ]);
  });

  it('aggregates repeats (same object, fieldPath, type, reason): count and lastTimestamp grow, the message is the latest', async () => {
    const { store, recorder, events, tick } = setup();
    const api = store.create(resource('api'));
    await recorder.record(api, { type: 'Warning', reason: 'BackOff', message: 'next try in 1s' });
    tick(5000);
    // Concurrent repeats are serialised: none is lost to a create race.
    await Promise.all([2, 4, 8].map((s) => recorder.record(api, { type: 'Warning', reason: 'BackOff', message: `next try in ${s}s` })));
    await recorder.record(api, { type: 'Warning', reason: 'BackOff', message: 'other replica', fieldPath: 'replicas{api-1}' });
    const [first, ...rest] = events().sort((a, b) => b.count - a.count);
    expect(first).toMatchObject({ count: 4, message: 'next try in 8s', firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:05Z' });
    expect(rest.map((e) => [e.count, e.involvedObject.fieldPath])).toEqual([[1, 'replicas{api-1}']]);
  });

  it('never rejects, even when the store refuses (a registry without Events)', async () => {
    const store = createStore({ registry: createRegistry({ crdDirs: [BUILTIN_CRD_DIR] }) });
    const client = createStoreClient(store);
    await expect(client.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' } })).rejects.toThrow(/no kind "Event"/);
    const recorder = createEventRecorder(client, { component: 'processes' });
    await expect(recorder.record(store.create(resource('api')), { reason: 'Started', message: 'm' })).resolves.toBeUndefined();
  });

  it('the store keeps at most the cap per namespace, dropping the least recently written first', async () => {
    const { store, recorder, events } = setup({ events: 3 });
    const objs = ['a', 'b', 'c', 'd'].map((n) => store.create(resource(n)));
    for (const o of objs.slice(0, 3)) await recorder.record(o, { reason: 'Started', message: o.metadata.name });
    await recorder.record(objs[0]!, { reason: 'Started', message: 'a again' }); // a is now the newest
    await recorder.record(objs[3]!, { reason: 'Started', message: 'd' }); // b goes
    expect(events().map((e) => e.involvedObject.name).sort()).toEqual(['a', 'c', 'd']);
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const other = store.create({ ...resource('e'), metadata: { name: 'e', namespace: 'other' } });
    await recorder.record(other, { reason: 'Started', message: 'e' });
    expect(store.list('events', { namespace: 'other' }).items).toHaveLength(1);
    expect(events()).toHaveLength(3);
  });

  it('events are selectable by involvedObject fields; other fields answer 400', async () => {
    const { store, recorder } = setup();
    for (const n of ['api', 'web']) await recorder.record(store.create(resource(n)), { type: 'Warning', reason: 'Exited', message: n });
    const picked = store.list<CoreEvent>('events', { fieldSelector: 'involvedObject.kind=Resource,involvedObject.name=web,type=Warning' }).items;
    expect(picked.map((e) => e.message)).toEqual(['web']);
    expect(() => store.list('events', { fieldSelector: 'spec.x=1' })).toThrow(/field label not supported: spec\.x/);
  });
});
