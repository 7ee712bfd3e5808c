// @kubernetes/client-node 2.x against the real HTTPS server, real store and the CRDs in crds/:
// KubernetesObjectApi CRUD, Watch resumed from a resourceVersion, and an informer that relists
// after a 410.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.ts';

const API_VERSION = 'apphost.dev/v1';

function network(name: string, labels: Record<string, string> = {}): k8s.KubernetesObject & { spec: Record<string, unknown> } {
  return { apiVersion: API_VERSION, kind: 'Network', metadata: { name, namespace: 'default', labels }, spec: { driver: 'bridge' } };
}

function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('@kubernetes/client-node against the API server', () => {
  let api: TestApiServer;
  let kc: k8s.KubeConfig;
  let objects: k8s.KubernetesObjectApi;

  beforeAll(async () => {
    // A small history window and short-lived watches let the informer test force a 410.
    api = await startTestApiServer({ storeOptions: { historySize: 20 }, server: { watchMaxSeconds: 2 } });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  });
  afterAll(async () => {
    await api.close();
  });

  it('core v1 Namespaces with CoreV1Api: create, list, 404 for content in a missing one, Terminating on delete, default protected', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespace({ body: { metadata: { name: 'cn-dev', labels: { team: 'a' } } } });
    expect(created).toMatchObject({ metadata: { name: 'cn-dev' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const names = (await core.listNamespace({ labelSelector: 'team=a' })).items.map((n) => n.metadata?.name);
    expect(names).toEqual(['cn-dev']);
    expect((await core.readNamespace({ name: 'default' })).status?.phase).toBe('Active');

    await objects.create({ ...network('in-dev'), metadata: { name: 'in-dev', namespace: 'cn-dev' } });
    await expect(objects.create({ ...network('lost'), metadata: { name: 'lost', namespace: 'cn-missing' } })).rejects.toMatchObject({ code: 404, body: expect.stringContaining('namespaces \\"cn-missing\\" not found') });

    await core.deleteNamespace({ name: 'cn-dev' });
    // Without the namespaces controller (only the API server here) it stays Terminating, held by its finalizer.
    const terminating = await core.readNamespace({ name: 'cn-dev' });
    expect(terminating).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    await expect(objects.create({ ...network('late'), metadata: { name: 'late', namespace: 'cn-dev' } })).rejects.toMatchObject({ code: 403, body: expect.stringContaining('NamespaceTerminating') });
    await expect(core.deleteNamespace({ name: 'default' })).rejects.toMatchObject({ code: 403, body: expect.stringContaining('this namespace may not be deleted') });
    // Once its finalizer is removed (what the namespaces controller does when it is empty), it is gone.
    await objects.delete({ ...network('in-dev'), metadata: { name: 'in-dev', namespace: 'cn-dev' } });
    await core.replaceNamespace({ name: 'cn-dev', body: { ...terminating, spec: { finalizers: [] } } });
    await expect(core.readNamespace({ name: 'cn-dev' })).rejects.toMatchObject({ code: 404 });
  });

  it('creates, reads, replaces, patches, lists and deletes with KubernetesObjectApi', async () => {
    const created = await objects.create(network('crud', { app: 'crud' }));
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect((created as any).spec).toMatchObject({ driver: 'bridge', lifetime: 'Session' });

    const read = await objects.read({ apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud', namespace: 'default' } });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);

    const replaced = await objects.replace({ ...(read as any), spec: { driver: 'macvlan' } });
    expect((replaced as any).spec.driver).toBe('macvlan');
    expect(replaced.metadata?.generation).toBe(2);

    // patch() defaults to strategic merge, which the server treats as a merge patch.
    const patched = await objects.patch({ apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud', namespace: 'default', labels: { extra: 'yes' } } });
    expect(patched.metadata?.labels).toEqual({ app: 'crud', extra: 'yes' });
    const merged = await objects.patch(
      { apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud', namespace: 'default' }, spec: { app: 'shop' } } as k8s.KubernetesObject,
      undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch,
    );
    expect((merged as any).spec).toMatchObject({ driver: 'macvlan', app: 'shop' });

    await objects.create(network('crud2', { app: 'crud' }));
    const list = await objects.list(API_VERSION, 'Network', 'default', undefined, undefined, undefined, undefined, 'app=crud');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['crud', 'crud2']);
    expect(list.metadata?.resourceVersion).toBe(api.store.resourceVersion());

    await objects.delete({ apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud', namespace: 'default' } });
    await objects.delete({ apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud2', namespace: 'default' } });
    await expect(objects.read({ apiVersion: API_VERSION, kind: 'Network', metadata: { name: 'crud', namespace: 'default' } })).rejects.toMatchObject({ code: 404 });
  });

  it('surfaces 409 and 422 as errors with the Status body', async () => {
    await objects.create(network('dup'));
    const dup = await objects.create(network('dup')).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 409 });
    const invalid = await objects.create({ ...network('bad'), spec: { lifetime: 'Forever' } } as k8s.KubernetesObject).catch((e: unknown) => e as any);
    expect(invalid.code).toBe(422);
    const status = typeof invalid.body === 'string' ? JSON.parse(invalid.body) : invalid.body;
    expect(status.details.causes.map((c: any) => c.field)).toContain('spec.lifetime');
  });

  it('resumes a Watch from a resourceVersion', async () => {
    const first = await objects.create(network('w-a', { watch: 'resume' }));
    await objects.create(network('w-b', { watch: 'resume' }));
    await objects.delete(first);
    const events: [string, string][] = [];
    const watch = new k8s.Watch(kc);
    const controller = await watch.watch(
      '/apis/apphost.dev/v1/namespaces/default/networks',
      { resourceVersion: first.metadata!.resourceVersion!, labelSelector: 'watch=resume' },
      (type, obj) => events.push([type, obj.metadata.name]),
      () => {},
    );
    await until(() => events.length >= 2, 5000, 'replayed events');
    expect(events.slice(0, 2)).toEqual([
      ['ADDED', 'w-b'],
      ['DELETED', 'w-a'],
    ]);
    await objects.create(network('w-c', { watch: 'resume' }));
    await until(() => events.length >= 3, 5000, 'live event');
    expect(events[2]).toEqual(['ADDED', 'w-c']);
    controller.abort();
  });

  it('keeps an informer in sync through a 410 by relisting', async () => {
    const path = '/apis/apphost.dev/v1/namespaces/default/networks';
    let lists = 0;
    const listFn = () => {
      lists++;
      return objects.list(API_VERSION, 'Network', 'default', undefined, undefined, undefined, undefined, 'informer=yes') as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
    };
    await objects.create(network('inf-1', { informer: 'yes' }));
    const informer = k8s.makeInformer(kc, path, listFn, 'informer=yes');
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await until(() => informer.list().length === 1, 5000, 'initial list');

    await objects.create(network('inf-2', { informer: 'yes' }));
    await until(() => informer.list().length === 2, 5000, 'live add');

    // Writes to another kind push the informer's resourceVersion out of the 20-event history.
    // When the server ends the watch (watchMaxSeconds: 2) the informer re-watches from that old
    // version, gets ERROR 410 Expired and must relist.
    for (let i = 0; i < 30; i++) {
      await objects.create({ apiVersion: API_VERSION, kind: 'Proxy', metadata: { name: `filler-${i}`, namespace: 'default' }, spec: { listen: { address: '127.0.0.1', port: 0 } } } as k8s.KubernetesObject);
    }
    await until(() => lists >= 2, 8000, 'relist after 410');
    await objects.create(network('inf-3', { informer: 'yes' }));
    await until(() => informer.list().length === 3, 5000, 'add after relist');
    expect(informer.list().map((o) => o.metadata?.name).sort()).toEqual(['inf-1', 'inf-2', 'inf-3']);
    expect(errors).toEqual([]);
    await informer.stop();
  });
});
