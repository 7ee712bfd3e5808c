// JSON text of store objects. The store hands every watcher the same frozen object, so a small
// cache of the most recent texts lets ten watchers (and the write's own response) serialise an event
// once, without keeping a second copy of every stored object in memory.
const CACHE_SIZE = 256;
const cache = new Map<object, string>();

export function objectJson(obj: object): string {
  let text = cache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    if (Object.isFrozen(obj)) {
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(obj, text);
    }
  }
  return text;
}

/** `{"apiVersion":..,"kind":..,"metadata":{..},"items":[..]}` assembled from cached item texts. */
export function listJson(head: { apiVersion: string; kind: string; metadata: Record<string, unknown> }, items: readonly object[]): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = objectJson(items[i]!);
  return `{"apiVersion":${JSON.stringify(head.apiVersion)},"kind":${JSON.stringify(head.kind)},"metadata":${JSON.stringify(head.metadata)},"items":[${parts.join(',')}]}`;
}
