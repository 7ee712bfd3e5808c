// Controller ownerReferences: build one, and check that an object is controlled by a given owner.
import type { KubeObject, OwnerReference } from '../../src/api/types.ts';

export function controllerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some(
    (r) => r.controller === true && r.kind === owner.kind && r.uid === owner.metadata.uid,
  );
}
