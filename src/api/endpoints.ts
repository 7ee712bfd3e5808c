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
  const isProxied = endpoint.isProxied ?? options.lifetime !== 'Persistent';
  // Built field by field: object spread is several µs on Node 20 and this runs on every admission.
  const out: NormalizedEndpoint = {
    name: endpoint.name ?? scheme,
    scheme,
    protocol,
    transport: endpoint.transport ?? (HTTP_SCHEMES.has(scheme.toLowerCase()) ? 'http' : protocol.toLowerCase()),
    isProxied,
    isExternal: endpoint.isExternal ?? false,
    excludeFromReferences: endpoint.excludeFromReferences ?? false,
  };
  let port = endpoint.port;
  let targetPort = endpoint.targetPort;
  if (!isProxied) {
    if (port !== undefined && targetPort === undefined) targetPort = port;
    else if (targetPort !== undefined && port === undefined) port = targetPort;
  }
  if (port !== undefined) out.port = port;
  if (targetPort !== undefined) out.targetPort = targetPort;
  if (endpoint.env !== undefined) out.env = endpoint.env;
  for (const key in endpoint) {
    // Carry other fields (e.g. an Endpoint object's `resource`) through unchanged.
    if (!(key in out) && !KNOWN.has(key)) (out as unknown as Record<string, unknown>)[key] = (endpoint as Record<string, unknown>)[key];
  }
  return out;
}

const KNOWN = new Set(['name', 'scheme', 'protocol', 'transport', 'port', 'targetPort', 'env', 'isProxied', 'isExternal', 'excludeFromReferences']);

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
