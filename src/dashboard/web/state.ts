// The page's copy of the app state: one EventSource on /api/stream, a snapshot then deltas applied
// in place. The browser reconnects by itself with Last-Event-ID, and the server resumes from there.
import { useEffect, useState } from 'preact/hooks';
import type { KubeObject } from '../../api/types.ts';

export type FeedKind = 'resources' | 'replicas' | 'endpoints' | 'proxies' | 'events';

export interface AppState {
  app: string;
  connected: boolean;
  /** Kinds the server serves (events only when an Event kind is registered). */
  kinds: FeedKind[];
  objects: Record<FeedKind, Map<string, KubeObject>>;
  /** Bumped on every change, so memoised views know to recompute. */
  version: number;
}

type Delta = { op: 'put'; kind: FeedKind; object: KubeObject } | { op: 'delete'; kind: FeedKind; namespace: string; name: string };

const ALL: FeedKind[] = ['resources', 'replicas', 'endpoints', 'proxies', 'events'];
const emptyObjects = () => Object.fromEntries(ALL.map((k) => [k, new Map()])) as unknown as AppState['objects'];
const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

const state: AppState = { app: '', connected: false, kinds: [], objects: emptyObjects(), version: 0 };
const listeners = new Set<() => void>();
let scheduled = false;

function changed(): void {
  state.version++;
  // One render per frame, however many batches arrived.
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const l of [...listeners]) l();
  });
}

let source: EventSource | undefined;

export function connect(): void {
  if (source) return;
  source = new EventSource('/api/stream');
  source.addEventListener('open', () => {
    state.connected = true;
    changed();
  });
  source.addEventListener('error', () => {
    state.connected = false;
    changed();
  });
  source.addEventListener('snapshot', (e) => {
    const snap = JSON.parse((e as MessageEvent).data) as { app: string; kinds: FeedKind[]; objects: Record<FeedKind, KubeObject[]> };
    state.app = snap.app;
    state.kinds = snap.kinds;
    state.objects = emptyObjects();
    for (const kind of ALL) for (const o of snap.objects[kind] ?? []) state.objects[kind].set(keyOf(o.metadata.namespace, o.metadata.name), o);
    state.connected = true;
    changed();
  });
  source.addEventListener('delta', (e) => {
    for (const d of JSON.parse((e as MessageEvent).data) as Delta[]) {
      const map = state.objects[d.kind];
      if (d.op === 'put') map.set(keyOf(d.object.metadata.namespace, d.object.metadata.name), d.object);
      else map.delete(keyOf(d.namespace, d.name));
    }
    changed();
  });
}

/** The live state; re-renders the component on every change. */
export function useAppState(): AppState {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const l = () => setVersion(state.version);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return state;
}

export function listOf<T extends KubeObject>(kind: FeedKind): T[] {
  return [...state.objects[kind].values()] as T[];
}

/** Re-renders every `ms` (ages like "12s" stay true without a state change). */
export function useTick(ms: number): void {
  const [, set] = useState(0);
  useEffect(() => {
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
}
