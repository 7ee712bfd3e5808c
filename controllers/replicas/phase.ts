// The Resource's phase, from its replicas, its endpoints and what it waits for. One short word for
// tables plus a reason and message for `describe`.
import type { Endpoint, Replica, ResourcePhase, RestartPolicy } from '../../src/api/types.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import type { WaitState } from './wait-for.ts';
import { inBackoff, willRestart } from './restart-state.ts';

export interface PhaseInputs {
  desired: number;
  /** Live (not being deleted) replicas controlled by the resource. */
  replicas: readonly Replica[];
  endpoints: readonly Endpoint[];
  wait?: WaitState;
  /** Why replicas cannot be created yet (an unresolved reference, a port not allocated). */
  blocked?: { reason: string; message: string };
  /** The resource has been Running before (a drop in ready replicas is then Degraded, not Starting). */
  wasRunning: boolean;
  /** spec.stopped: every replica is stopped on purpose, whatever spec.replicas says. */
  stopped?: boolean;
  /** spec.restartPolicy (default Always): whether an ended replica is started again. */
  restartPolicy?: RestartPolicy;
}

export interface PhaseResult {
  phase: ResourcePhase;
  reason: string;
  message: string;
}


function portInTrouble(endpoints: readonly Endpoint[]) {
  return endpoints.map((e) => ({ e, c: getCondition(e.status?.conditions, 'PortAllocated') })).find(({ c }) => c?.status === 'False');
}

export function computePhase(i: PhaseInputs): PhaseResult {
  const restarting = (r: Replica) => willRestart(r, i.restartPolicy);
  // Keeps failing: waiting to restart, or restarted after a failure and not ready again yet. Such a
  // resource is Degraded (CrashLoopBackOff), never Starting, however often it flickers to Running.
  const failing = (r: Replica) => r.status?.ready !== true && (restarting(r) || (r.status?.restarts ?? 0) > 0);
  if (i.stopped) {
    const left = i.replicas.length;
    return {
      phase: 'Stopped',
      reason: 'Stopped',
      message: left > 0 ? `stopping: ${left} replica(s) left` : 'stopped (spec.stopped): start it with `apphostctl start`',
    };
  }
  if (i.wait?.kind === 'failed') return { phase: 'Failed', reason: i.wait.reason ?? 'DependencyFailed', message: i.wait.message };
  if (i.wait?.kind === 'waiting') return { phase: 'Waiting', reason: 'WaitingForDependency', message: i.wait.message };
  // A port someone else holds is the reason, whether the replicas run (behind a proxy that cannot
  // bind) or wait for it (proxyless): Degraded, PortInUse, naming the holder.
  const portProblem = i.desired === 0 ? undefined : portInTrouble(i.endpoints);
  if (i.blocked && !(portProblem && i.blocked.reason === 'PortInUse')) return { phase: 'Pending', reason: i.blocked.reason, message: i.blocked.message };
  if (i.desired === 0) return { phase: 'Stopped', reason: 'ScaledToZero', message: 'replicas is 0' };

  const total = i.replicas.length;
  const ready = i.replicas.filter((r) => r.status?.ready === true).length;
  const finished = i.replicas.filter((r) => !restarting(r) && (r.status?.state === 'Exited' || r.status?.state === 'Failed'));
  if (total > 0 && finished.length === total) {
    const failed = finished.filter((r) => r.status?.state === 'Failed');
    if (failed.length > 0) {
      const r = failed[0]!;
      return {
        phase: 'Failed',
        reason: 'ReplicaFailed',
        message: `${r.metadata.name}: ${r.status?.message ?? `exited with code ${r.status?.exitCode ?? '?'}`}`,
      };
    }
    return { phase: 'Stopped', reason: 'Completed', message: 'all replicas exited with code 0' };
  }

  if (portProblem) {
    return {
      phase: 'Degraded',
      reason: portProblem.c!.reason ?? 'PortNotAllocated',
      message: `endpoint ${portProblem.e.metadata.name}: ${portProblem.c!.message ?? 'port not allocated'}`,
    };
  }
  const counts = `${ready}/${i.desired} replicas ready`;
  if (ready >= i.desired && total >= i.desired) return { phase: 'Running', reason: 'Ready', message: counts };
  const looping = i.replicas.filter(failing);
  if (looping.length > 0) {
    // The one in backoff says best why (its last exit); else one that restarted and is not ready.
    const r = looping.find(inBackoff) ?? looping.find(restarting) ?? looping[0]!;
    const restarts = r.status?.restarts ?? 0;
    const why = r.status?.message ?? getCondition(r.status?.conditions, 'Running')?.message ?? `restarted ${restarts} time(s)`;
    return {
      phase: 'Degraded',
      reason: 'CrashLoopBackOff',
      message: `${counts}; ${r.metadata.name} keeps failing (${restarts} restart${restarts === 1 ? '' : 's'}): ${why}`,
    };
  }
  if (i.wasRunning) return { phase: 'Degraded', reason: 'ReplicasNotReady', message: counts };
  return { phase: 'Starting', reason: 'ReplicasStarting', message: counts };
}
