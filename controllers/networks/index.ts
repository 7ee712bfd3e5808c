// networks controller: Network -> Docker network, default app network, container tunnel.
export { createNetworksController, DEFAULT_NETWORK, MANAGED_BY_LABEL, NETWORK_FINALIZER, READY_CONDITION } from './controller.ts';
export type { NetworksControllerOptions } from './controller.ts';
export { createTunnelSet, type TunnelSet, type TunnelSpec } from './tunnels.ts';
