// JSON text of store objects, cached per (immutable, frozen) object: a list or ten watchers
// serialise each object once.
const cache = new WeakMap<object, string>();

export function objectJson(obj: object): string {
  let text = cache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    if (Object.isFrozen(obj)) cache.set(obj, text);
  }
  return text;
}

/** `{"apiVersion":..,"kind":..,"metadata":{..},"items":[..]}` assembled from cached item texts. */
export function listJson(head: { apiVersion: string; kind: string; metadata: Record<string, unknown> }, items: readonly object[]): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = objectJson(items[i]!);
  return `{"apiVersion":${JSON.stringify(head.apiVersion)},"kind":${JSON.stringify(head.kind)},"metadata":${JSON.stringify(head.metadata)},"items":[${parts.join(',')}]}`;
}
