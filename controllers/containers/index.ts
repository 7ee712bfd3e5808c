// containers controller: Replica (container Resource) -> Docker container. Public surface.
export { createContainersController, CONTAINER_FINALIZER, DEFAULT_NETWORK, RUNNING_CONDITION } from './controller.ts';
export type { ContainersControllerOptions } from './controller.ts';
export { LABELS, appSelector, instanceLabels, sanitizeName, type AppIdentity } from './labels.ts';
export { containerName, lifecycleKey, networkRuntimeName, persistentNetworkName, sessionNetworkName } from './naming.ts';
export { HOST_TUNNEL_NAME, desiredContainer, effectiveContainerEnv, imageReference } from './desired.ts';
export { containerReferenceUrl, containerReferenceHostAndPort, type ReferenceTarget } from './reference-url.ts';
export { removeOrphans, defaultInstanceAlive, type InstanceAliveCheck, type OrphanCleanupResult } from './orphans.ts';
