// Namespaces as appliers see them: Namespace objects go before what they hold, and a write refused
// because its namespace does not exist (`namespaces "dev" not found`) names the one to create.
import type { StatusDetails } from './status.ts';
import type { KubeObject } from './types.ts';

export function isNamespace(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && obj.kind === 'Namespace';
}

/** The objects with the Namespaces among them first, otherwise in their order. */
export function namespacesFirst(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects.filter(isNamespace), ...objects.filter((o) => !isNamespace(o))];
}

/** The namespace a refusal (an ApiError or a Status) says is missing, if that is the refusal. */
export function missingNamespace(refusal: { code?: number; details?: StatusDetails } | undefined): string | undefined {
  const details = refusal?.code === 404 ? refusal.details : undefined;
  return details?.kind === 'namespaces' && !details.group ? details.name : undefined;
}
