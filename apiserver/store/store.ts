// The in-memory object store: one global resourceVersion, admission through the registry,
// optimistic concurrency, finalizers and server-side apply. Its tables and indexes are in
// indexes.ts, owner-reference garbage collection in gc.ts, watch fan-out in watch-fanout.ts.
// Everything here is synchronous: a write and the events it emits happen in one turn, so a watch
// that replays history and then goes live never misses or repeats an event.
import type { Observable } from 'rxjs';
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError, errors } from '../../src/api/status.ts';
import { apiVersionOf, type KindInfo, type Registry } from '../../src/api/registry.ts';
import { FOREGROUND, GarbageCollector } from './gc.ts';
import type { StoredEvent } from './history.ts';
import { objectKey, ObjectTables } from './indexes.ts';
import { cloneJson, deepEqual, isPlainObject } from '../../src/api/json.ts';
import { deepFreeze, newUid, rfc3339 } from './objects.ts';
import { applyConfigurationPatch, applyJsonPatch, applyMergePatch } from './patch.ts';
import { decodeContinue, encodeContinue, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { managedFieldsAfterApply, managedFieldsAfterUpdate, type ManagedFieldsEntry } from './managed-fields.ts';
import { NamespaceCaps } from './namespace-caps.ts';
import { NamespaceLifecycle } from './namespaces.ts';
import { WatchFanout } from './watch-fanout.ts';
import type {
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchOptions,
  PatchType,
  Store,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../../src/api/store.ts';

export interface StoreOptions {
  registry: Registry;
  /** Injected clock (timestamps). */
  now?: () => Date;
  /** How many past events watches can resume from. */
  historySize?: number;
  /** How many bytes of past events (about each event's object's JSON length) watches can resume from. Default 4 MiB. */
  historyBytes?: number;
  /** First resourceVersion; by default derived from the clock so it never goes backwards across restarts. */
  initialResourceVersion?: number;
  /** Kind reference -> the most objects one namespace keeps, oldest (by last write) dropped first. Default `{ events: 1000 }`. */
  capPerNamespace?: Record<string, number>;
}

const DEFAULT_CAPS = { events: 1000 };
/** Past events kept for resuming watches: at most this many, and at most this many bytes. */
const DEFAULT_HISTORY = { events: 100_000, bytes: 4 * 1024 * 1024 };

/** Store-internal write options: the managedFields a server-side apply computed. */
type InternalWriteOptions = WriteOptions & { managedFields?: ManagedFieldsEntry[] };

/** Everything except metadata and status: a change here bumps metadata.generation. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return false;
  }
  return true;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

export class MemoryStore implements Store {
  private readonly registry: Registry;
  private readonly now: () => Date;
  private readonly tables: ObjectTables;
  private readonly gc: GarbageCollector;
  private readonly fanout: WatchFanout;
  /** `${kindKey}|${objectKey}` -> field manager -> that manager's last applied configuration. */
  private readonly appliedConfigs = new Map<string, Map<string, unknown>>();
  private readonly caps: NamespaceCaps;
  private readonly namespaces: NamespaceLifecycle;
  private rv: number;

  constructor(options: StoreOptions) {
    this.registry = options.registry;
    this.now = options.now ?? (() => new Date());
    this.rv = options.initialResourceVersion ?? Date.now() * 1000;
    this.tables = new ObjectTables(this.registry);
    const caps = new Map<string, number>();
    for (const [ref, cap] of Object.entries(options.capPerNamespace ?? DEFAULT_CAPS)) {
      const info = this.registry.resolve(ref);
      if (info) caps.set(info.key, cap);
    }
    this.caps = new NamespaceCaps(caps);
    this.namespaces = new NamespaceLifecycle(this.registry, (name) => (this.namespaces.info ? this.tables.get(this.namespaces.info, objectKey(undefined, name)) : undefined));
    // The objects the store starts with (the `default` Namespace) exist before any resourceVersion it hands out.
    for (const obj of this.namespaces.initialObjects(rfc3339(this.now()), String(this.rv))) this.tables.put(this.namespaces.info!, deepFreeze(obj));
    this.gc = new GarbageCollector(this.tables, {
      delete: (kindKey, namespace, name, opts) => this.delete(kindKey, namespace, name, opts),
      commit: (info, current, next) => this.commit(info, current, next),
      remove: (info, obj) => this.remove(info, obj),
    });
    this.fanout = new WatchFanout(
      { current: (info) => this.current(info), resourceVersion: () => this.rv },
      {
        historySize: options.historySize ?? DEFAULT_HISTORY.events,
        historyBytes: options.historyBytes ?? DEFAULT_HISTORY.bytes,
        initialResourceVersion: this.rv,
      },
    );
  }

  // ------------------------------------------------------------------ reads

  resourceVersion(): string {
    return String(this.rv);
  }

  get<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string): T {
    const info = this.kind(type);
    const obj = this.tables.get(info, objectKey(this.ns(info, namespace), name));
    if (!obj) throw errors.notFound(info.plural, info.group, name);
    return obj as T;
  }

  tryGet<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string): T | undefined {
    const info = this.kind(type);
    return this.tables.get(info, objectKey(this.ns(info, namespace), name)) as T | undefined;
  }

  list<T extends KubeObject = KubeObject>(type: string, options: ListOptions = {}): ListResult<T> {
    const info = this.kind(type);
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector, info.selectableFields);
    const namespace = info.namespaced ? options.namespace : undefined;
    let keys = this.tables.keysOf(info);
    if (namespace) {
      const prefix = `${namespace}/`;
      keys = keys.filter((k) => k.startsWith(prefix));
    }
    let start = 0;
    if (options.continue) {
      const after = decodeContinue(options.continue);
      start = keys.findIndex((k) => k > after);
      if (start < 0) start = keys.length;
    }
    const items: T[] = [];
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    let i = start;
    for (; i < keys.length && items.length < limit; i++) {
      const obj = this.tables.get(info, keys[i]!)!;
      if (labels(obj) && fields(obj)) items.push(obj as T);
    }
    const result: ListResult<T> = { items, resourceVersion: this.resourceVersion() };
    if (i < keys.length) {
      let remaining = 0;
      for (let j = i; j < keys.length; j++) {
        const obj = this.tables.get(info, keys[j]!)!;
        if (labels(obj) && fields(obj)) remaining++;
      }
      if (remaining > 0) {
        result.continue = encodeContinue(keys[i - 1]);
        result.remainingItemCount = remaining;
      }
    }
    return result;
  }

  // ------------------------------------------------------------------ writes

  create<T extends KubeObject = KubeObject>(input: T, options: InternalWriteOptions = {}): T {
    const info = this.kindOf(input);
    const draft = this.normalizeInput(input);
    const meta = draft.metadata;
    meta.namespace = this.ns(info, meta.namespace);
    if (!meta.name && typeof meta.generateName === 'string') meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name) {
      throw errors.invalid(info.kind, info.group, '', [
        { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ]);
    }
    if (meta.resourceVersion) {
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    }
    this.namespaces.admitCreate(info, meta.namespace, meta.name);
    const key = objectKey(meta.namespace, meta.name);
    if (this.tables.has(info, key)) throw errors.alreadyExists(info.plural, info.group, meta.name);

    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(this.now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.managedFields;
    // With a status subresource, status is written only through it.
    if (info.hasStatusSubresource) delete draft.status;
    this.namespaces.prepareCreate(info, draft);
    const admitted = this.registry.admit(info, draft, 'CREATE', undefined, options);
    pushWarnings(options, admitted.warnings);
    const obj = admitted.object;
    dropEmptyMaps(obj);
    shareTypeMeta(info, obj);
    if (options.managedFields) obj.metadata.managedFields = options.managedFields;
    if (options.dryRun) return deepFreeze(obj) as T;

    obj.metadata.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    this.tables.put(info, obj);
    this.emit(info, 'ADDED', obj);
    this.gc.collectIfOwnersGone(info, obj);
    this.enforceCap(info, obj);
    return obj as T;
  }

  update<T extends KubeObject = KubeObject>(input: T, options: WriteOptions = {}): T {
    const info = this.kindOf(input);
    const name = input.metadata?.name;
    if (!name) throw errors.badRequest('metadata.name is required');
    const namespace = this.ns(info, input.metadata.namespace);
    const current = this.tables.get(info, objectKey(namespace, name));
    if (!current) throw errors.notFound(info.plural, info.group, name);
    const requested = input.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) {
      throw errors.conflict(
        info.plural,
        info.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    // The status subresource takes only `.status` of the input (admission copies it).
    const draft =
      options.subresource === 'status'
        ? ({ apiVersion: input.apiVersion, kind: input.kind, metadata: {}, ...(input.status !== undefined ? { status: input.status } : {}) } as KubeObject)
        : this.normalizeInput(input);
    return this.replace(info, current, draft, options) as T;
  }

  patch<T extends KubeObject = KubeObject>(
    type: string,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): { object: T; created: boolean } {
    const info = this.kind(type);
    const ns = this.ns(info, namespace);
    const current = this.tables.get(info, objectKey(ns, name));

    if (patchType === 'apply') {
      if (!options.fieldManager) {
        throw errors.badRequest('PatchOptions.fieldManager is required for apply requests');
      }
      if (!isPlainObject(patch)) throw errors.badRequest('apply patch must be an object');
      const applied = patch as KubeObject;
      const configKey = `${info.key}|${objectKey(ns, name)}`;
      const manager = options.fieldManager;
      const remember = () => {
        if (options.dryRun) return;
        let configs = this.appliedConfigs.get(configKey);
        if (!configs) this.appliedConfigs.set(configKey, (configs = new Map()));
        configs.set(manager, cloneJson(applied));
      };
      const managedFields = managedFieldsAfterApply(current, applied, manager, options.force === true, rfc3339(this.now()));
      if (!current) {
        const body = cloneJson(applied);
        body.metadata = { ...(body.metadata ?? {}), name, namespace: ns };
        if (body.metadata.resourceVersion) delete body.metadata.resourceVersion;
        const created = this.create<T>(body as T, { ...options, managedFields });
        remember();
        return { object: created, created: true };
      }
      const previous = this.appliedConfigs.get(configKey)?.get(manager);
      const mergePatch = applyConfigurationPatch(previous, applied, current);
      const object = this.patchExisting<T>(info, current, 'merge', mergePatch, { ...options, managedFields });
      remember();
      return { object, created: false };
    }

    if (!current) throw errors.notFound(info.plural, info.group, name);
    return { object: this.patchExisting<T>(info, current, patchType, patch, options), created: false };
  }

  delete<T extends KubeObject = KubeObject>(
    type: string,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): T {
    const info = this.kind(type);
    const key = objectKey(this.ns(info, namespace), name);
    const current = this.tables.get(info, key);
    if (!current) throw errors.notFound(info.plural, info.group, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(info.plural, info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(
        info.plural,
        info.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    this.namespaces.admitDelete(info, name);
    if (options.dryRun) return current as T;
    const policy = options.propagationPolicy ?? 'Background';

    if (policy === 'Orphan') this.gc.orphanDependents(current);
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && this.gc.mustWaitForDependents(current) && !finalizers.includes(FOREGROUND)) {
      finalizers.push(FOREGROUND);
    }
    if (finalizers.length === 0 && !this.namespaces.holds(info, current)) {
      this.remove(info, current);
      return current as T;
    }
    if (current.metadata.deletionTimestamp && deepEqual(finalizers, current.metadata.finalizers ?? [])) {
      return current as T;
    }
    const marked = cloneJson(current);
    marked.metadata.finalizers = finalizers;
    marked.metadata.deletionTimestamp ??= rfc3339(this.now());
    marked.metadata.deletionGracePeriodSeconds ??= 0;
    this.namespaces.markTerminating(info, marked);
    const result = this.commit(info, current, marked);
    if (finalizers.includes(FOREGROUND)) this.gc.deleteDependents(result, 'Foreground');
    return result as T;
  }

  deleteCollection(type: string, options: ListOptions & DeleteOptions = {}): KubeObject[] {
    this.namespaces.admitDeleteCollection(this.kind(type));
    const { items } = this.list(type, { ...options, limit: undefined, continue: undefined });
    const deleted: KubeObject[] = [];
    for (const item of items) {
      // An earlier deletion in this loop may already have collected this one.
      if (!this.tryGet(type, item.metadata.namespace, item.metadata.name)) continue;
      deleted.push(this.delete(type, item.metadata.namespace, item.metadata.name, options));
    }
    return deleted;
  }

  // ------------------------------------------------------------------ watch

  watch<T extends KubeObject = KubeObject>(type: string, options: WatchOptions = {}): Observable<WatchEvent<T>> {
    return this.fanout.watch<T>(this.kind(type), options);
  }

  // ------------------------------------------------------------------ internals

  private kind(type: string): KindInfo {
    const info = this.registry.resolve(type);
    if (!info) throw new ApiError('NotFound', `the server doesn't have a resource type "${type}"`);
    return info;
  }

  private kindOf(obj: KubeObject): KindInfo {
    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      throw errors.badRequest('Object has no apiVersion or kind');
    }
    if (!isPlainObject(obj.metadata)) throw errors.badRequest('Object has no metadata');
    const info = this.registry.forObject(obj.apiVersion, obj.kind);
    if (!info) {
      throw errors.badRequest(`no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    }
    return info;
  }

  private ns(info: KindInfo, namespace: string | undefined): string | undefined {
    return info.namespaced ? namespace || 'default' : undefined;
  }

  private *current(info: KindInfo): Iterable<KubeObject> {
    for (const key of this.tables.keysOf(info)) yield this.tables.get(info, key)!;
  }

  /**
   * A shallow draft: the store changes only top-level fields and metadata before admission, and
   * admission builds a new deep copy (JSON semantics), so the caller's object is never shared.
   */
  private normalizeInput<T extends KubeObject>(input: T): KubeObject {
    if (!isPlainObject(input.metadata)) throw errors.badRequest('Object has no metadata');
    return { ...input, metadata: { ...input.metadata } };
  }

  private patchExisting<T extends KubeObject>(
    info: KindInfo,
    current: KubeObject,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions & InternalWriteOptions,
  ): T {
    if (patchType !== 'json' && !isPlainObject(patch)) throw errors.badRequest('merge patch must be a JSON object');
    // applyMergePatch copies what it changes and shares the rest with the (frozen) current object;
    // replace() copies before it modifies anything, and admission builds a new object.
    const patched = (patchType === 'json' ? applyJsonPatch(current, patch) : applyMergePatch(current, patch)) as KubeObject;
    if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) {
      throw new ApiError('Invalid', 'the patch removed the object metadata');
    }
    const requested = patched.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) {
      throw errors.conflict(
        info.plural,
        info.group,
        current.metadata.name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    patched.apiVersion = current.apiVersion;
    patched.kind = current.kind;
    return this.replace(info, current, patched, options) as T;
  }

  /** Shared by update and patch: merges immutable and subresource-owned parts, admits, commits. */
  private replace(info: KindInfo, current: KubeObject, draft: KubeObject, options: InternalWriteOptions): KubeObject {
    const statusOnly = options.subresource === 'status';
    let next: KubeObject;
    if (statusOnly) {
      // Shallow copies: admission builds a new object, so the frozen parts of `current` are shared.
      next = { ...current, metadata: { ...current.metadata } };
      if (draft.status === undefined) delete next.status;
      else next.status = draft.status;
    } else {
      // `draft` may share frozen parts with `current` (a merge patch): copy what is modified here.
      next = { ...draft, metadata: { ...draft.metadata } };
      if (info.hasStatusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      if (draft.apiVersion !== current.apiVersion || draft.kind !== current.kind) {
        throw errors.badRequest(`apiVersion and kind cannot change (${current.apiVersion} ${current.kind})`);
      }
      const meta = next.metadata;
      const old = current.metadata;
      meta.name = old.name;
      meta.namespace = old.namespace;
      meta.uid = old.uid;
      meta.creationTimestamp = old.creationTimestamp;
      meta.generation = old.generation;
      meta.deletionTimestamp = old.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
      if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
      if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
      delete meta.managedFields;
      if (old.deletionTimestamp) {
        const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
        if (added.length > 0) {
          throw errors.invalid(info.kind, info.group, old.name, [
            { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
          ]);
        }
      }
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    const admitted = this.registry.admit(info, next, 'UPDATE', current, options);
    pushWarnings(options, admitted.warnings);
    const obj = admitted.object;
    dropEmptyMaps(obj);
    shareTypeMeta(info, obj);
    if (!sameContent(obj, current)) obj.metadata.generation = (current.metadata.generation ?? 1) + 1;
    const managedFields = options.managedFields ?? managedFieldsAfterUpdate(current, obj, options.fieldManager, options.subresource, rfc3339(this.now()));
    if (managedFields && managedFields.length > 0) obj.metadata.managedFields = managedFields;
    else delete obj.metadata.managedFields;
    if (deepEqual(obj, current)) return current;
    if (options.dryRun) return deepFreeze(obj);
    const committed = this.commit(info, current, obj);
    if (committed.metadata.deletionTimestamp && (committed.metadata.finalizers ?? []).length === 0 && !this.namespaces.holds(info, committed)) {
      this.remove(info, committed);
    }
    return committed;
  }

  private commit(info: KindInfo, current: KubeObject, next: KubeObject): KubeObject {
    if ((next.metadata.finalizers ?? []).length === 0) delete next.metadata.finalizers;
    next.metadata.resourceVersion = String(++this.rv);
    deepFreeze(next);
    this.tables.put(info, next, current);
    this.emit(info, 'MODIFIED', next, current);
    this.enforceCap(info, next);
    return next;
  }

  private enforceCap(info: KindInfo, written: KubeObject): void {
    for (const victim of this.caps.written(info, written)) this.remove(info, victim);
  }

  private remove(info: KindInfo, obj: KubeObject): void {
    if (!this.tables.remove(info, obj)) return;
    this.caps.removed(info, obj);
    this.appliedConfigs.delete(`${info.key}|${objectKey(obj.metadata.namespace, obj.metadata.name)}`);
    // The DELETED event carries the final state with a fresh resourceVersion, as Kubernetes does.
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.emit(info, 'DELETED', deepFreeze(gone));
    this.gc.deleteDependents(obj, 'Background');
    this.gc.releaseForegroundOwners(obj);
  }

  private emit(info: KindInfo, type: StoredEvent['type'], object: KubeObject, old?: KubeObject): void {
    this.fanout.emit({ rv: this.rv, kindKey: info.key, type, object, old });
  }
}

/** Removing the last label or annotation leaves no `labels: {}` behind, as in Kubernetes. */
function dropEmptyMaps(obj: KubeObject): void {
  const meta = obj.metadata;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
}

/**
 * apiVersion and kind as the registry's strings (equal by then: the kind was found by them), so
 * objects share one copy instead of each keeping the one its request body was parsed into.
 */
function shareTypeMeta(info: KindInfo, obj: KubeObject): void {
  obj.apiVersion = apiVersionOf(info);
  obj.kind = info.kind;
}

function pushWarnings(options: WriteOptions, warnings: string[]): void {
  if (warnings.length > 0) options.warnings?.push(...warnings);
}
