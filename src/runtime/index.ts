// The runtime's public surface: everything controllers and the host need. Controllers import from
// here (or the files below) and never from rxjs.
export type {
  Client,
  ControllerDefinition,
  ControllerHooks,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
  WatchSpec,
  Condition,
} from './types.ts';
export { defineController, validateController } from './define-controller.ts';
export { createManager, type Manager, type ManagerOptions, type IdleOptions } from './manager.ts';
export { createStoreClient, type StoreClientOptions } from './store-client.ts';
export { createEventRecorder, type EventRecorder, type EventInput, type EventType, type CoreEvent, type ObjectReference, type EventRecorderOptions } from './events.ts';
export { WorkQueue, type WorkQueueOptions, type WorkQueueStats } from './work-queue.ts';
export { backoffDelay, RECONCILE_BACKOFF, type BackoffOptions } from './backoff.ts';
export { systemClock, createFakeClock, type Clock, type FakeClock, type TimerHandle } from './clock.ts';
export { RuntimeError, TerminalError, isTerminalError, isRuntimeError, type RuntimeErrorCode } from './errors.ts';
export { keyOf, keyToString, parseKey } from './keys.ts';
export {
  setCondition,
  removeCondition,
  getCondition,
  isTrue,
  isFalse,
  type ConditionInput,
} from './conditions.ts';
export { deepEqual } from '../api/json.ts';
export type { ReconcileOutcome } from './reconcile-wrapper.ts';
export type { MetricsRecorder, ControllerSnapshot, ControllerLatencySink, ReconcileResultLabel } from './metrics.ts';
export { promMetricsRecorder } from './prom-metrics.ts';
