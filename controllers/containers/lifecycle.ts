// A slot's container through its life: create (replacing a stale persistent one), adopt a
// persistent container whose definition matches, recreate on a definition change or when it
// disappeared, start what was only created, restart an exited one by restartPolicy with backoff,
// keep it on the app's network, and remove it (session) or keep it (persistent) when it goes.
import type { Logger } from 'pino';
import type { Replica, Resource } from '../../src/api/types.ts';
import type { ContainerInfo, ContainerRuntime } from '../../src/platform/docker/index.ts';
import { backoffDelay } from '../../src/runtime/backoff.ts';
import type { Clock } from '../../src/runtime/clock.ts';
import type { ReconcileContext } from '../../src/runtime/types.ts';
import { shouldRestart, type RestartBackoffOptions } from '../shared/restart-policy.ts';
import type { DesiredContainer } from './desired.ts';
import { LABELS, type AppIdentity } from './labels.ts';
import { containerName } from './naming.ts';
import type { Slot } from './slots.ts';

export interface ContainerLifecycleDeps {
  runtime: ContainerRuntime;
  app: AppIdentity;
  clock: Clock;
  backoff: RestartBackoffOptions;
  log: () => Logger | undefined;
}

export interface ContainerLifecycle {
  /** Brings the slot's container to the desired definition and running state (or its backoff). */
  ensure(slot: Slot, desired: DesiredContainer, rep: Replica, res: Resource, ctx: ReconcileContext): Promise<{ info: ContainerInfo; requeueAfterMs?: number }>;
  /** On Replica deletion and shutdown: session containers go; persistent ones are kept (they outlive apphost). */
  release(slot: Slot | undefined): Promise<void>;
}

export function createContainerLifecycle(deps: ContainerLifecycleDeps): ContainerLifecycle {
  const { runtime, app, clock, backoff } = deps;

  async function removeContainer(slot: Slot, why: string): Promise<void> {
    if (!slot.containerId) return;
    deps.log()?.info({ container: slot.name, why }, 'removing container');
    slot.logSub?.close();
    slot.logSub = undefined;
    slot.logFor = undefined;
    await runtime.stopContainer(slot.containerId, { graceSeconds: slot.graceSeconds });
    await runtime.removeContainer(slot.containerId, { force: true });
    slot.containerId = undefined;
    slot.key = undefined;
  }

  async function release(slot: Slot | undefined): Promise<void> {
    if (!slot?.containerId) return;
    if (slot.persistent) {
      slot.logSub?.close();
      deps.log()?.info({ container: slot.name }, 'keeping persistent container');
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
    deps.log()?.info({ container: info.name, id: info.id.slice(0, 12), replica: rep.metadata.name }, 'container started');
    return info;
  }

  /** A persistent container left by an earlier run with the same definition: take it over. */
  async function adopt(slot: Slot, desired: DesiredContainer, res: Resource, ctx: ReconcileContext): Promise<ContainerInfo | undefined> {
    const candidate = await runtime.inspectContainer(containerName({ resource: res.metadata.name, lifetime: 'Persistent', app }));
    if (!candidate) return undefined;
    if (candidate.labels[LABELS.lifecycleKey] !== desired.key) {
      ctx.log.info({ container: candidate.name }, 'persistent container definition changed: recreating');
      return undefined;
    }
    ctx.log.info({ container: candidate.name, id: candidate.id.slice(0, 12) }, 'adopted persistent container');
    slot.containerId = candidate.id;
    slot.name = candidate.name;
    slot.key = desired.key;
    if (candidate.running) return candidate;
    await runtime.startContainer(candidate.id);
    return (await runtime.inspectContainer(candidate.id)) ?? candidate;
  }

  /** An exited container: restart it once its backoff has passed, if the policy says so. */
  async function restartExited(slot: Slot, info: ContainerInfo, res: Resource, ctx: ReconcileContext): Promise<{ info: ContainerInfo; requeueAfterMs?: number }> {
    const finished = info.finishedAt ?? '';
    if (slot.handledExit !== finished) {
      slot.handledExit = finished;
      const ranFor = info.startedAt && info.finishedAt ? Date.parse(info.finishedAt) - Date.parse(info.startedAt) : 0;
      const attempt = ranFor >= backoff.resetAfterMs ? 0 : slot.attempt;
      slot.notBefore = (Date.parse(finished) || clock.now().getTime()) + backoffDelay(attempt, backoff);
      slot.attempt = attempt + 1;
    }
    if (!shouldRestart(res.spec.restartPolicy, info.exitCode)) return { info };
    const wait = slot.notBefore - clock.now().getTime();
    if (wait > 0) return { info, requeueAfterMs: wait };
    ctx.log.info({ container: info.name, exitCode: info.exitCode }, 'restarting container');
    await runtime.startContainer(info.id);
    slot.restarts += 1;
    return { info: (await runtime.inspectContainer(info.id)) ?? info };
  }

  async function ensure(slot: Slot, desired: DesiredContainer, rep: Replica, res: Resource, ctx: ReconcileContext): Promise<{ info: ContainerInfo; requeueAfterMs?: number }> {
    let info = slot.containerId ? await runtime.inspectContainer(slot.containerId) : undefined;
    if (!info && slot.persistent && !slot.containerId) info = await adopt(slot, desired, res, ctx);
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
    if (!info.running && (info.state === 'exited' || info.state === 'dead')) return restartExited(slot, info, res, ctx);
    // Running: make sure it is on the network (it may have been recreated under it).
    const net = desired.options.network!;
    if (!info.networks[net.network]) {
      await runtime.connectNetwork(net.network, info.id, { aliases: net.aliases ?? [] });
      info = (await runtime.inspectContainer(info.id)) ?? info;
    }
    return { info };
  }

  return { ensure, release };
}
