// Applies manifests (`up -f`, an apphost file, Apphost.apply) straight to the store: create, or
// server-side apply to the existing object (keeping its status). Strict field validation, as `kubectl apply`
// does by default: a typo (`spec.replica`) is refused with its field path, never silently
// dropped. A refused object becomes one HostError line naming where it came from, the object and
// the fields. A namespace the manifests name that does not exist yet is created (Namespaces in the
// manifests are applied first), so `up` never needs a `kubectl create namespace` beforehand.
import { formatBytes, MAX_REQUEST_BYTES } from '../api/limits.ts';
import { isApiError } from '../api/status.ts';
import { APPHOSTCTL_FIELD_MANAGER } from '../api/field-managers.ts';
import { isNamespace, missingNamespace, namespacesFirst } from '../api/namespaces.ts';
import type { PatchOptions, Store } from '../api/store.ts';
import { DEFAULT_NAMESPACE, type KubeObject } from '../api/types.ts';
import { HostError } from './errors.ts';
import { manifestSource } from './manifests.ts';

export interface AppliedObject {
  kind: string;
  name: string;
  namespace: string;
  action: 'created' | 'configured' | 'unchanged';
}

const WRITE: PatchOptions = { fieldValidation: 'Strict', fieldManager: APPHOSTCTL_FIELD_MANAGER, force: true };

export async function applyManifests(store: Store, objects: KubeObject[]): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const obj of namespacesFirst(objects)) {
    try {
      applied.push(applyOne(store, obj));
    } catch (err) {
      const cause = err instanceof HostError ? err.cause : err;
      const missing = isApiError(cause) ? missingNamespace(cause) : undefined;
      if (!missing) throw err;
      store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: missing } });
      applied.push({ kind: 'Namespace', name: missing, namespace: '', action: 'created' }, applyOne(store, obj));
    }
  }
  return applied;
}

function applyOne(store: Store, input: KubeObject): AppliedObject {
  const clusterScoped = isNamespace(input);
  const namespace = clusterScoped ? '' : (input.metadata.namespace ?? DEFAULT_NAMESPACE);
  const obj: KubeObject = clusterScoped ? input : { ...input, metadata: { ...input.metadata, namespace } };
  const what = { kind: obj.kind, name: obj.metadata.name, namespace };
  const source = manifestSource(input);
  const where = `${source ? `${source}: ` : ''}${obj.kind} "${obj.metadata.name}"`;
  // The limit an HTTP request has (413 there), for objects that come in without one.
  const size = Buffer.byteLength(JSON.stringify(obj));
  if (size > MAX_REQUEST_BYTES) {
    throw new HostError('MANIFEST_TOO_LARGE', `${where}: ${formatBytes(size)} as JSON is over the ${formatBytes(MAX_REQUEST_BYTES)} limit on one object (kube-apiserver's request limit)`);
  }
  try {
    // A server-side apply by the manifests' one manager, as `apphostctl apply` sends it: what an
    // earlier manifest set and this one leaves out is removed; what others set (a scale) stays.
    const existing = store.tryGet(obj.kind, namespace, obj.metadata.name);
    const { status: _status, ...desired } = obj;
    const { object } = store.patch(obj.kind, namespace, obj.metadata.name, 'apply', desired, WRITE);
    if (!existing) return { ...what, action: 'created' };
    const changed = object.metadata.resourceVersion !== existing.metadata.resourceVersion;
    return { ...what, action: changed ? 'configured' : 'unchanged' };
  } catch (err) {
    throw new HostError('MANIFEST_APPLY', `${where}: ${describe(err)}`, { cause: err });
  }
}

function describe(err: unknown): string {
  if (isApiError(err)) {
    const causes = err.details?.causes;
    if (err.reason === 'Invalid' && causes?.length) {
      return causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
