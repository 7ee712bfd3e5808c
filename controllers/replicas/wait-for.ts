// waitFor gating: a resource starts only when each dependency reached its condition. Running: a
// replica of it runs. Healthy: all its desired replicas are ready. Completed: every replica exited
// with code 0 and is not restarting. A dependency that failed (or, for Running/Healthy, finished)
// fails the wait.
import type { Replica, Resource, WaitCondition, WaitForSpec } from '../../src/api/types.ts';
import { inBackoff, willRestart } from './restart-state.ts';
import { desiredReplicas } from '../shared/resource-info.ts';

export type WaitState =
  | { kind: 'satisfied' }
  | { kind: 'waiting'; dependency: string; message: string }
  | { kind: 'failed'; dependency: string; message: string; /** Default DependencyFailed. */ reason?: string };

/** Default condition (the CRD's default for waitFor[].condition, crds/resources.yaml). */
export const DEFAULT_WAIT_CONDITION: WaitCondition = 'Healthy';

export interface Dependency {
  resource?: Resource;
  replicas: Replica[];
}

function completed(rep: Replica): boolean {
  return rep.status?.state === 'Exited' && rep.status.exitCode === 0 && !inBackoff(rep);
}

export function evaluateWait(waitFor: readonly WaitForSpec[], lookup: (name: string) => Dependency): WaitState {
  for (const w of waitFor) {
    const condition = w.condition ?? DEFAULT_WAIT_CONDITION;
    const { resource: dep, replicas } = lookup(w.resource);
    const name = w.resource;
    if (!dep) return { kind: 'waiting', dependency: name, message: `waiting for "${name}" to be ${condition} (it does not exist)` };
    const phase = dep.status?.phase ?? 'Pending';
    const live = replicas.filter((r) => !r.metadata.deletionTimestamp);
    const failedForGood = (r: Replica) => r.status?.state === 'Failed' && !willRestart(r, dep.spec.restartPolicy);
    if (phase === 'Failed') {
      const why = dep.status?.conditions?.find((c) => c.type === 'Ready')?.message;
      return { kind: 'failed', dependency: name, message: `dependency "${name}" failed${why ? `: ${why}` : ''}` };
    }
    let ok: boolean;
    if (condition === 'Completed') {
      if (live.some(failedForGood)) {
        return { kind: 'failed', dependency: name, message: `dependency "${name}" exited with an error before completing` };
      }
      ok = live.length > 0 && live.every(completed);
    } else {
      if (live.length > 0 && live.every((r) => completed(r) || failedForGood(r))) {
        return { kind: 'failed', dependency: name, message: `dependency "${name}" exited before it was ${condition}` };
      }
      ok =
        condition === 'Running'
          ? live.some((r) => r.status?.state === 'Running')
          : desiredReplicas(dep) > 0 && (dep.status?.readyReplicas ?? 0) >= desiredReplicas(dep);
    }
    if (!ok) return { kind: 'waiting', dependency: name, message: `waiting for "${name}" to be ${condition} (it is ${phase})` };
  }
  return { kind: 'satisfied' };
}
