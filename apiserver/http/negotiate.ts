// Accept-header negotiation: plain JSON, the meta.k8s.io Table / PartialObjectMetadata views, and
// aggregated discovery. We always answer JSON; these only choose the shape of the body.

export type View = 'object' | 'table' | 'metadata';

export const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
export const METADATA_TYPE = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';
export const METADATA_LIST_TYPE = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';
export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

const cache = new Map<string, MediaRange[]>();

function parseAccept(header: string): MediaRange[] {
  const hit = cache.get(header);
  if (hit) return hit;
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [type, ...rest] = part.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    ranges.push({ type: (type ?? '').trim().toLowerCase(), params });
  }
  // Clients send a handful of distinct Accept headers; a bounded cache keeps parsing off the hot path.
  if (cache.size < 256) cache.set(header, ranges);
  return ranges;
}

/** The view the first acceptable media range asks for (Table or PartialObjectMetadata), else the object. */
export function negotiateView(accept: string | undefined): View {
  if (!accept || accept.indexOf('as=') === -1) return 'object';
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json' && r.type !== '*/*') continue;
    const as = r.params['as'];
    if (!as) return 'object';
    if (r.params['g'] !== 'meta.k8s.io') continue;
    if (r.params['v'] !== 'v1' && r.params['v'] !== 'v1beta1') continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'metadata';
  }
  return 'object';
}

/** True when the client prefers aggregated discovery (apidiscovery.k8s.io/v2). */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept || accept.indexOf('apidiscovery.k8s.io') === -1) return false;
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json') continue;
    if (r.params['g'] === 'apidiscovery.k8s.io' && r.params['v'] === 'v2' && r.params['as'] === 'APIGroupDiscoveryList') {
      return true;
    }
  }
  return false;
}
