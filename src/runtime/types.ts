// The controller contract. Built-in controllers and users' controllers use exactly this API
// (exported from the package as `defineController`). Controllers never import rxjs: all watch
// plumbing lives in the runtime.
import type { Logger } from 'pino';
import type { Condition, KubeObject } from '../api/types.ts';
import type { DeleteOptions, ListOptions, PatchType } from '../api/store.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export interface WatchSpec {
  /** Kind reference: `Resource`, `resources`, `res`, `proxies.apphost.dev`, a user's CRD kind... */
  type: string;
  /** Which keys of the controller's `for` kind to reconcile when an object of `type` changes. */
  map: (obj: KubeObject) => ObjectKey[];
}

export interface ReconcileResult {
  /** Reconcile this key again after this many ms (level-triggered polling, e.g. retrying a bind). */
  requeueAfterMs?: number;
}

/** Typed access to the API. In-process it wraps the store; every write is admitted and validated. */
export interface Client {
  get<T extends KubeObject = KubeObject>(type: string, namespace: string, name: string): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(type: string, options?: ListOptions): Promise<T[]>;
  create<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  /** Replace; fails with ApiError Conflict when metadata.resourceVersion is stale. */
  update<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    type: string,
    namespace: string,
    name: string,
    patch: unknown,
    patchType?: PatchType,
  ): Promise<T>;
  /** Writes only `.status` through the status subresource. */
  updateStatus<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  /**
   * Patches only `.status` through the status subresource (merge patch by default), so several
   * writers of different status fields of one object never conflict.
   */
  patchStatus<T extends KubeObject = KubeObject>(
    type: string,
    namespace: string,
    name: string,
    patch: unknown,
    patchType?: PatchType,
  ): Promise<T>;
  /** Resolves to undefined when the object did not exist. */
  delete(type: string, namespace: string, name: string, options?: DeleteOptions): Promise<KubeObject | undefined>;
}

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  /** Default Normal. */
  type?: EventType;
  /** CamelCase, e.g. Started, Exited, BackOff, PortInUse. */
  reason: string;
  message: string;
  /** The part of the object the event is about, e.g. `replicas{api-0}`. */
  fieldPath?: string;
  /** A second object the event concerns (the Replica of a Resource's event). */
  related?: KubeObject;
}

export interface EventRecorder {
  /** Records (or counts again) an event about `involved`; resolves once written, never rejects. */
  record(involved: KubeObject, event: EventInput): Promise<void>;
}

export interface ReconcileContext {
  client: Client;
  /** Records core v1 Events (reported by this controller) that `kubectl get events` and `describe` show. */
  events: EventRecorder;
  /** Child logger with controller, key and reconcile id. */
  log: Logger;
  /** Aborted when the manager stops. */
  signal: AbortSignal;
  now(): Date;
}

export interface ControllerHooks {
  /** Ask for a reconcile of `key` (now, or after `afterMs`). Safe to call from background work. */
  enqueue(key: ObjectKey, afterMs?: number): void;
  client: Client;
  /** The same recorder the reconcile context has, for background work (a process exit, a probe). */
  events: EventRecorder;
  log: Logger;
}

export interface ControllerDefinition {
  name: string;
  /** The kind whose keys this controller reconciles. */
  for: string;
  /** Kinds whose objects carry a controller ownerReference to a `for` object: a change enqueues the owner. */
  owns?: string[];
  watches?: WatchSpec[];
  /** Parallel workers (different keys); one key never runs twice at once. Default 4. */
  concurrency?: number;
  /** Called once when the manager starts, before any reconcile. */
  setup?(hooks: ControllerHooks): void | Promise<void>;
  /**
   * Read fresh state, treat "not found" as deleted, write only what changed. Throwing retries the key
   * with exponential backoff (5 ms doubling, capped at 30 s); a TerminalError is logged and not retried;
   * an ApiError Conflict requeues at once.
   */
  reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void>;
  /** Called when the manager stops, after the queue drained. */
  dispose?(): void | Promise<void>;
}

export type { Condition };
