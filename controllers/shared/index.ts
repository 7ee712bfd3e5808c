// Helpers shared by the built-in controllers.
export { RESOURCE_LABEL, ENDPOINT_LABEL, REPLICA_INDEX_LABEL, TUNNEL_FOR_LABEL } from './labels.ts';
export { controllerReference, isControlledBy } from './owners.ts';
export { endpointUrl, LOCAL_HOST, TARGET_ADDRESS, HOST_TUNNEL } from './endpoint-url.ts';
export { resourceType, resourceEndpoints, desiredReplicas, isDeleting, type ResourceType } from './resource-info.ts';
