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
import type { Condition, Endpoint, Network, Replica, ReplicaStatus, Resource } from '../../src/api/types.ts';
import {
  isContainerRuntimeError,
  type ContainerInfo,
  type ContainerRuntime,
  type Subscription,
} from '../../src/platform/docker/index.ts';
import { backoffDelay } from '../../src/runtime/backoff.ts';
import { systemClock, type Clock } from '../../src/runtime/clock.ts';
import { getCondition, setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ControllerHooks, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { recordReplicaEvent } from '../shared/replica-events.ts';
import { desiredContainer, type DesiredContainer } from './desired.ts';
import { LABELS, appSelector, instanceLabels, type AppIdentity } from './labels.ts';
import { containerName } from './naming.ts';
import { removeOrphans, type InstanceAliveCheck } from './orphans.ts';

export const CONTAINER_FINALIZER = 'apphost.dev/container';
export const RUNNING_CONDITION = 'Running';
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

interface Slot {
  uid: string;
  namespace: string;
  resource: string;
  containerId?: string;
  name?: string;
  key?: string;
  persistent: boolean;
  restarts: number;
  attempt: number;
  /** finishedAt of the exit the backoff was computed for. */
  handledExit?: string;
  notBefore: number;
  graceSeconds: number;
  /**
   * The last create/start the daemon refused (image missing, port taken...), for the definition
   * `key`: retried after `notBefore` when the restart policy allows, else not until the definition
   * changes.
   */
  startFailure?: { key: string; retry: boolean };
  /** `<container id>@<startedAt>` the log stream follows. */
  logFor?: string;
  logSub?: Subscription;
}

type Outcome = { state: ReplicaStatus['state']; reason: string; message: string; status: Condition['status'] };

export function createContainersController(options: ContainersControllerOptions): ControllerDefinition {
  const { runtime, app } = options;
  const clock = options.clock ?? systemClock;
  const defaultGrace = options.gracePeriodSeconds ?? 10;
  const backoff = options.restartBackoff ?? { baseMs: 500, maxMs: 30_000, resetAfterMs: 10_000 };
  const dockerRetryMs = options.dockerRetryMs ?? 5000;
  const networkName = options.networkName ?? DEFAULT_NETWORK;
  const labels = instanceLabels(app, options.pid ?? process.pid, options.hostname ?? hostname());
  const slots = new Map<string, Slot>();
  /** `ns/resource` -> replica names (for Resource / Endpoint watches). */
  const byResource = new Map<string, Set<string>>();
  /** Replicas waiting for the network, by namespace. */
  const waiting = new Map<string, Set<string>>();
  /** Last seen `runtimeName|gateway|deleting` of each namespace's network (Network watch). */
  const networkSeen = new Map<string, string>();
  let hooks: ControllerHooks | undefined;
  let events: Subscription | undefined;
  let log: Logger | undefined = options.logger;
  let disposed = false;

  const id = (k: ObjectKey) => `${k.namespace}/${k.name}`;
  const split = (s: string): ObjectKey => {
    const i = s.indexOf('/');
    return { namespace: s.slice(0, i), name: s.slice(i + 1) };
  };
  const enqueueAll = () => {
    for (const k of slots.keys()) hooks?.enqueue(split(k));
    for (const [ns, names] of waiting) for (const n of names) hooks?.enqueue({ namespace: ns, name: n });
  };
  const setWaiting = (k: ObjectKey, on: boolean) => {
    const set = waiting.get(k.namespace) ?? new Set<string>();
    if (on) set.add(k.name);
    else set.delete(k.name);
    waiting.set(k.namespace, set);
  };

  async function removeContainer(slot: Slot, why: string): Promise<void> {
    if (!slot.containerId) return;
    log?.info({ container: slot.name, why }, 'removing container');
    slot.logSub?.close();
    slot.logSub = undefined;
    slot.logFor = undefined;
    await runtime.stopContainer(slot.containerId, { graceSeconds: slot.graceSeconds });
    await runtime.removeContainer(slot.containerId, { force: true });
    slot.containerId = undefined;
    slot.key = undefined;
  }

  /** On Replica deletion: session containers go; persistent ones are kept (they outlive apphost). */
  async function release(slot: Slot | undefined): Promise<void> {
    if (!slot?.containerId) return;
    if (slot.persistent) {
      slot.logSub?.close();
      log?.info({ container: slot.name }, 'keeping persistent container');
      return;
    }
    await removeContainer(slot, 'replica deleted');
  }

  async function create(slot: Slot, desired: DesiredContainer, rep: Replica, res: Resource): Promise<ContainerInfo> {
    const name = containerName({ resource: res.metadata.name, lifetime: desired.lifetime, app });
    if (slot.persistent) {
      // A leftover with the same name but another definition (or unlabelled): replace it.
      const existing = await runtime.inspectContainer(name);
      if (existing) await runtime.removeContainer(existing.id, { force: true });
    }
    const info = await runtime.runContainer({ ...desired.options, name });
    slot.containerId = info.id;
    slot.name = info.name;
    slot.key = desired.key;
    log?.info({ container: info.name, id: info.id.slice(0, 12), replica: rep.metadata.name }, 'container started');
    return info;
  }

  async function ensure(slot: Slot, desired: DesiredContainer, rep: Replica, res: Resource, ctx: ReconcileContext): Promise<{ info: ContainerInfo; requeueAfterMs?: number }> {
    let info = slot.containerId ? await runtime.inspectContainer(slot.containerId) : undefined;
    if (!info && slot.persistent && !slot.containerId) {
      const candidate = await runtime.inspectContainer(containerName({ resource: res.metadata.name, lifetime: 'Persistent', app }));
      if (candidate && candidate.labels[LABELS.lifecycleKey] === desired.key) {
        ctx.log.info({ container: candidate.name, id: candidate.id.slice(0, 12) }, 'adopted persistent container');
        slot.containerId = candidate.id;
        slot.name = candidate.name;
        slot.key = desired.key;
        info = candidate;
        if (!info.running) {
          await runtime.startContainer(info.id);
          info = (await runtime.inspectContainer(info.id)) ?? info;
        }
      } else if (candidate) {
        ctx.log.info({ container: candidate.name }, 'persistent container definition changed: recreating');
      }
    }
    if (info && slot.key !== desired.key) {
      ctx.log.info({ container: info.name }, 'container definition changed: recreating');
      await removeContainer(slot, 'definition changed');
      slot.attempt = 0;
      slot.handledExit = undefined;
      info = undefined;
    } else if (!info && slot.containerId) {
      ctx.log.warn({ container: slot.name }, 'container disappeared: recreating');
      slot.restarts += 1;
      slot.containerId = undefined;
    }
    if (!info) return { info: await create(slot, desired, rep, res) };

    if (info.state === 'created') {
      await runtime.startContainer(info.id);
      return { info: (await runtime.inspectContainer(info.id)) ?? info };
    }
    if (!info.running && (info.state === 'exited' || info.state === 'dead')) {
      const finished = info.finishedAt ?? '';
      if (slot.handledExit !== finished) {
        slot.handledExit = finished;
        const ranFor = info.startedAt && info.finishedAt ? Date.parse(info.finishedAt) - Date.parse(info.startedAt) : 0;
        const attempt = ranFor >= backoff.resetAfterMs ? 0 : slot.attempt;
        slot.notBefore = (Date.parse(finished) || clock.now().getTime()) + backoffDelay(attempt, backoff);
        slot.attempt = attempt + 1;
      }
      if (shouldRestart(res.spec.restartPolicy, info.exitCode)) {
        const wait = slot.notBefore - clock.now().getTime();
        if (wait > 0) return { info, requeueAfterMs: wait };
        ctx.log.info({ container: info.name, exitCode: info.exitCode }, 'restarting container');
        await runtime.startContainer(info.id);
        slot.restarts += 1;
        return { info: (await runtime.inspectContainer(info.id)) ?? info };
      }
      return { info };
    }
    // Running: make sure it is on the network (it may have been recreated under it).
    const net = desired.options.network!;
    if (!info.networks[net.network]) {
      await runtime.connectNetwork(net.network, info.id, { aliases: net.aliases ?? [] });
      info = (await runtime.inspectContainer(info.id)) ?? info;
    }
    return { info };
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const sid = id(key);
    let rep = await ctx.client.get<Replica>('Replica', key.namespace, key.name);
    const finalizers = rep?.metadata.finalizers ?? [];
    if (!rep || rep.metadata.deletionTimestamp) {
      setWaiting(key, false);
      if (rep && !finalizers.includes(CONTAINER_FINALIZER)) return;
      await release(slots.get(sid));
      const slot = slots.get(sid);
      if (slot) byResource.get(`${slot.namespace}/${slot.resource}`)?.delete(key.name);
      slots.delete(sid);
      if (rep) {
        await ctx.client.patch('Replica', key.namespace, key.name, {
          metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== CONTAINER_FINALIZER) },
        }, 'merge');
      }
      return;
    }
    const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
    if (!res?.spec.container) return; // executables (or an orphan about to be collected) are not ours
    const resKey = `${key.namespace}/${res.metadata.name}`;
    if (!byResource.has(resKey)) byResource.set(resKey, new Set());
    byResource.get(resKey)!.add(key.name);
    if (!finalizers.includes(CONTAINER_FINALIZER)) {
      rep = await ctx.client.patch<Replica>('Replica', key.namespace, key.name, {
        metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: [...finalizers, CONTAINER_FINALIZER] },
      }, 'merge');
    }

    let slot = slots.get(sid);
    const graceSeconds = res.spec.stopGracePeriodSeconds ?? defaultGrace;
    if (slot && slot.uid !== rep.metadata.uid) {
      await release(slot).catch((err: unknown) => ctx.log.warn({ err }, 'could not remove the previous container'));
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
      slots.set(sid, slot);
    }
    slot.graceSeconds = graceSeconds;
    slot.persistent = res.spec.lifetime === 'Persistent';

    const network = await ctx.client.get<Network>('Network', key.namespace, networkName);
    if (!network?.status?.runtimeName || !network.status.gateway) {
      setWaiting(key, true);
      // Docker being down shows on the Network first: say so here too, with the fix.
      const netCondition = network?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
      const down = netCondition?.reason === 'DockerUnavailable';
      const why = netCondition?.message ? `: ${netCondition.message}` : '';
      return writeStatus(rep, ctx, undefined, undefined, {
        state: 'Pending',
        status: 'False',
        reason: down ? 'DockerUnavailable' : 'WaitingForNetwork',
        message: down ? netCondition!.message ?? 'Docker is not available' : `waiting for container network "${networkName}"${why}`,
      });
    }
    setWaiting(key, false);

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
    if (!result.ok) {
      return writeStatus(rep, ctx, undefined, undefined, { state: 'Pending', status: 'False', reason: result.reason, message: result.message });
    }
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
      const { info, requeueAfterMs } = await ensure(slot, desired, rep, res, ctx);
      followLogs(slot, info, key);
      await writeStatus(rep, ctx, desired, info, outcomeOf(info, requeueAfterMs));
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
    } catch (err) {
      if (isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')) {
        await writeStatus(rep, ctx, desired, undefined, { state: 'Pending', status: 'False', reason: 'DockerUnavailable', message: err.message });
        return { requeueAfterMs: dockerRetryMs };
      }
      if (isContainerRuntimeError(err)) {
        // The daemon refused (image missing, port taken, bad entrypoint...): say why, retry with backoff.
        const reasons: Record<string, string> = {
          DOCKER_IMAGE_NOT_FOUND: 'ImageNotFound',
          DOCKER_PORT_IN_USE: 'PortInUse',
          DOCKER_INVALID: 'InvalidSpec',
          DOCKER_CONFLICT: 'NameConflict',
        };
        const reason = reasons[err.code] ?? 'StartFailed';
        // As for processes: the restart policy decides, with the same backoff, restarts counted.
        const retry = shouldRestart(res.spec.restartPolicy, 1);
        slot.startFailure = { key: desired.key, retry };
        if (!retry) {
          await writeStatus(rep, ctx, desired, undefined, { state: 'Failed', status: 'False', reason, message: `${err.message}; not retried (restartPolicy Never)` });
          return;
        }
        const delay = backoffDelay(slot.attempt++, backoff);
        slot.notBefore = clock.now().getTime() + delay;
        await writeStatus(rep, ctx, desired, undefined, { state: 'Failed', status: 'False', reason, message: `${err.message}; retrying in ${Math.ceil(delay / 100) / 10}s` });
        return { requeueAfterMs: delay };
      }
      throw err;
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
    const logId = id(key);
    slot.logSub = runtime.logs(info.id, {
      follow: true,
      // An adopted persistent container may have run for days: only its recent output.
      tail: 1000,
      ...(since ? { since } : {}),
      onLine: (l) => logs.append(logId, l.stream, l.line),
    });
  }

  function outcomeOf(info: ContainerInfo, requeueAfterMs: number | undefined): Outcome {
    if (info.running) return { state: 'Running', status: 'True', reason: 'Started', message: `container ${info.name}` };
    if (info.state === 'created') return { state: 'Starting', status: 'False', reason: 'Created', message: `container ${info.name} created` };
    const how = info.error ? info.error : `exited with code ${info.exitCode}`;
    if (requeueAfterMs !== undefined) {
      return { state: 'Failed', status: 'False', reason: 'BackOff', message: `${how}; restarting in ${Math.ceil(requeueAfterMs / 100) / 10}s` };
    }
    return { state: info.exitCode === 0 ? 'Exited' : 'Failed', status: 'False', reason: info.exitCode === 0 ? 'Completed' : 'Exited', message: how };
  }

  async function writeStatus(
    rep: Replica,
    ctx: ReconcileContext,
    desired: DesiredContainer | undefined,
    info: ContainerInfo | undefined,
    outcome: Outcome,
  ): Promise<void> {
    const prev = rep.status ?? {};
    const slot = slots.get(id({ namespace: rep.metadata.namespace ?? 'default', name: rep.metadata.name }));
    const mine: ReplicaStatus = { state: outcome.state, message: outcome.message, restarts: slot?.restarts ?? prev.restarts ?? 0 };
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
    const next: ReplicaStatus = {
      ...others,
      ...mine,
      conditions: setCondition(prev.conditions, { type: RUNNING_CONDITION, status: outcome.status, reason: outcome.reason, message: outcome.message }, ctx.now()),
    };
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
      { type: 'Resource', map: (o) => [...(byResource.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? [])].map((name) => ({ namespace: o.metadata.namespace ?? 'default', name })) },
      {
        type: 'Endpoint',
        map: (o) => {
          const ns = o.metadata.namespace ?? 'default';
          const resource = (o.spec as { resource?: string } | undefined)?.resource ?? '';
          return [...(byResource.get(`${ns}/${resource}`) ?? [])].map((name) => ({ namespace: ns, name }));
        },
      },
      {
        type: 'Network',
        map: (o) => {
          const ns = o.metadata.namespace ?? 'default';
          if (o.metadata.name !== networkName) return [];
          const keys = [...(waiting.get(ns) ?? [])];
          // Everyone only when what containers depend on changed (not on every attachments update).
          const status = (o.status ?? {}) as Network['status'] & {};
          const seen = `${status.runtimeName ?? ''}|${status.gateway ?? ''}|${o.metadata.deletionTimestamp ?? ''}`;
          if (networkSeen.get(ns) !== seen) {
            networkSeen.set(ns, seen);
            for (const k of slots.keys()) if (k.startsWith(`${ns}/`)) keys.push(k.slice(ns.length + 1));
          }
          return [...new Set(keys)].map((name) => ({ namespace: ns, name }));
        },
      },
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
          release(slot).catch((err: unknown) => log?.warn({ err, container: slot.name }, 'could not remove container')),
        ),
      );
      slots.clear();
    },
  };
}

function shouldRestart(policy: Resource['spec']['restartPolicy'], exitCode: number): boolean {
  switch (policy ?? 'OnFailure') {
    case 'Always':
      return true;
    case 'OnFailure':
      return exitCode !== 0;
    case 'Never':
      return false;
  }
}
