// URL path -> route. Pure parsing; which kinds exist is decided later against the registry.
import { ApiError } from '../../src/api/status.ts';

export type Route =
  | { type: 'version' }
  | { type: 'health'; endpoint: 'healthz' | 'livez' | 'readyz'; check?: string }
  | { type: 'metrics' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'coreVersion'; version: string }
  | { type: 'group'; group: string }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'openapiRoot' }
  | { type: 'openapiGroupVersion'; group: string; version: string }
  | ObjectRoute
  | { type: 'notFound' };

export interface ObjectRoute {
  type: 'objects';
  /** '' for the legacy core group (/api/v1). */
  group: string;
  version: string;
  /** Undefined on cluster-wide paths. */
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
}

const NOT_FOUND: Route = { type: 'notFound' };

function segments(pathname: string): string[] {
  const parts = pathname.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '') continue;
    if (p.indexOf('%') === -1) {
      out.push(p);
      continue;
    }
    try {
      out.push(decodeURIComponent(p));
    } catch {
      throw new ApiError('BadRequest', `malformed path segment "${p.slice(0, 100)}"`);
    }
  }
  return out;
}

/** Parses the part after `/apis/<g>/<v>` or `/api/v1`. */
function objectRoute(group: string, version: string, rest: string[]): Route {
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // `/api/v1/namespaces/<name>/status` is the Namespace's own subresource, not a kind in it.
  const namespaceStatus = group === '' && rest.length === 3 && rest[0] === 'namespaces' && rest[2] === 'status';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceStatus) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return NOT_FOUND;
  const [plural, name, subresource] = rest;
  if (watchPath && subresource !== undefined) return NOT_FOUND;
  return { type: 'objects', group, version, namespace, plural: plural!, name, subresource, watchPath };
}

export function parseRoute(pathname: string): Route {
  const s = segments(pathname);
  const n = s.length;
  if (n === 0) return NOT_FOUND;
  switch (s[0]) {
    case 'version':
      return n === 1 ? { type: 'version' } : NOT_FOUND;
    case 'metrics':
      return n === 1 ? { type: 'metrics' } : NOT_FOUND;
    case 'healthz':
    case 'livez':
    case 'readyz':
      return n === 1 ? { type: 'health', endpoint: s[0] } : { type: 'health', endpoint: s[0], check: s.slice(1).join('/') };
    case 'api':
      if (n === 1) return { type: 'api' };
      if (n === 2) return { type: 'coreVersion', version: s[1]! };
      return objectRoute('', s[1]!, s.slice(2));
    case 'apis':
      if (n === 1) return { type: 'apis' };
      if (n === 2) return { type: 'group', group: s[1]! };
      if (n === 3) return { type: 'groupVersion', group: s[1]!, version: s[2]! };
      return objectRoute(s[1]!, s[2]!, s.slice(3));
    case 'openapi':
      if (n === 2 && s[1] === 'v3') return { type: 'openapiRoot' };
      if (n === 5 && s[1] === 'v3' && s[2] === 'apis') return { type: 'openapiGroupVersion', group: s[3]!, version: s[4]! };
      if (n === 4 && s[1] === 'v3' && s[2] === 'api') return { type: 'openapiGroupVersion', group: '', version: s[3]! };
      return NOT_FOUND;
    default:
      return NOT_FOUND;
  }
}
