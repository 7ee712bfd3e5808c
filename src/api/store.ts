// The store's public contract. Objects handed out are deep-frozen: never mutate them; clone
// (structuredClone or JSON round-trip) before changing and writing back.
import type { Observable } from 'rxjs';
import type { KubeObject } from './types.ts';
import type { AdmitOptions } from './registry.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** For ERROR events this is a Status object (cast). For BOOKMARK: apiVersion, kind, metadata.resourceVersion. */
  object: T;
}

export interface ListOptions {
  namespace?: string;
  /** Kubernetes label selector syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
  labelSelector?: string;
  /** Only `metadata.name` and `metadata.namespace` (=, ==, !=). Others: 400 BadRequest. */
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  /** Token for the next page, when `limit` cut the list. */
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** "" or "0" (or absent): ADDED for every current match, then live. "N": replay after N, then live. */
  resourceVersion?: string;
  allowBookmarks?: boolean;
  /** Bookmark period in ms (default 10 s). */
  bookmarkIntervalMs?: number;
}

export interface WriteOptions extends AdmitOptions {
  dryRun?: boolean;
  /** Write the status subresource: only `.status` of the input is taken. */
  subresource?: 'status';
  fieldManager?: string;
  /** Admission warnings (e.g. pruned unknown fields) are appended here. */
  warnings?: string[];
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** For `apply`: create the object when it does not exist. Always true for apply. */
  force?: boolean;
}

/**
 * `type` anywhere below is a kind reference the registry resolves: `Resource`, `resources`, `res`,
 * `resources.apphost.dev`.
 */
export interface Store {
  get<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string): T;
  /** Like get, but undefined instead of NotFound. */
  tryGet<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(type: string, options?: ListOptions): ListResult<T>;
  create<T extends KubeObject = KubeObject>(obj: T, options?: WriteOptions): T;
  /** Replace (PUT). A non-empty metadata.resourceVersion must match or 409 Conflict. */
  update<T extends KubeObject = KubeObject>(obj: T, options?: WriteOptions): T;
  patch<T extends KubeObject = KubeObject>(
    type: string,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): { object: T; created: boolean };
  /** Returns the object as it is after the call (with deletionTimestamp while finalizers remain). */
  delete<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string, options?: DeleteOptions): T;
  deleteCollection(type: string, options?: ListOptions & DeleteOptions): KubeObject[];
  watch<T extends KubeObject = KubeObject>(type: string, options?: WatchOptions): Observable<WatchEvent<T>>;
  /** The latest global resourceVersion. */
  resourceVersion(): string;
}
