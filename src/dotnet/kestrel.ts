// `Kestrel:Endpoints` in appsettings.json (then appsettings.<Environment>.json on top, as ASP.NET
// Core layers them). Each named endpoint with a `Url` becomes an apphost endpoint.
import { join } from 'node:path';
import type { EndpointSpec } from '../api/types.ts';
import { parseListenUrl, toEndpoint } from './application-url.ts';
import { readJsonFile } from './read-json.ts';

export interface KestrelEndpoint {
  /** The name under Kestrel:Endpoints, as written (used for `Kestrel__Endpoints__<name>__Url`). */
  kestrelName: string;
  url: string;
  protocols?: string;
  endpoint: EndpointSpec;
}

type Json = Record<string, unknown>;

function child(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  // .NET configuration keys are case-insensitive.
  const hit = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return hit === undefined ? undefined : (obj as Json)[hit];
}

/** Endpoint name from a Kestrel endpoint name: lower case, [a-z0-9-], starting with a letter. */
export function endpointNameFor(kestrelName: string): string {
  let n = kestrelName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(n)) n = `ep-${n}`.replace(/-+$/, '');
  return n.slice(0, 64).replace(/-+$/, '');
}

export function kestrelEndpointsFrom(config: unknown): KestrelEndpoint[] {
  const endpoints = child(child(config, 'Kestrel'), 'Endpoints');
  if (!endpoints || typeof endpoints !== 'object') return [];
  const out: KestrelEndpoint[] = [];
  for (const [kestrelName, value] of Object.entries(endpoints as Json)) {
    const url = child(value, 'Url');
    if (typeof url !== 'string' || !url) continue;
    const protocols = child(value, 'Protocols');
    const endpoint = toEndpoint(parseListenUrl(url), endpointNameFor(kestrelName));
    if (typeof protocols === 'string' && /^http2$/i.test(protocols)) endpoint.transport = 'http2';
    out.push({ kestrelName, url, endpoint, ...(typeof protocols === 'string' ? { protocols } : {}) });
  }
  return out;
}

function merge(base: unknown, over: unknown): unknown {
  if (!over || typeof over !== 'object' || Array.isArray(over)) return over ?? base;
  if (!base || typeof base !== 'object' || Array.isArray(base)) return over;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(over as Json)) {
    const existing = Object.keys(out).find((x) => x.toLowerCase() === k.toLowerCase());
    if (existing !== undefined && existing !== k) {
      out[k] = merge(out[existing], v);
      delete out[existing];
    } else {
      out[k] = merge(out[k], v);
    }
  }
  return out;
}

/** Reads appsettings.json (+ appsettings.<environment>.json) in `projectDir`. */
export function readKestrelEndpoints(projectDir: string, environment?: string): KestrelEndpoint[] {
  let config = readJsonFile(join(projectDir, 'appsettings.json'));
  if (environment) {
    const overlay = readJsonFile(join(projectDir, `appsettings.${environment}.json`));
    if (overlay !== undefined) config = merge(config, overlay);
  }
  return kestrelEndpointsFrom(config);
}
