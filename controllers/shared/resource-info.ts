// Reading a Resource: what it runs and its endpoints, normalised (the one answer, src/api/endpoints.ts).
import { normalizeEndpoints, type NormalizedEndpoint } from '../../src/api/endpoints.ts';
import type { Resource } from '../../src/api/types.ts';

export type ResourceType = 'executable' | 'container';

export function resourceType(res: Resource): ResourceType {
  return res.spec.container ? 'container' : 'executable';
}

export function resourceEndpoints(res: Resource): NormalizedEndpoint[] {
  return normalizeEndpoints(res.spec);
}

export function desiredReplicas(res: Resource): number {
  const n = res.spec.replicas;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1;
}

export function isDeleting(obj: { metadata: { deletionTimestamp?: string } } | undefined): boolean {
  return !!obj?.metadata.deletionTimestamp;
}
