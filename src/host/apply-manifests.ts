// Applies manifests (`up -f`, an apphost file, Apphost.apply) straight to the store: create, or
// update the existing object (keeping its status). Strict field validation, as `kubectl apply`
// does by default: a typo (`spec.replica`) is refused with its field path, never silently
// dropped. A refused object becomes one HostError line naming where it came from, the object and
// the fields.
import { isApiError } from '../api/status.ts';
import type { Store, WriteOptions } from '../api/store.ts';
import { DEFAULT_NAMESPACE, type KubeObject } from '../api/types.ts';
import { HostError } from './errors.ts';
import { manifestSource } from './manifests.ts';

export interface AppliedObject {
  kind: string;
  name: string;
  namespace: string;
  action: 'created' | 'configured' | 'unchanged';
}

const WRITE: WriteOptions = { fieldValidation: 'Strict' };

export async function applyManifests(store: Store, objects: KubeObject[]): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const obj of objects) applied.push(applyOne(store, obj));
  return applied;
}

function applyOne(store: Store, input: KubeObject): AppliedObject {
  const namespace = input.metadata.namespace ?? DEFAULT_NAMESPACE;
  const obj: KubeObject = { ...input, metadata: { ...input.metadata, namespace } };
  const what = { kind: obj.kind, name: obj.metadata.name, namespace };
  try {
    const existing = store.tryGet(obj.kind, namespace, obj.metadata.name);
    if (!existing) {
      store.create(obj, WRITE);
      return { ...what, action: 'created' };
    }
    const { status: _status, ...rest } = obj;
    const next: KubeObject = {
      ...rest,
      ...(existing.status !== undefined ? { status: existing.status } : {}),
      metadata: { ...existing.metadata, ...obj.metadata, resourceVersion: existing.metadata.resourceVersion },
    };
    const updated = store.update(next, WRITE);
    const changed = updated.metadata.resourceVersion !== existing.metadata.resourceVersion;
    return { ...what, action: changed ? 'configured' : 'unchanged' };
  } catch (err) {
    const source = manifestSource(input);
    throw new HostError('MANIFEST_APPLY', `${source ? `${source}: ` : ''}${obj.kind} "${obj.metadata.name}": ${describe(err)}`, { cause: err });
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
