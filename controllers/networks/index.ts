// networks controller: Network -> Docker network, default app network, container tunnel.
export { createNetworksController, DEFAULT_NETWORK, MANAGED_BY_LABEL, NETWORK_FINALIZER, READY_CONDITION } from './controller.ts';
export type { NetworksControllerOptions } from './controller.ts';
export { desiredTunnels, tunnelProxyName, TUNNEL_FOR_LABEL } from './tunnels.ts';
