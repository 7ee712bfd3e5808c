// The dashboard's view of the app, fed by the store's own watches (the interface controllers use):
// a cache of the kinds the pages show, and numbered batches of deltas, coalesced and flushed at
// most every 200 ms (as Tilt does). A browser that reconnects with the id of the last batch it
// applied gets the batches it missed; one that fell further behind gets a fresh snapshot.
import type { Store, WatchEvent } from '../api/store.ts';
import type { KubeObject } from '../api/types.ts';

/** What the browser sees, by the name it uses. */
export const FEED_KINDS = {
  resources: 'resources.apphost.dev',
  replicas: 'replicas.apphost.dev',
  endpoints: 'endpoints.apphost.dev',
  proxies: 'proxies.apphost.dev',
  /** Only when a core Event kind is registered. */
  events: 'events',
} as const;
export type FeedKind = keyof typeof FEED_KINDS;

export type Delta =
  | { op: 'put'; kind: FeedKind; object: KubeObject }
  | { op: 'delete'; kind: FeedKind; namespace: string; name: string };

export interface Batch {
  id: number;
  deltas: Delta[];
}

export interface Snapshot {
  id: number;
  kinds: FeedKind[];
  objects: Record<FeedKind, KubeObject[]>;
}

export interface StateFeedOptions {
  store: Pick<Store, 'watch'>;
  namespace?: string;
  /** Delta flush period. Default 200 ms. */
  debounceMs?: number;
  /** Batches kept for resuming streams. Default 500. */
  historySize?: number;
  /** Events kept (newest). Default 500. */
  maxEvents?: number;
}

export interface StateFeed {
  snapshot(): Snapshot;
  /** The batches after `id`, or undefined when they are no longer kept (send a snapshot). */
  since(id: number): Batch[] | undefined;
  /** Called with every flushed batch. Returns an unsubscribe function. */
  subscribe(listener: (batch: Batch) => void): () => void;
  /** Current objects of one kind (server-side readers: logs, actions). */
  list<T extends KubeObject = KubeObject>(kind: FeedKind): T[];
  /** Flushes pending deltas now (tests, shutdown). */
  flush(): void;
  close(): void;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Drops what the browser never shows (managedFields can be most of an object). */
function slim(o: KubeObject): KubeObject {
  if (!o.metadata.managedFields) return o;
  const { managedFields: _drop, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export function createStateFeed(options: StateFeedOptions): StateFeed {
  const debounceMs = options.debounceMs ?? 200;
  const historySize = options.historySize ?? 500;
  const maxEvents = options.maxEvents ?? 500;
  const caches = new Map<FeedKind, Map<string, KubeObject>>();
  const pending = new Map<string, Delta>();
  const history: Batch[] = [];
  const listeners = new Set<(batch: Batch) => void>();
  const subscriptions: { unsubscribe(): void }[] = [];
  let lastId = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const batch: Batch = { id: ++lastId, deltas: [...pending.values()] };
    pending.clear();
    history.push(batch);
    if (history.length > historySize) history.shift();
    for (const l of [...listeners]) l(batch);
  };
  const queue = (key: string, delta: Delta) => {
    pending.delete(key); // re-insert: the batch keeps the order of the last change
    pending.set(key, delta);
    timer ??= setTimeout(flush, debounceMs);
  };
  const onEvent = (kind: FeedKind, cache: Map<string, KubeObject>, ev: WatchEvent) => {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
    const key = keyOf(ev.object);
    if (ev.type === 'DELETED') {
      cache.delete(key);
      queue(`${kind} ${key}`, { op: 'delete', kind, namespace: ev.object.metadata.namespace ?? '', name: ev.object.metadata.name });
      return;
    }
    const object = slim(ev.object);
    cache.set(key, object);
    queue(`${kind} ${key}`, { op: 'put', kind, object });
    if (kind === 'events' && cache.size > maxEvents) {
      const oldest = cache.keys().next().value!;
      const gone = cache.get(oldest)!;
      cache.delete(oldest);
      queue(`${kind} ${oldest}`, { op: 'delete', kind, namespace: gone.metadata.namespace ?? '', name: gone.metadata.name });
    }
  };

  for (const kind of Object.keys(FEED_KINDS) as FeedKind[]) {
    const cache = new Map<string, KubeObject>();
    try {
      const watch = options.store.watch(FEED_KINDS[kind], options.namespace ? { namespace: options.namespace } : {});
      subscriptions.push(watch.subscribe({ next: (ev) => onEvent(kind, cache, ev), error: () => undefined }));
      caches.set(kind, cache);
    } catch {
      // Kind not served (no Event kind registered): the pages leave that part out.
    }
  }
  // The initial ADDED events are one consistent snapshot: no need to stream them as deltas.
  pending.clear();
  if (timer) clearTimeout(timer);
  timer = undefined;

  return {
    snapshot() {
      flush();
      const objects = {} as Record<FeedKind, KubeObject[]>;
      for (const kind of Object.keys(FEED_KINDS) as FeedKind[]) objects[kind] = [...(caches.get(kind)?.values() ?? [])];
      return { id: lastId, kinds: [...caches.keys()], objects };
    },
    since(id) {
      if (id === lastId) return [];
      if (id > lastId) return undefined;
      const first = history[0]?.id ?? lastId + 1;
      return id + 1 >= first ? history.filter((b) => b.id > id) : undefined;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    list<T extends KubeObject>(kind: FeedKind) {
      return [...(caches.get(kind)?.values() ?? [])] as T[];
    },
    flush,
    close() {
      if (timer) clearTimeout(timer);
      for (const s of subscriptions) s.unsubscribe();
      listeners.clear();
    },
  };
}
