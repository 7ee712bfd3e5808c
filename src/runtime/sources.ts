// Watch streams mapped to keys: the `for`, `owns` and `watches` of a controller become one
// Observable of keys to reconcile. This module and manager.ts are the only RxJS in the project.
// What is used, by path: `from 'rxjs'` loads all of RxJS's ~400 modules (see apiserver/store/watch-fanout.ts).
import { Observable } from 'rxjs/internal/Observable';
import { EMPTY } from 'rxjs/internal/observable/empty';
import { defer } from 'rxjs/internal/observable/defer';
import { from } from 'rxjs/internal/observable/from';
import { merge } from 'rxjs/internal/observable/merge';
import { timer } from 'rxjs/internal/observable/timer';
import { catchError } from 'rxjs/internal/operators/catchError';
import { map } from 'rxjs/internal/operators/map';
import { mergeMap } from 'rxjs/internal/operators/mergeMap';
import { retry } from 'rxjs/internal/operators/retry';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import type { Store, WatchEvent } from '../api/store.ts';
import { keyOf, keyToString } from './keys.ts';
import type { ControllerDefinition, ObjectKey } from './types.ts';

export interface KeySourceOptions {
  store: Store;
  type: string;
  toKeys: (obj: KubeObject) => ObjectKey[];
  log: Logger;
  /** Delay before re-subscribing after the watch failed. Default 1 s. */
  retryDelayMs?: number;
  /** Holds `type` while its watch has failed and is not re-subscribed yet (readiness). */
  failing?: Set<string>;
}

/**
 * Keys for every event of `type`. For a MODIFIED or DELETED object the keys it mapped to before are
 * emitted too, so a change that moves an object from one owner to another reconciles both.
 * A failed watch is re-subscribed from scratch (a fresh list, then live), which is what a
 * level-triggered controller needs after missing events.
 */
export function watchKeys(options: KeySourceOptions): Observable<string> {
  const { store, type, toKeys, log } = options;
  const previous = new Map<string, string[]>();
  const mapSafe = (obj: KubeObject): string[] => {
    try {
      return toKeys(obj).map(keyToString);
    } catch (err) {
      log.error({ err, type, object: obj.metadata?.name }, 'watch map function threw; event ignored');
      return [];
    }
  };
  const identity = (obj: KubeObject) => obj.metadata.uid ?? `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

  const events = defer(() => {
    const watch = store.watch(type);
    options.failing?.delete(type);
    return watch;
  }).pipe(
    map((event: WatchEvent) => {
      if (event.type === 'ERROR') {
        const status = event.object as unknown as { message?: string };
        throw new Error(`watch of ${type} ended: ${status.message ?? 'error event'}`);
      }
      return event;
    }),
    retry({
      delay: (err: unknown) => {
        options.failing?.add(type);
        log.warn({ err, type }, 'watch failed; re-subscribing');
        return timer(options.retryDelayMs ?? 1000);
      },
    }),
  );

  return events.pipe(
    mergeMap((event: WatchEvent) => {
      if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') return EMPTY;
      const id = identity(event.object);
      const now = mapSafe(event.object);
      const before = previous.get(id) ?? [];
      if (event.type === 'DELETED') previous.delete(id);
      else previous.set(id, now);
      return from([...new Set([...before, ...now])]);
    }),
    catchError((err: unknown) => {
      log.error({ err, type }, 'key source failed');
      return EMPTY;
    }),
  );
}

export interface OwnerMatcher {
  /** True when a controller ownerReference of `ref.kind` / `ref.apiVersion` points at the `for` kind. */
  (ref: { apiVersion: string; kind: string; name: string; uid: string }, namespace: string): boolean;
}

/** Keys of the controller-owner of `obj`, when that owner is of the `for` kind. */
export function ownerKeys(obj: KubeObject, isOwnerKind: OwnerMatcher): ObjectKey[] {
  const namespace = obj.metadata.namespace ?? '';
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref || !isOwnerKind(ref, namespace)) return [];
  return [{ namespace, name: ref.name }];
}

/** All key sources of a controller merged: for, owns (controller ownerReferences), watches (map). */
export function controllerKeys(options: {
  store: Store;
  def: ControllerDefinition;
  isOwnerKind: OwnerMatcher;
  log: Logger;
  retryDelayMs?: number;
  failing?: Set<string>;
}): Observable<string> {
  const { store, def, isOwnerKind, log, retryDelayMs, failing } = options;
  const sources: Observable<string>[] = [
    watchKeys({ store, type: def.for, toKeys: (obj) => [keyOf(obj)], log, retryDelayMs, failing }),
  ];
  for (const type of def.owns ?? []) {
    sources.push(watchKeys({ store, type, toKeys: (obj) => ownerKeys(obj, isOwnerKind), log, retryDelayMs, failing }));
  }
  for (const w of def.watches ?? []) {
    sources.push(watchKeys({ store, type: w.type, toKeys: w.map, log, retryDelayMs, failing }));
  }
  return merge(...sources);
}
