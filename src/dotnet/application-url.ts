// Turns .NET listen URLs (`https://localhost:7001;http://localhost:5000`, `http://*:80`) into
// endpoint configurations. Several URLs of one scheme are named `https`, `https2`, `https3`...
import type { EndpointSpec } from '../api/types.ts';
import { DotnetError } from './errors.ts';

export interface ListenUrl {
  scheme: string;
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

export function parseListenUrl(url: string): ListenUrl {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/i.exec(url.trim());
  const scheme = m?.[1].toLowerCase();
  const port = m?.[3] !== undefined ? Number(m[3]) : scheme ? DEFAULT_PORTS[scheme] : undefined;
  if (!m || !scheme || port === undefined || port < 1 || port > 65535) {
    throw new DotnetError('DOTNET_INVALID_URL', `"${url}" is not a listen URL like http://localhost:5000`);
  }
  return { scheme, host: m[2], port };
}

export function splitApplicationUrl(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Endpoint names `scheme`, `scheme2`, ... in order of appearance. */
export function endpointsFromUrls(urls: string[]): EndpointSpec[] {
  const seen = new Map<string, number>();
  return urls.map((raw) => {
    const u = parseListenUrl(raw);
    const n = (seen.get(u.scheme) ?? 0) + 1;
    seen.set(u.scheme, n);
    return toEndpoint(u, n === 1 ? u.scheme : `${u.scheme}${n}`);
  });
}

export function toEndpoint(u: ListenUrl, name: string): EndpointSpec {
  const ep: EndpointSpec = { name, scheme: u.scheme, port: u.port };
  if (u.host === '*' || u.host === '+' || u.host === '0.0.0.0' || u.host === '[::]') ep.isExternal = true;
  return ep;
}
