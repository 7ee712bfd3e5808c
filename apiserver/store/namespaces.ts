// Namespace lifecycle, as kube-apiserver has it (the NamespaceLifecycle admission plugin and the
// namespace registry): `default` always exists and cannot be deleted; an object can be created only
// in a namespace that exists and is not Terminating; a new Namespace gets `spec.finalizers:
// [kubernetes]` and phase Active; deleting one sets its deletionTimestamp and phase Terminating,
// and it stays until its spec.finalizers are gone too (the namespaces controller removes
// `kubernetes` once everything in it is gone). Only with a registry that serves core Namespaces.
import type { KindInfo, Registry } from '../../src/api/registry.ts';
import { ApiError, errors } from '../../src/api/status.ts';
import { DEFAULT_NAMESPACE, NAMESPACE_FINALIZER, type KubeObject } from '../../src/api/types.ts';
import { newUid } from './objects.ts';

interface NamespaceFields {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export class NamespaceLifecycle {
  /** The core Namespace kind, when the registry serves it. */
  readonly info: KindInfo | undefined;

  constructor(
    registry: Registry,
    /** The stored Namespace of that name. */
    private readonly lookup: (name: string) => KubeObject | undefined,
  ) {
    const info = registry.resolve('namespaces');
    this.info = info && info.group === '' && !info.namespaced ? info : undefined;
  }

  /** The `default` Namespace the store starts with (undefined without the kind). */
  initialObjects(creationTimestamp: string, resourceVersion: string): KubeObject[] {
    if (!this.info) return [];
    const ns: KubeObject & NamespaceFields = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: DEFAULT_NAMESPACE, uid: newUid(), resourceVersion, generation: 1, creationTimestamp, labels: { 'kubernetes.io/metadata.name': DEFAULT_NAMESPACE } },
      spec: { finalizers: [NAMESPACE_FINALIZER] },
      status: { phase: 'Active' },
    };
    return [ns];
  }

  isNamespace(info: KindInfo): boolean {
    return info === this.info;
  }

  /** Throws 404 when `namespace` does not exist, 403 while it is being terminated. */
  admitCreate(info: KindInfo, namespace: string | undefined, name: string): void {
    if (!this.info || !info.namespaced || !namespace) return;
    const ns = this.lookup(namespace);
    if (!ns) {
      if (namespace === DEFAULT_NAMESPACE) return;
      throw errors.notFound('namespaces', '', namespace);
    }
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(info.plural, info.group, name, `unable to create new content in namespace ${namespace} because it is being terminated`, {
        reason: 'NamespaceTerminating',
        field: 'metadata.namespace',
        message: `namespace ${namespace} is being terminated`,
      });
    }
  }

  /** A Namespace about to be created: the `kubernetes` finalizer, the name label, phase Active. */
  prepareCreate(info: KindInfo, draft: KubeObject): void {
    if (!this.isNamespace(info)) return;
    const ns = draft as KubeObject & NamespaceFields;
    const finalizers = Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers : [];
    ns.spec = { ...(ns.spec ?? {}), finalizers: finalizers.includes(NAMESPACE_FINALIZER) ? finalizers : [...finalizers, NAMESPACE_FINALIZER] };
    ns.status = { phase: 'Active' };
    if (typeof draft.metadata.name === 'string') draft.metadata.labels = { ...(draft.metadata.labels ?? {}), 'kubernetes.io/metadata.name': draft.metadata.name };
  }

  /** `default` may not be deleted (403, as Kubernetes answers). */
  admitDelete(info: KindInfo, name: string): void {
    if (this.isNamespace(info) && name === DEFAULT_NAMESPACE) {
      throw errors.forbidden('namespaces', '', name, 'this namespace may not be deleted');
    }
  }

  /** Namespaces are deleted one by one (Kubernetes serves no deletecollection for them). */
  admitDeleteCollection(info: KindInfo): void {
    if (this.isNamespace(info)) throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource: deletecollection namespaces (delete them one by one)');
  }

  /** Whether a Namespace being deleted must stay: its spec.finalizers are not all gone. */
  holds(info: KindInfo, obj: KubeObject): boolean {
    return this.isNamespace(info) && ((obj as NamespaceFields).spec?.finalizers ?? []).length > 0;
  }

  /** The Namespace version that marks it for deletion: phase Terminating. */
  markTerminating(info: KindInfo, marked: KubeObject): void {
    if (!this.isNamespace(info)) return;
    const ns = marked as KubeObject & NamespaceFields;
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
  }
}
