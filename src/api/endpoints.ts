// Endpoint normalisation (DESIGN.md section 1) and the reference variable names. Pure functions:
// the endpoints controller, the replicas controller, the validators and the builder all use these
// so that "which endpoints does this resource have" has one answer.
import type { EndpointSpec, Lifetime, Protocol, ResourceSpec } from './types.ts';

/** An endpoint with every default applied. `port`/`targetPort` stay optional (allocated later). */
export interface NormalizedEndpoint extends EndpointSpec {
  name: string;
  scheme: string;
  protocol: Protocol;
  transport: string;
  isProxied: boolean;
  isExternal: boolean;
  excludeFromReferences: boolean;
}

export interface NormalizeOptions {
  /** The owning resource's lifetime: Persistent makes endpoints proxyless by default. */
  lifetime?: Lifetime;
}

const HTTP_SCHEMES = new Set(['http', 'https']);

/**
 * Defaults: protocol TCP; scheme = lower-cased protocol; name = scheme; transport = http for
 * http/https schemes, else the lower-cased protocol; isProxied true unless the resource is
 * Persistent. Proxyless: when only one of port/targetPort is given, the other takes its value.
 * The input is not modified.
 */
export function normalizeEndpoint(endpoint: EndpointSpec, options: NormalizeOptions = {}): NormalizedEndpoint {
  const protocol: Protocol = endpoint.protocol ?? 'TCP';
  const scheme = endpoint.scheme ?? protocol.toLowerCase();
  const name = endpoint.name ?? scheme;
  const transport = endpoint.transport ?? (HTTP_SCHEMES.has(scheme.toLowerCase()) ? 'http' : protocol.toLowerCase());
  const isProxied = endpoint.isProxied ?? options.lifetime !== 'Persistent';
  const out: NormalizedEndpoint = {
    ...endpoint,
    name,
    scheme,
    protocol,
    transport,
    isProxied,
    isExternal: endpoint.isExternal ?? false,
    excludeFromReferences: endpoint.excludeFromReferences ?? false,
  };
  if (!isProxied) {
    if (out.port !== undefined && out.targetPort === undefined) out.targetPort = out.port;
    else if (out.targetPort !== undefined && out.port === undefined) out.port = out.targetPort;
  }
  return out;
}

/** All endpoints of a resource spec, normalised, in declaration order. */
export function normalizeEndpoints(spec: Pick<ResourceSpec, 'endpoints' | 'lifetime'>): NormalizedEndpoint[] {
  const lifetime = spec.lifetime;
  return (spec.endpoints ?? []).map((ep) => normalizeEndpoint(ep, { lifetime }));
}

/** Endpoint names compare case-insensitively (as in Aspire); this is the comparison key. */
export function endpointNameKey(name: string): string {
  return name.toLowerCase();
}

/** Name of the Endpoint object for (resource, endpoint): `<resource>-<endpoint>`, lower-cased. */
export function endpointObjectName(resource: string, endpoint: string): string {
  return `${resource}-${endpoint}`.toLowerCase();
}

/** `services__<resource>__<endpoint>__0`, the .NET service discovery configuration key. */
export function serviceVariableName(resource: string, endpoint: string): string {
  return `services__${resource}__${endpoint}__0`;
}

/**
 * `<RESOURCE>_<ENDPOINT>`: upper-cased, every character outside [A-Za-z0-9_] becomes `_`, a
 * leading digit gets a `_` prefix. (`my-api`, `http`) -> `MY_API_HTTP`.
 */
export function envVariableName(resource: string, endpoint: string): string {
  const raw = `${resource}_${endpoint}`.toUpperCase().replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(raw) ? `_${raw}` : raw;
}
