// Reading a Resource: what it runs and its endpoints, normalised (the one answer, src/api/endpoints.ts).
import { normalizeEndpoints, type NormalizedEndpoint } from '../../src/api/endpoints.ts';
import type { Resource } from '../../src/api/types.ts';
import { effectiveEndpoints } from '../../src/dotnet/index.ts';

export type ResourceType = 'executable' | 'container';

export function resourceType(res: Resource): ResourceType {
  return res.spec.container ? 'container' : 'executable';
}

/** The resource's endpoints, normalised: spec.endpoints plus a .NET launch profile's or Kestrel's. */
export function resourceEndpoints(res: Resource): NormalizedEndpoint[] {
  if (!res.spec.executable?.launchProfile) return normalizeEndpoints(res.spec);
  return normalizeEndpoints({ ...res.spec, endpoints: effectiveEndpoints(res) });
}

/** spec.replicas, or 1; `desiredReplicas` is what should run now (0 while spec.stopped). */
export function specReplicas(res: Resource): number {
  const n = res.spec.replicas;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1;
}

export function isDeleting(obj: { metadata: { deletionTimestamp?: string } } | undefined): boolean {
  return !!obj?.metadata.deletionTimestamp;
}

export function desiredReplicas(res: Resource): number {
  return res.spec.stopped === true ? 0 : specReplicas(res);
}
