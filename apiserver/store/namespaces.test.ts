// Namespace lifecycle in the store, with the registry apphost runs with (core Namespaces served).
import { describe, expect, it } from 'vitest';
import { createApphostRegistry } from '../registry/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { createStore } from './index.ts';
import { apiErrorOf } from '../../test/support/api-errors.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const net = (name: string, namespace: string): KubeObject => ({ apiVersion: 'apphost.dev/v1', kind: 'Network', metadata: { name, namespace }, spec: {} });

describe('namespaces in the store', () => {
  const newStore = () => createStore({ registry: createApphostRegistry() });

  it('starts with default, Active with the kubernetes finalizer, and never lets it be deleted', () => {
    const store = newStore();
    const def = store.get('namespaces', undefined, 'default');
    expect(def).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect(Number(def.metadata.resourceVersion)).toBeLessThanOrEqual(Number(store.resourceVersion()));
    const err = apiErrorOf(() => store.delete('namespaces', undefined, 'default'));
    expect(err.toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', message: 'namespaces "default" is forbidden: this namespace may not be deleted', details: { name: 'default', kind: 'namespaces' } });
    expect(store.tryGet('namespaces', undefined, 'default')).toBeDefined();
    expect(store.create(net('n', 'default')).metadata.namespace).toBe('default');
    expect(apiErrorOf(() => store.deleteCollection('namespaces')).reason).toBe('MethodNotAllowed');
  });

  it('refuses objects in a missing namespace with 404 namespaces "<name>" not found', () => {
    const store = newStore();
    const err = apiErrorOf(() => store.create(net('n', 'dev')));
    expect(err.toStatus()).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "dev" not found', details: { name: 'dev', kind: 'namespaces' } });
    const applied = apiErrorOf(() => store.patch('networks', 'dev', 'n', 'apply', net('n', 'dev'), { fieldManager: 'x' }));
    expect(applied.reason).toBe('NotFound');
  });

  it('creates a namespace Active with spec.finalizers [kubernetes]; deleting it marks it Terminating until the finalizer goes', () => {
    const store = newStore();
    const created = store.create(ns('dev'));
    expect(created).toMatchObject({ metadata: { labels: { 'kubernetes.io/metadata.name': 'dev' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    store.create(net('n', 'dev'));
    const marked = store.delete('namespaces', undefined, 'dev');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
    expect(store.delete('namespaces', undefined, 'dev').metadata.resourceVersion).toBe(marked.metadata.resourceVersion);

    const err = apiErrorOf(() => store.create(net('m', 'dev')));
    expect(err.toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'networks.apphost.dev "m" is forbidden: unable to create new content in namespace dev because it is being terminated',
      details: { causes: [{ reason: 'NamespaceTerminating', field: 'metadata.namespace', message: 'namespace dev is being terminated' }] },
    });
    // What is there may still change (finalizers, status) while it terminates.
    expect(store.patch('networks', 'dev', 'n', 'merge', { metadata: { labels: { a: 'b' } } }).object.metadata.labels).toEqual({ a: 'b' });

    const current = store.get('namespaces', undefined, 'dev');
    store.update({ ...current, spec: { finalizers: [] } });
    expect(store.tryGet('namespaces', undefined, 'dev')).toBeUndefined();
  });

  it('refuses namespace names that are not RFC 1123 labels', () => {
    const err = apiErrorOf(() => newStore().create(ns('Dev.x')));
    expect(err.reason).toBe('Invalid');
    expect(err.details?.causes?.[0]?.field).toBe('metadata.name');
    expect(err.message).toMatch(/^Namespace "Dev.x" is invalid/);
  });

  it('does not enforce namespaces with a registry that does not serve them', async () => {
    const { createTestRegistry } = await import('../../test/support/test-registry.ts');
    const store = createStore({ registry: createTestRegistry() });
    expect(store.create({ apiVersion: 'test.dev/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'elsewhere' }, spec: { size: 1 } }).metadata.namespace).toBe('elsewhere');
  });
});
