// Container tunnel: for every host-process endpoint, a Proxy object `<endpoint>-tunnel` (owned by the
// app's Network) listening on the network's gateway address at the endpoint's host port and
// forwarding to 127.0.0.1 on the same port. The proxies controller serves it like any Proxy. A
// container reaches the process at host.apphost.internal:<port> (an /etc/hosts entry for the
// gateway). The host routes between its bridges, so a container on any other Docker network could
// reach the gateway address too: `allowedClients` limits the tunnel to the app network's subnet.
import net from 'node:net';
import { API_VERSION, type Endpoint, type Network, type Proxy, type ProxySpec, type Resource } from '../../src/api/types.ts';
import { ENDPOINT_LABEL, RESOURCE_LABEL, TUNNEL_FOR_LABEL, controllerReference } from '../shared/index.ts';

export { TUNNEL_FOR_LABEL };
export const TUNNEL_SUFFIX = '-tunnel';

export const tunnelProxyName = (endpoint: string): string => `${endpoint}${TUNNEL_SUFFIX}`;

export interface TunnelNetwork {
  gateway: string;
  /** The app network's subnet(s): the only clients the tunnel serves. */
  subnets: string[];
}

/** The tunnel Proxy objects the app network should have, by name. */
export function desiredTunnels(network: Network, where: TunnelNetwork, resources: Resource[], endpoints: Endpoint[]): Map<string, Proxy> {
  const executables = new Set(resources.filter((r) => r.spec?.executable && !r.metadata.deletionTimestamp).map((r) => r.metadata.name));
  const out = new Map<string, Proxy>();
  for (const ep of endpoints) {
    const port = ep.status?.port;
    if (!executables.has(ep.spec.resource) || !port || ep.metadata.deletionTimestamp) continue;
    const name = tunnelProxyName(ep.metadata.name);
    const spec: ProxySpec = {
      listen: { address: where.gateway, port },
      protocol: ep.spec.protocol === 'UDP' ? 'UDP' : 'TCP',
      backends: [{ name: ep.metadata.name, address: '127.0.0.1', port, ready: true }],
      allowedClients: where.subnets,
    };
    out.set(name, {
      apiVersion: API_VERSION,
      kind: 'Proxy',
      metadata: {
        name,
        namespace: network.metadata.namespace ?? 'default',
        labels: {
          [TUNNEL_FOR_LABEL]: ep.metadata.name,
          [RESOURCE_LABEL]: ep.spec.resource,
          ...(ep.spec.name ? { [ENDPOINT_LABEL]: ep.spec.name } : {}),
        },
        ownerReferences: [controllerReference(network)],
      },
      spec,
    });
  }
  return out;
}

/** The parts of a tunnel's spec this controller owns (the schema fills in defaults such as policy). */
export function tunnelSpecMatches(existing: ProxySpec, desired: ProxySpec): boolean {
  const pick = (s: ProxySpec) =>
    JSON.stringify([s.listen.address, s.listen.port ?? 0, s.protocol ?? 'TCP', s.backends?.map((b) => [b.name, b.address, b.port]), s.allowedClients ?? null]);
  return pick(existing) === pick(desired);
}

/**
 * Whether something already accepts TCP connections at address:port (within 500 ms): a proxyless
 * process bound to every address needs no tunnel (and the tunnel could not bind anyway).
 */
export function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 500 });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}
