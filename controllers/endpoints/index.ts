export { createEndpointsController, PORT_ALLOCATED, READY, type EndpointsControllerOptions } from './controller.ts';
export { PortBook, type PortRequest, type PortClaimResult } from './port-book.ts';
export { endpointTargets, readyTargets, replicaPort } from './targets.ts';
export { createFilePortMemory, createInMemoryPortMemory, portMemoryKey, type PortMemory } from './port-memory.ts';
