// The event recorder: what controllers tell the user happened (a replica started, exited with code
// 1, backs off; a port is taken; an image is missing), written as core v1 Events through the
// controller's client, so `kubectl get events`, `kubectl describe` and `apphostctl describe` show
// them. Repeats aggregate as Kubernetes does, one Event per (object, fieldPath, type, reason,
// source) whose count and lastTimestamp grow; unlike Kubernetes the message is not part of that key
// but kept as the latest ("next try in 8 s" replaces "in 4 s" instead of adding an Event per try).
// Recording never fails the caller.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { isApiError } from '../api/status.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client, EventInput, EventRecorder, EventType } from './types.ts';

export type { EventInput, EventRecorder, EventType };

/** What an Event looks like as the recorder writes it (core v1). */
export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  related?: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
}

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  fieldPath?: string;
}

export interface EventRecorderOptions {
  /** Who reports: the controller's name (source.component, reportingComponent). */
  component: string;
  now?: () => Date;
  log?: Logger;
}

const MAX_MESSAGE = 1024;

/** Kubernetes meta/v1 Time: RFC 3339 with second precision. */
function seconds(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function referenceTo(obj: KubeObject, fieldPath?: string): ObjectReference {
  const m = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(fieldPath ? { fieldPath } : {}),
  };
}

export function createEventRecorder(client: Client, options: EventRecorderOptions): EventRecorder {
  const now = options.now ?? (() => new Date());
  const component = options.component;
  /** One write at a time per event name, so repeats count up instead of racing to create. */
  const pending = new Map<string, Promise<void>>();

  const write = async (involved: KubeObject, input: EventInput): Promise<void> => {
    const namespace = involved.metadata.namespace || 'default';
    const type = input.type ?? 'Normal';
    const message = input.message.length > MAX_MESSAGE ? `${input.message.slice(0, MAX_MESSAGE - 3)}...` : input.message;
    const ref = referenceTo(involved, input.fieldPath);
    const name = eventName(ref, type, input.reason, component);
    const at = seconds(now());
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await client.get<CoreEvent>('events', namespace, name);
      try {
        if (existing) {
          await client.patch('events', namespace, name, { count: (existing.count ?? 1) + 1, lastTimestamp: at, message });
        } else {
          const event: CoreEvent = {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name, namespace },
            involvedObject: ref,
            ...(input.related ? { related: referenceTo(input.related) } : {}),
            reason: input.reason,
            message,
            type,
            count: 1,
            firstTimestamp: at,
            lastTimestamp: at,
            source: { component },
            reportingComponent: component,
            reportingInstance: component,
          };
          await client.create(event);
        }
        return;
      } catch (err) {
        // Created meanwhile by someone else, or dropped by the per-namespace cap: look again.
        if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'NotFound')) throw err;
      }
    }
  };

  return {
    record(involved, input) {
      const key = `${involved.metadata.namespace ?? ''}/${involved.kind}/${involved.metadata.name}/${input.fieldPath ?? ''}/${input.reason}`;
      const previous = pending.get(key) ?? Promise.resolve();
      const next = previous
        .then(() => write(involved, input))
        .catch((err: unknown) => options.log?.debug({ err, reason: input.reason }, 'could not record an event'))
        .finally(() => {
          if (pending.get(key) === next) pending.delete(key);
        });
      pending.set(key, next);
      return next;
    },
  };
}

/** `<object>.<hash>`: the same kind of event about the same object always has the same name. */
function eventName(ref: ObjectReference, type: string, reason: string, component: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid, ref.fieldPath, type, reason, component]))
    .digest('hex')
    .slice(0, 16);
  return `${ref.name.slice(0, 200)}.${hash}`;
}
