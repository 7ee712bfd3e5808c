// Resolves service-discovery URIs such as `http://_admin.apiservice/health` or `https+http://api`
// to concrete URLs, using the variables apphost injects for references:
// `services__<resource>__<endpoint>__<index>=<url>` (the `:` separator of .NET configuration is
// accepted too, and names match case-insensitively, as .NET configuration does).
//
// - `scheme://_<endpoint>.<service>` names the endpoint; its URL must use one of the schemes.
// - `scheme://<service>` looks for the endpoint named after the scheme (endpoint name defaults to
//   the scheme), then for any endpoint of the service whose URL has that scheme.
// - `https+http://` lists schemes in order of preference: https first, http as the fallback.
// Path, query and fragment of the URI are kept.
import { DiscoveryError } from './errors.ts';

export type Env = Record<string, string | undefined>;

interface ParsedUri {
  schemes: string[];
  service: string;
  endpoint?: string;
  /** Everything after the authority: path, query, fragment. */
  rest: string;
}

interface ServiceEntry {
  endpoint: string;
  index: number;
  url: string;
}

const URI = /^([a-z][a-z0-9.-]*(?:\+[a-z][a-z0-9.-]*)*):\/\/([^/?#]+)(.*)$/i;

export function parseServiceUri(uri: string): ParsedUri {
  const m = URI.exec(uri.trim());
  if (!m) {
    throw new DiscoveryError(
      'DISCOVERY_INVALID_URI',
      `"${uri}" is not a service URI: expected scheme://service or scheme://_endpoint.service (e.g. https+http://api)`,
    );
  }
  const schemes = m[1].toLowerCase().split('+');
  const host = m[2];
  let service = host;
  let endpoint: string | undefined;
  if (host.startsWith('_')) {
    const dot = host.indexOf('.');
    if (dot < 2 || dot === host.length - 1) {
      throw new DiscoveryError(
        'DISCOVERY_INVALID_URI',
        `"${uri}": an endpoint-qualified host must look like _<endpoint>.<service>`,
      );
    }
    endpoint = host.slice(1, dot);
    service = host.slice(dot + 1);
  }
  return { schemes, service, endpoint, rest: m[3] ?? '' };
}

/** Every injected entry for `service`, sorted by endpoint then index. */
export function listServiceEntries(service: string, env: Env): ServiceEntry[] {
  const wanted = service.toLowerCase();
  const out: ServiceEntry[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!value) continue;
    const parts = key.includes('__') ? key.split('__') : key.split(':');
    if (parts.length !== 4 || parts[0].toLowerCase() !== 'services') continue;
    if (parts[1].toLowerCase() !== wanted) continue;
    const index = Number(parts[3]);
    if (!Number.isInteger(index) || index < 0) continue;
    out.push({ endpoint: parts[2].toLowerCase(), index, url: value });
  }
  out.sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.index - b.index);
  return out;
}

function schemeOf(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  return m ? m[1].toLowerCase() : undefined;
}

/** Applies the URI's scheme preference to one endpoint's entries. */
function pick(entries: ServiceEntry[], schemes: string[]): string[] {
  for (const scheme of schemes) {
    const hits = entries.filter((e) => (schemeOf(e.url) ?? scheme) === scheme);
    if (hits.length > 0) {
      return hits.map((e) => (schemeOf(e.url) ? e.url : `${scheme}://${e.url}`));
    }
  }
  return [];
}

function join(base: string, rest: string): string {
  if (!rest) return base;
  return base.replace(/\/+$/, '') + rest;
}

/** All URLs the URI resolves to (one per replica index), best scheme first. */
export function resolveServiceUrls(uri: string, env: Env = process.env): string[] {
  const parsed = parseServiceUri(uri);
  const entries = listServiceEntries(parsed.service, env);
  let urls: string[] = [];
  if (parsed.endpoint) {
    const name = parsed.endpoint.toLowerCase();
    urls = pick(entries.filter((e) => e.endpoint === name), parsed.schemes);
  } else {
    for (const scheme of parsed.schemes) {
      urls = pick(entries.filter((e) => e.endpoint === scheme), [scheme]);
      if (urls.length > 0) break;
    }
    if (urls.length === 0) urls = pick(entries, parsed.schemes);
  }
  if (urls.length === 0) {
    const wanted = parsed.endpoint
      ? `endpoint "${parsed.endpoint}" with scheme ${parsed.schemes.join(' or ')}`
      : `an endpoint with scheme ${parsed.schemes.join(' or ')}`;
    const known = entries.length
      ? `known: ${entries.map((e) => `${e.endpoint}=${e.url}`).join(', ')}`
      : `no services__${parsed.service}__<endpoint>__0 variable is set (add a reference to "${parsed.service}")`;
    throw new DiscoveryError(
      'DISCOVERY_NOT_FOUND',
      `cannot resolve "${uri}": service "${parsed.service}" has no ${wanted}; ${known}`,
    );
  }
  return urls.map((u) => join(u, parsed.rest));
}

/** The first URL the URI resolves to. Throws DiscoveryError (code DISCOVERY_NOT_FOUND) when none. */
export function resolveServiceUrl(uri: string, env: Env = process.env): string {
  return resolveServiceUrls(uri, env)[0];
}
