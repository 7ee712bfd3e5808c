export { createProxiesController, BIND_BACKOFF, BOUND_CONDITION } from './controller.ts';
export type { ProxiesControllerOptions } from './controller.ts';
export { createEndpointProxiesController, desiredProxySpec, ENDPOINT_LABEL, RESOURCE_LABEL } from './endpoint-proxies.ts';
export { describeBindFailure } from './bind-status.ts';
