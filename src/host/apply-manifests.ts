// Applies manifests through the API client: create, or update the existing object (keeping its
// status). A refused object becomes one HostError line naming the object and the fields.
import { isApiError } from '../api/status.ts';
import { DEFAULT_NAMESPACE, type KubeObject } from '../api/types.ts';
import type { Client } from '../runtime/types.ts';
import { HostError } from './errors.ts';

export interface AppliedObject {
  kind: string;
  name: string;
  namespace: string;
  action: 'created' | 'configured' | 'unchanged';
}

export async function applyManifests(client: Client, objects: KubeObject[]): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const obj of objects) applied.push(await applyOne(client, obj));
  return applied;
}

async function applyOne(client: Client, input: KubeObject): Promise<AppliedObject> {
  const namespace = input.metadata.namespace ?? DEFAULT_NAMESPACE;
  const obj: KubeObject = { ...input, metadata: { ...input.metadata, namespace } };
  const what = { kind: obj.kind, name: obj.metadata.name, namespace };
  try {
    const existing = await client.get(obj.kind, namespace, obj.metadata.name);
    if (!existing) {
      await client.create(obj);
      return { ...what, action: 'created' };
    }
    const { status: _status, ...rest } = obj;
    const next: KubeObject = {
      ...rest,
      ...(existing.status !== undefined ? { status: existing.status } : {}),
      metadata: { ...existing.metadata, ...obj.metadata, resourceVersion: existing.metadata.resourceVersion },
    };
    const updated = await client.update(next);
    const changed = updated.metadata.resourceVersion !== existing.metadata.resourceVersion;
    return { ...what, action: changed ? 'configured' : 'unchanged' };
  } catch (err) {
    throw new HostError('MANIFEST_APPLY', `${obj.kind} "${obj.metadata.name}": ${describe(err)}`, { cause: err });
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
