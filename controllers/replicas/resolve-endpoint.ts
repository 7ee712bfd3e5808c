// What a consumer sees of another resource's endpoint: the host and port that work from its side.
// A process reaches everything on localhost at the Endpoint's port (the proxy, or the proxyless
// port); a container reaches a container by name on the target port (shared network), and a host
// process through apphost's tunnel address.
import type { Endpoint, EndpointProperty } from '../../src/api/types.ts';
import { endpointUrl, HOST_TUNNEL, LOCAL_HOST } from '../shared/endpoint-url.ts';
import type { ResourceType } from '../shared/resource-info.ts';

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string; message: string };

export interface EndpointView {
  scheme: string;
  host: string;
  port: number;
  url: string;
}

export function consumerView(endpoint: Endpoint, targetType: ResourceType, consumerType: ResourceType): Resolved<EndpointView> {
  const scheme = endpoint.spec.scheme ?? 'tcp';
  const name = endpoint.metadata.name;
  if (consumerType === 'container' && targetType === 'container') {
    const port = endpoint.spec.targetPort;
    if (!port) return { ok: false, reason: 'EndpointNotAllocated', message: `endpoint ${name} has no targetPort` };
    const host = endpoint.spec.resource;
    return { ok: true, value: { scheme, host, port, url: endpointUrl(scheme, host, port) } };
  }
  const port = endpoint.status?.port;
  if (!port) return { ok: false, reason: 'EndpointNotAllocated', message: `waiting for endpoint ${name} to get a port` };
  const host = consumerType === 'container' ? HOST_TUNNEL : LOCAL_HOST;
  return { ok: true, value: { scheme, host, port, url: endpointUrl(scheme, host, port) } };
}

/** One property of an endpoint as a string. `targetPort` falls back to the consumer-side port. */
export function endpointProperty(view: EndpointView, endpoint: Endpoint, property: EndpointProperty, ownTargetPort?: number): string {
  switch (property) {
    case 'host':
      return view.host;
    case 'port':
      return String(view.port);
    case 'targetPort':
      return String(ownTargetPort ?? endpoint.spec.targetPort ?? endpoint.status?.targets?.[0]?.port ?? view.port);
    case 'scheme':
      return view.scheme;
    case 'hostAndPort':
      return `${view.host}:${view.port}`;
    case 'url':
    default:
      return view.url;
  }
}
