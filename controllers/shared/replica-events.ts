// Events about a replica are recorded on its Resource (where `kubectl describe resource/api`,
// `kubectl events --for resource/api` and `apphostctl describe` look), with the replica as the
// fieldPath (`replicas{api-0}`) and the related object.
import type { Replica, Resource } from '../../src/api/types.ts';
import type { EventInput, EventRecorder } from '../../src/runtime/types.ts';

export function replicaFieldPath(replicaName: string): string {
  return `replicas{${replicaName}}`;
}

/** Records `event` about `rep` on its Resource (on the Replica itself when the Resource is gone). */
export function recordReplicaEvent(events: EventRecorder, res: Resource | undefined, rep: Replica, event: Omit<EventInput, 'fieldPath' | 'related'>): Promise<void> {
  return events.record(res ?? rep, { ...event, fieldPath: replicaFieldPath(rep.metadata.name), related: rep });
}
