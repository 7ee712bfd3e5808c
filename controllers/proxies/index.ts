export { createProxiesController, BIND_BACKOFF, BOUND_CONDITION } from './controller.ts';
export type { ProxiesControllerOptions } from './controller.ts';
export { createEndpointProxiesController, desiredProxySpec } from './endpoint-proxies.ts';
export { describeBindFailure } from './bind-status.ts';
