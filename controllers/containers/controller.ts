// containers: Replica (of a container Resource) -> one Docker container.
// Creates and starts it on the app's network (aliases: resource name + networkAliases), publishes
// endpoint ports on 127.0.0.1 (proxied: Docker-chosen port; proxyless: the endpoint's port),
// restarts it by restartPolicy with backoff, recreates it when its definition changes, removes it
// (session) when the Replica goes away, and adopts persistent containers whose lifecycle key
// matches. Docker's event stream (no polling) only enqueues; reconcile inspects and writes status:
// containerId, state, exitCode, restarts, ports[].hostPort, env, message and the Running condition.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { LogStore } from '../../src/platform/logs/types.ts';
import type { Endpoint, Network, Replica, Resource } from '../../src/api/types.ts';
import { isContainerRuntimeError, type ContainerInfo, type ContainerRuntime, type Subscription } from '../../src/platform/docker/index.ts';
import { backoffDelay } from '../../src/runtime/backoff.ts';
import { systemClock, type Clock } from '../../src/runtime/clock.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ControllerHooks, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { recordReplicaEvent } from '../shared/replica-events.ts';
import { RESTART_BACKOFF, shouldRestart } from '../shared/restart-policy.ts';
import { desiredContainer, type DesiredContainer } from './desired.ts';
import { LABELS, appSelector, instanceLabels, type AppIdentity } from './labels.ts';
import { createContainerLifecycle } from './lifecycle.ts';
import { removeOrphans, type InstanceAliveCheck } from './orphans.ts';
import {
  containerOutcome,
  dockerUnavailableOutcome,
  nextReplicaStatus,
  pendingOutcome,
  refusedOutcome,
  RUNNING_CONDITION,
  waitingForNetworkOutcome,
  type Outcome,
} from './outcome.ts';
import { SlotTable, type Slot } from './slots.ts';

export const CONTAINER_FINALIZER = 'apphost.dev/container';
export { RUNNING_CONDITION } from './outcome.ts';
/** Name of the Network object all of an app's containers join (created by the networks controller). */
export const DEFAULT_NETWORK = 'default';

export interface ContainersControllerOptions {
  runtime: ContainerRuntime;
  app: AppIdentity;
  /** Relative bind-mount sources resolve here when the Resource has no base-dir annotation. */
  baseDir?: string;
  /** SIGTERM-to-SIGKILL grace when the Resource sets no stopGracePeriodSeconds. Default 10 s. */
  gracePeriodSeconds?: number;
  /** Restart backoff: first delay, cap, and how long a run resets it. */
  restartBackoff?: { baseMs: number; maxMs: number; resetAfterMs: number };
  /** Retry interval while Docker is unavailable. Default 5 s (the event stream's reconnect is faster). */
  dockerRetryMs?: number;
  /** Remove session containers/networks of dead apphost instances at start. Default true. */
  removeOrphans?: boolean;
  isInstanceAlive?: InstanceAliveCheck;
  /** Name of the Network object to join. Default `default`. */
  networkName?: string;
  /** Container output goes here, by `<namespace>/<replica>` (as for processes). */
  logs?: LogStore;
  clock?: Clock;
  logger?: Logger;
  /** For the orphan labels; default process.pid / os.hostname(). */
  pid?: number;
  hostname?: string;
}

export function createContainersController(options: ContainersControllerOptions): ControllerDefinition {
  const { runtime, app } = options;
  const clock = options.clock ?? systemClock;
  const defaultGrace = options.gracePeriodSeconds ?? 10;
  const backoff = options.restartBackoff ?? RESTART_BACKOFF;
  const dockerRetryMs = options.dockerRetryMs ?? 5000;
  const networkName = options.networkName ?? DEFAULT_NETWORK;
  const labels = instanceLabels(app, options.pid ?? process.pid, options.hostname ?? hostname());
  const slots = new SlotTable();
  let hooks: ControllerHooks | undefined;
  let events: Subscription | undefined;
  let log: Logger | undefined = options.logger;
  let disposed = false;
  const lifecycle = createContainerLifecycle({ runtime, app, clock, backoff, log: () => log });
  const enqueueAll = () => {
    for (const k of slots.all()) hooks?.enqueue(k);
  };

  /** Removes the Replica's container (session) or lets it go (persistent), then its finalizer. */
  async function finalize(key: ObjectKey, rep: Replica | undefined, ctx: ReconcileContext): Promise<void> {
    const finalizers = rep?.metadata.finalizers ?? [];
    slots.setWaiting(key, false);
    if (rep && !finalizers.includes(CONTAINER_FINALIZER)) return;
    const slot = slots.get(key);
    const removed = slot?.containerId !== undefined && !slot.persistent;
    await lifecycle.release(slot);
    slots.delete(key);
    if (rep) {
      if (removed) {
        const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
        void recordReplicaEvent(ctx.events, res, rep, { reason: 'Killed', message: `replica ${rep.metadata.name} stopped: container ${slot.name} removed` });
      }
      await ctx.client.patch('Replica', key.namespace, key.name, {
        metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== CONTAINER_FINALIZER) },
      }, 'merge');
    }
  }

  /** The slot of this Replica (a new one for a new uid, the old container released). */
  async function slotFor(key: ObjectKey, rep: Replica, res: Resource, ctx: ReconcileContext): Promise<Slot> {
    let slot = slots.get(key);
    const graceSeconds = res.spec.stopGracePeriodSeconds ?? defaultGrace;
    if (slot && slot.uid !== rep.metadata.uid) {
      await lifecycle.release(slot).catch((err: unknown) => ctx.log.warn({ err }, 'could not remove the previous container'));
      slot = undefined;
    }
    if (!slot) {
      slot = {
        uid: rep.metadata.uid ?? '',
        namespace: key.namespace,
        resource: res.metadata.name,
        persistent: res.spec.lifetime === 'Persistent',
        restarts: rep.status?.restarts ?? 0,
        attempt: 0,
        notBefore: 0,
        graceSeconds,
      };
      slots.set(key, slot);
    }
    slot.graceSeconds = graceSeconds;
    slot.persistent = res.spec.lifetime === 'Persistent';
    return slot;
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    let rep = await ctx.client.get<Replica>('Replica', key.namespace, key.name);
    if (!rep || rep.metadata.deletionTimestamp) return finalize(key, rep, ctx);
    const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
    if (!res?.spec.container) return; // executables (or an orphan about to be collected) are not ours
    slots.track(key.namespace, res.metadata.name, key.name);
    const finalizers = rep.metadata.finalizers ?? [];
    if (!finalizers.includes(CONTAINER_FINALIZER)) {
      rep = await ctx.client.patch<Replica>('Replica', key.namespace, key.name, {
        metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: [...finalizers, CONTAINER_FINALIZER] },
      }, 'merge');
    }
    const slot = await slotFor(key, rep, res, ctx);

    const network = await ctx.client.get<Network>('Network', key.namespace, networkName);
    if (!network?.status?.runtimeName || !network.status.gateway) {
      slots.setWaiting(key, true);
      return writeStatus(rep, ctx, undefined, undefined, waitingForNetworkOutcome(network, networkName));
    }
    slots.setWaiting(key, false);

    const endpoints = new Map(
      (await ctx.client.list<Endpoint>('Endpoint', { namespace: key.namespace }))
        .filter((e) => e.spec.resource === res.metadata.name)
        .map((e) => [e.metadata.name, e]),
    );
    const result = desiredContainer({
      rep,
      res,
      endpoints,
      network: { runtimeName: network.status.runtimeName, gateway: network.status.gateway },
      baseDir: options.baseDir ?? process.cwd(),
      labels,
    });
    if (!result.ok) return writeStatus(rep, ctx, undefined, undefined, pendingOutcome(result.reason, result.message));
    const desired = result.desired;
    const failure = slot.startFailure;
    if (failure) {
      if (failure.key === desired.key) {
        if (!failure.retry) return;
        const wait = slot.notBefore - clock.now().getTime();
        if (wait > 0) return { requeueAfterMs: wait };
        slot.restarts += 1;
        ctx.log.info({ replica: key.name, restarts: slot.restarts }, 'retrying container start');
      } else slot.attempt = 0; // a new definition (a fixed image, say): at once
      slot.startFailure = undefined;
    }
    try {
      const { info, requeueAfterMs } = await lifecycle.ensure(slot, desired, rep, res, ctx);
      followLogs(slot, info, key);
      await writeStatus(rep, ctx, desired, info, containerOutcome(info, requeueAfterMs));
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
    } catch (err) {
      if (isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')) {
        await writeStatus(rep, ctx, desired, undefined, dockerUnavailableOutcome(err.message));
        return { requeueAfterMs: dockerRetryMs };
      }
      if (!isContainerRuntimeError(err)) throw err;
      // The daemon refused (image missing, port taken, bad entrypoint...): as for processes, the
      // restart policy decides, with the same backoff, restarts counted.
      const retry = shouldRestart(res.spec.restartPolicy, 1);
      slot.startFailure = { key: desired.key, retry };
      if (!retry) return writeStatus(rep, ctx, desired, undefined, refusedOutcome(err.code, err.message, undefined));
      const delay = backoffDelay(slot.attempt++, backoff);
      slot.notBefore = clock.now().getTime() + delay;
      await writeStatus(rep, ctx, desired, undefined, refusedOutcome(err.code, err.message, delay));
      return { requeueAfterMs: delay };
    }
  }

  function followLogs(slot: Slot, info: ContainerInfo, key: ObjectKey): void {
    const logs = options.logs;
    if (!logs || !info.running || disposed) return;
    const which = `${info.id}@${info.startedAt ?? ''}`;
    if (slot.logFor === which) return;
    slot.logSub?.close();
    slot.logFor = which;
    const since = info.startedAt ? Math.floor(Date.parse(info.startedAt) / 1000) : undefined;
    const logId = `${key.namespace}/${key.name}`;
    slot.logSub = runtime.logs(info.id, {
      follow: true,
      // An adopted persistent container may have run for days: only its recent output.
      tail: 1000,
      ...(since ? { since } : {}),
      onLine: (l) => logs.append(logId, l.stream, l.line),
    });
  }

  async function writeStatus(
    rep: Replica,
    ctx: ReconcileContext,
    desired: DesiredContainer | undefined,
    info: ContainerInfo | undefined,
    outcome: Outcome,
  ): Promise<void> {
    const prev = rep.status ?? {};
    const slot = slots.get({ namespace: rep.metadata.namespace ?? 'default', name: rep.metadata.name });
    const next = nextReplicaStatus(prev, { desired, info, outcome, restarts: slot?.restarts }, ctx.now());
    if (deepEqual(next, prev)) return;
    await ctx.client.updateStatus<Replica>({ ...rep, status: next });
    if (getCondition(prev.conditions, RUNNING_CONDITION)?.reason !== outcome.reason && outcome.reason !== 'Created') {
      const res = await ctx.client.get<Resource>('Resource', rep.metadata.namespace ?? 'default', rep.spec.resource);
      const normal = outcome.reason === 'Started' || outcome.reason === 'Completed';
      void recordReplicaEvent(ctx.events, res, rep, { type: normal ? 'Normal' : 'Warning', reason: outcome.reason, message: `replica ${rep.metadata.name}: ${outcome.message}` });
    }
  }

  return {
    name: 'containers',
    for: 'Replica',
    concurrency: 8,
    watches: [
      { type: 'Resource', map: (o) => slots.replicasOf(o.metadata.namespace ?? 'default', o.metadata.name) },
      { type: 'Endpoint', map: (o) => slots.replicasOf(o.metadata.namespace ?? 'default', (o.spec as { resource?: string } | undefined)?.resource ?? '') },
      { type: 'Network', map: (o) => slots.affectedBy(o as Network, networkName) },
    ],
    async setup(h) {
      hooks = h;
      log ??= h.log;
      if (options.removeOrphans !== false) {
        try {
          await removeOrphans({ runtime, instanceId: app.instanceId, isAlive: options.isInstanceAlive, logger: log });
        } catch (err) {
          if (!isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')) log.warn({ err }, 'orphan cleanup failed');
        }
      }
      let down = false;
      events = runtime.subscribeEvents({
        labels: appSelector(app),
        onEvent: (e) => {
          if (disposed || e.type !== 'container') return;
          const ns = e.labels[LABELS.namespace];
          const replica = e.labels[LABELS.replica];
          if (ns && replica && ['start', 'die', 'stop', 'destroy', 'oom', 'restart', 'pause', 'unpause'].includes(e.action)) {
            hooks?.enqueue({ namespace: ns, name: replica });
          }
        },
        onError: (err) => {
          // Without containers to run, Docker being absent is no news: the Replica conditions say it when it matters.
          if (!down && slots.size > 0) log?.warn({ code: (err as { code?: string }).code }, `container events: ${err.message}`);
          down = true;
          if (!disposed) enqueueAll();
        },
        onConnected: () => {
          down = false;
          if (!disposed) enqueueAll();
        },
      });
    },
    reconcile,
    async dispose() {
      disposed = true;
      events?.close();
      for (const slot of slots.values()) slot.logSub?.close();
      // Shutdown: session containers go (grace, then kill), persistent ones stay.
      await Promise.all(
        [...slots.values()].map((slot) =>
          lifecycle.release(slot).catch((err: unknown) => log?.warn({ err, container: slot.name }, 'could not remove container')),
        ),
      );
      slots.clear();
    },
  };
}
