import { describe, expect, it } from 'vitest';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import type { KubeObject } from '../api/types.ts';
import { isHostError } from './errors.ts';
import { applyManifests } from './apply-manifests.ts';

const net = (name: string, namespace?: string): KubeObject => ({ apiVersion: 'apphost.dev/v1', kind: 'Network', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: {} });

describe('applyManifests (up -f)', () => {
  it('creates the namespaces the manifests name, and applies Namespaces in them first', async () => {
    const store = createStore({ registry: createApphostRegistry() });
    const applied = await applyManifests(store, [
      net('a', 'dev'),
      net('b', 'dev'),
      net('c'),
      net('d', 'labelled'),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'labelled', labels: { team: 'x' } } },
    ]);
    expect(applied.map((a) => `${a.kind} ${a.namespace}/${a.name} ${a.action}`)).toEqual([
      'Namespace /labelled created',
      'Namespace /dev created',
      'Network dev/a created',
      'Network dev/b created',
      'Network default/c created',
      'Network labelled/d created',
    ]);
    expect(store.get('namespaces', undefined, 'labelled').metadata.labels).toMatchObject({ team: 'x' });
    expect(store.get('networks', 'dev', 'a')).toBeDefined();
    // Applied again: nothing new.
    expect((await applyManifests(store, [net('a', 'dev')])).map((a) => a.action)).toEqual(['unchanged']);
  });

  it('refuses content for a namespace being deleted, naming it', async () => {
    const store = createStore({ registry: createApphostRegistry() });
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old' } });
    store.delete('namespaces', undefined, 'old');
    const err = await applyManifests(store, [net('a', 'old')]).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_APPLY')).toBe(true);
    expect((err as Error).message).toContain('unable to create new content in namespace old because it is being terminated');
  });
});
