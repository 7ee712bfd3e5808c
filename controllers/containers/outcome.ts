// What the containers controller writes on a Replica, as pure functions of what it saw: the state,
// reason and message of an inspected container, of a start the daemon refused, or of a missing
// network; and the next ReplicaStatus from the previous one.
import type { Condition, Network, ReplicaStatus } from '../../src/api/types.ts';
import type { ContainerInfo } from '../../src/platform/docker/index.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import type { DesiredContainer } from './desired.ts';

export const RUNNING_CONDITION = 'Running';

export interface Outcome {
  state: ReplicaStatus['state'];
  reason: string;
  message: string;
  status: Condition['status'];
}

const seconds = (ms: number) => Math.ceil(ms / 100) / 10;

/** An inspected container; `requeueAfterMs` set while it waits out its restart backoff. */
export function containerOutcome(info: ContainerInfo, requeueAfterMs: number | undefined): Outcome {
  if (info.running) return { state: 'Running', status: 'True', reason: 'Started', message: `container ${info.name}` };
  if (info.state === 'created') return { state: 'Starting', status: 'False', reason: 'Created', message: `container ${info.name} created` };
  const how = info.error ? info.error : `exited with code ${info.exitCode}`;
  if (requeueAfterMs !== undefined) {
    return { state: 'Failed', status: 'False', reason: 'BackOff', message: `${how}; restarting in ${seconds(requeueAfterMs)}s` };
  }
  return { state: info.exitCode === 0 ? 'Exited' : 'Failed', status: 'False', reason: info.exitCode === 0 ? 'Completed' : 'Exited', message: how };
}

const REFUSAL_REASONS: Record<string, string> = {
  DOCKER_IMAGE_NOT_FOUND: 'ImageNotFound',
  DOCKER_PORT_IN_USE: 'PortInUse',
  DOCKER_INVALID: 'InvalidSpec',
  DOCKER_CONFLICT: 'NameConflict',
};

/** The daemon refused to create or start the container (image missing, port taken, bad entrypoint...). */
export function refusedOutcome(code: string, message: string, retryInMs: number | undefined): Outcome {
  const reason = REFUSAL_REASONS[code] ?? 'StartFailed';
  const next = retryInMs === undefined ? 'not retried (restartPolicy Never)' : `retrying in ${seconds(retryInMs)}s`;
  return { state: 'Failed', status: 'False', reason, message: `${message}; ${next}` };
}

/** No usable container network yet; Docker being down shows on the Network first, so say so here. */
export function waitingForNetworkOutcome(network: Network | undefined, networkName: string): Outcome {
  const netCondition = network?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  if (netCondition?.reason === 'DockerUnavailable') {
    return { state: 'Pending', status: 'False', reason: 'DockerUnavailable', message: netCondition.message ?? 'Docker is not available' };
  }
  const why = netCondition?.message ? `: ${netCondition.message}` : '';
  return { state: 'Pending', status: 'False', reason: 'WaitingForNetwork', message: `waiting for container network "${networkName}"${why}` };
}

export function dockerUnavailableOutcome(message: string): Outcome {
  return { state: 'Pending', status: 'False', reason: 'DockerUnavailable', message };
}

export function pendingOutcome(reason: string, message: string): Outcome {
  return { state: 'Pending', status: 'False', reason, message };
}

/**
 * The Replica status after this outcome: what the containers controller owns (state, container,
 * exit, restarts, ports with their published host ports, env, message, the Running condition),
 * everything else of `prev` kept.
 */
export function nextReplicaStatus(
  prev: ReplicaStatus,
  seen: { desired: DesiredContainer | undefined; info: ContainerInfo | undefined; outcome: Outcome; restarts: number | undefined },
  now: Date,
): ReplicaStatus {
  const { desired, info, outcome } = seen;
  const mine: ReplicaStatus = { state: outcome.state, message: outcome.message, restarts: seen.restarts ?? prev.restarts ?? 0 };
  if (info) {
    mine.containerId = info.id;
    if (!info.running) mine.exitCode = info.exitCode;
    if (info.startedAt) mine.startedAt = info.startedAt;
    if (info.finishedAt && !info.running) mine.finishedAt = info.finishedAt;
  }
  if (desired) {
    mine.env = desired.env;
    mine.ports = desired.portsByName.map((p) => {
      const published = info?.running ? info.ports.find((q) => q.containerPort === p.targetPort && q.protocol === p.protocol) : undefined;
      return { name: p.name, targetPort: p.targetPort, ...(published ? { hostPort: published.hostPort } : {}) };
    });
  } else if (prev.ports) {
    mine.ports = prev.ports.map(({ hostPort: _h, ...p }) => p);
  }
  const { state: _s, containerId: _c, exitCode: _e, restarts: _r, ports: _p, env: _en, startedAt: _st, finishedAt: _f, message: _m, ...others } = prev;
  return {
    ...others,
    ...mine,
    conditions: setCondition(prev.conditions, { type: RUNNING_CONDITION, status: outcome.status, reason: outcome.reason, message: outcome.message }, now),
  };
}
