// processes: Replica (of an executable Resource) -> one child process in its own process group.
// Starts it with the Replica's effective env and ports, restarts it by the Resource's restartPolicy
// with exponential backoff, restarts it when spec.templateHash changes, and stops it (SIGTERM to the
// group, grace, SIGKILL) before a deleted Replica goes away (finalizer apphost.dev/process).
// Writes Replica status: state, pid, exitCode, restarts, startedAt, finishedAt, ports, env, message
// and the Running condition. Background work (an exit) only records and enqueues.
import { isAbsolute, resolve } from 'node:path';
import type { Condition, Endpoint, Replica, ReplicaStatus, Resource } from '../../src/api/types.ts';
import { endpointObjectName } from '../../src/api/endpoints.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { resourceEndpoints } from '../shared/resource-info.ts';
import { BASE_DIR_ANNOTATION } from '../../src/api/annotations.ts';
import type { ManagedProcess, ProcessExit, ProcessRunner } from '../../src/platform/process/types.ts';
import { systemClock, type Clock } from '../../src/runtime/clock.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ControllerHooks, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { expandVars } from './expand-vars.ts';
import { recordReplicaEvent } from '../shared/replica-events.ts';
import { describeExit, nextRestart, RESTART_BACKOFF, shouldRestart, type RestartBackoffOptions } from '../shared/restart-policy.ts';

export const PROCESS_FINALIZER = 'apphost.dev/process';
/** Annotation (set by the manifest loader) a relative workingDir resolves against. */
/** Condition type this controller owns on Replicas. */
export const RUNNING_CONDITION = 'Running';

export interface ProcessesControllerOptions {
  runner: ProcessRunner;
  /** Where relative working directories resolve when the Resource has no base-dir annotation. */
  baseDir: string;
  /** SIGTERM-to-SIGKILL grace when the Resource sets no stopGracePeriodSeconds. Default 10 s. */
  gracePeriodMs?: number;
  restartBackoff?: RestartBackoffOptions;
  clock?: Clock;
}

interface Slot {
  uid: string;
  proc?: ManagedProcess;
  /** templateHash the running (or last) process was started with. */
  hash?: string;
  restarts: number;
  attempt: number;
  lastExit?: ProcessExit;
  /** How the run before the current one ended (shown while the restarted process runs). */
  previousExit?: ProcessExit;
  finishedAt?: Date;
  /** Epoch ms before which no restart happens. */
  notBefore: number;
  /** Set while this controller stops the process on purpose (no restart on that exit). */
  stopping?: Promise<unknown>;
  /** The Resource (its Endpoints' changes look at this slot again). */
  resource?: string;
  /** Why it is not restarted now: a proxyless port someone else holds. */
  waitingForPort?: string;
}

/** Re-check of a held port when no Endpoint change comes first. */
const PORT_RECHECK_MS = 2000;

export function createProcessesController(options: ProcessesControllerOptions): ControllerDefinition {
  const { runner, baseDir } = options;
  const clock = options.clock ?? systemClock;
  const defaultGraceMs = options.gracePeriodMs ?? 10_000;
  const backoff = options.restartBackoff ?? RESTART_BACKOFF;
  const slots = new Map<string, Slot>();
  let hooks: ControllerHooks | undefined;
  let disposed = false;

  const slotKey = (key: ObjectKey) => `${key.namespace}/${key.name}`;

  function stopSlot(id: string, graceMs: number): Promise<unknown> {
    const slot = slots.get(id);
    const proc = slot?.proc;
    if (!slot || !proc || proc.exit) return slot?.stopping ?? Promise.resolve();
    slot.stopping ??= proc.stop({ graceMs });
    return slot.stopping;
  }

  async function start(id: string, key: ObjectKey, slot: Slot, rep: Replica, res: Resource, ctx: ReconcileContext): Promise<void> {
    const exe = res.spec.executable!;
    const env = effectiveEnv(rep, res);
    const base = res.metadata.annotations?.[BASE_DIR_ANNOTATION] ?? baseDir;
    const cwd = exe.workingDir ? (isAbsolute(exe.workingDir) ? exe.workingDir : resolve(base, exe.workingDir)) : base;
    if (slot.lastExit) slot.restarts += 1;
    slot.previousExit = slot.lastExit ?? slot.previousExit;
    slot.lastExit = undefined;
    slot.finishedAt = undefined;
    slot.stopping = undefined;
    slot.hash = rep.spec.templateHash;
    const vars = new Map(env.map((e) => [e.name, e.value]));
    const proc = await runner.start({
      id,
      command: expandVars(exe.command, vars),
      args: (exe.args ?? []).map((a) => expandVars(a, vars)),
      cwd,
      env: Object.fromEntries(vars),
    });
    slot.proc = proc;
    const replica = rep.metadata.name;
    if (proc.pid) {
      ctx.log.info({ pid: proc.pid, command: exe.command }, 'process started');
      const again = slot.restarts > 0 ? `, restart ${slot.restarts}` : '';
      void recordReplicaEvent(ctx.events, res, rep, { reason: 'Started', message: `replica ${replica} started: ${exe.command} (pid ${proc.pid}${again})` });
    }
    const exited = (exit: ProcessExit): boolean => {
      if (!recordExit(slot, proc, exit)) return false;
      if (slot.stopping) {
        void recordReplicaEvent(ctx.events, res, rep, { reason: 'Killed', message: `replica ${replica} stopped: ${describeExit(exit)}` });
      } else {
        void recordReplicaEvent(ctx.events, res, rep, { type: exit.code === 0 ? 'Normal' : 'Warning', reason: 'Exited', message: `replica ${replica} ${describeExit(exit)}` });
        if (shouldRestart(res.spec.restartPolicy, exit.code)) {
          const delayMs = Math.max(0, slot.notBefore - clock.now().getTime());
          void recordReplicaEvent(ctx.events, res, rep, { type: 'Warning', reason: 'BackOff', message: `back-off restarting replica ${replica}: next try in ${formatMs(delayMs)}` });
        }
      }
      return true;
    };
    // A spawn that failed (command not found) has exited already: record it now, so this very
    // reconcile writes the exit with its backoff (one write per exit, never a Failed without it).
    if (proc.exit) exited(proc.exit);
    void proc.exited.then((exit) => {
      if (slots.get(id) !== slot || slot.proc !== proc) return;
      if (exited(exit) && !disposed) hooks?.enqueue(key);
    });
  }

  /** Records how the slot's process ended and when it may restart; false if already recorded. */
  function recordExit(slot: Slot, proc: ManagedProcess, exit: ProcessExit): boolean {
    if (slot.lastExit === exit) return false;
    const at = clock.now();
    slot.lastExit = exit;
    slot.finishedAt = at;
    if (!slot.stopping) {
      const next = nextRestart(slot.attempt, at.getTime() - proc.startedAt.getTime(), backoff);
      slot.attempt = next.attempt;
      slot.notBefore = at.getTime() + next.delayMs;
    }
    return true;
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const id = slotKey(key);
    let rep = await ctx.client.get<Replica>('Replica', key.namespace, key.name);
    if (!rep) {
      await stopSlot(id, defaultGraceMs);
      slots.delete(id);
      return;
    }
    const finalizers = rep.metadata.finalizers ?? [];
    if (rep.metadata.deletionTimestamp) {
      if (!finalizers.includes(PROCESS_FINALIZER)) return;
      const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
      await stopSlot(id, graceOf(res));
      slots.delete(id);
      await ctx.client.patch('Replica', key.namespace, key.name, {
        metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== PROCESS_FINALIZER) },
      }, 'merge');
      return;
    }
    const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
    if (!res?.spec.executable) return; // containers (or an orphan about to be collected) are not ours
    if (!finalizers.includes(PROCESS_FINALIZER)) {
      rep = await ctx.client.patch<Replica>('Replica', key.namespace, key.name, {
        metadata: { resourceVersion: rep.metadata.resourceVersion, finalizers: [...finalizers, PROCESS_FINALIZER] },
      }, 'merge');
    }

    let slot = slots.get(id);
    if (slot && slot.uid !== rep.metadata.uid) {
      await stopSlot(id, graceOf(res));
      slot = undefined;
    }
    if (!slot) {
      slot = { uid: rep.metadata.uid ?? '', restarts: rep.status?.restarts ?? 0, attempt: 0, notBefore: 0 };
      slots.set(id, slot);
    }
    slot.resource = rep.spec.resource;

    const running = slot.proc !== undefined && slot.proc.exit === undefined;
    const specChanged = slot.hash !== rep.spec.templateHash;
    let requeueAfterMs: number | undefined;
    if (running && specChanged) {
      ctx.log.info({ pid: slot.proc!.pid }, 'template changed: restarting process');
      await stopSlot(id, graceOf(res));
      slot.attempt = 0;
      slot.lastExit = undefined; // a new template is a fresh start, not a restart after an exit
      slot.previousExit = undefined;
      await start(id, key, slot, rep, res, ctx);
    } else if (!running && !slot.proc) {
      await start(id, key, slot, rep, res, ctx);
    } else if (!running && slot.lastExit) {
      const restartNow = specChanged;
      if (restartNow || shouldRestart(res.spec.restartPolicy, slot.lastExit.code)) {
        const wait = restartNow ? 0 : slot.notBefore - clock.now().getTime();
        slot.waitingForPort = wait > 0 ? undefined : await heldPort(ctx, res);
        if (wait > 0) requeueAfterMs = wait;
        else if (slot.waitingForPort) {
          // It would only fail to bind: wait for the port (its Endpoint's change wakes this slot),
          // and start without backoff once it is free.
          slot.attempt = 0;
          requeueAfterMs = PORT_RECHECK_MS;
        } else {
          if (restartNow) slot.attempt = 0;
          await start(id, key, slot, rep, res, ctx);
        }
      }
    }
    // Started just now and already gone (the spawn failed): back off before the next try.
    if (requeueAfterMs === undefined && slot.lastExit && slot.proc?.exit && !slot.stopping && shouldRestart(res.spec.restartPolicy, slot.lastExit.code)) {
      requeueAfterMs = Math.max(1, slot.notBefore - clock.now().getTime());
    }

    await writeStatus(rep, res, slot, requeueAfterMs, ctx);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /** A proxyless endpoint of the resource whose port another process holds (the endpoints controller's PortInUse). */
  async function heldPort(ctx: ReconcileContext, res: Resource): Promise<string | undefined> {
    for (const ep of resourceEndpoints(res).filter((e) => !e.isProxied)) {
      const name = endpointObjectName(res.metadata.name, ep.name);
      const obj = await ctx.client.get<Endpoint>('Endpoint', res.metadata.namespace ?? '', name);
      const c = getCondition(obj?.status?.conditions, 'PortAllocated');
      if (c?.status === 'False' && c.reason === 'PortInUse') return `endpoint ${name}: ${c.message ?? 'port in use'}`;
    }
    return undefined;
  }

  function graceOf(res: Resource | undefined): number {
    const s = res?.spec.stopGracePeriodSeconds;
    return typeof s === 'number' && s >= 0 ? s * 1000 : defaultGraceMs;
  }

  async function writeStatus(rep: Replica, res: Resource, slot: Slot, backoffMs: number | undefined, ctx: ReconcileContext) {
    const now = ctx.now();
    const proc = slot.proc;
    const exit = proc?.exit ?? slot.lastExit;
    const prev = rep.status ?? {};
    const mine: ReplicaStatus = {
      restarts: slot.restarts,
      ports: rep.spec.ports ?? [],
      env: effectiveEnv(rep, res),
    };
    let condition: { status: Condition['status']; reason: string; message: string };
    if (proc && !exit) {
      mine.state = 'Running';
      mine.pid = proc.pid;
      mine.startedAt = proc.startedAt.toISOString();
      condition = { status: 'True', reason: 'Started', message: `pid ${proc.pid}` };
      if (slot.previousExit) mine.message = `restarted; last run: ${describeExit(slot.previousExit)}`;
    } else {
      const ex = exit!;
      mine.state = ex.code === 0 ? 'Exited' : 'Failed';
      if (ex.code !== null) mine.exitCode = ex.code;
      // No pid: nothing runs (a stale pid in `get replicas` would point at nothing, or at another process).
      if (proc?.pid) mine.startedAt = proc.startedAt.toISOString();
      if (slot.finishedAt) mine.finishedAt = slot.finishedAt.toISOString();
      const how = describeExit(ex);
      mine.message = slot.waitingForPort
        ? `${how}; not restarted while ${slot.waitingForPort}`
        : backoffMs !== undefined
          ? `${how}; restarting in ${formatMs(backoffMs)}`
          : how;
      condition = {
        status: 'False',
        reason: slot.waitingForPort ? 'PortInUse' : backoffMs !== undefined ? 'BackOff' : ex.errorCode ? ex.errorCode : ex.code === 0 ? 'Completed' : 'Exited',
        message: mine.message,
      };
    }
    // Fields this controller owns are replaced; the rest (ready, other conditions, ...) is kept.
    const { state: _s, pid: _p, exitCode: _e, restarts: _r, ports: _po, env: _en, startedAt: _st, finishedAt: _f, message: _m, ...others } = prev;
    const next: ReplicaStatus = {
      ...others,
      ...mine,
      conditions: setCondition(prev.conditions, { type: RUNNING_CONDITION, ...condition }, now),
    };
    if (deepEqual(next, prev)) return;
    await ctx.client.updateStatus<Replica>({ ...rep, status: next });
  }

  return {
    name: 'processes',
    for: 'Replica',
    watches: [
      {
        // A held proxyless port freed (or taken): look again at the replicas waiting for it.
        type: 'Endpoint',
        map: (obj) => {
          const ns = obj.metadata.namespace ?? '';
          const resource = (obj as Endpoint).spec?.resource;
          const keys: ObjectKey[] = [];
          for (const [id, slot] of slots) {
            if (slot.resource === resource && slot.waitingForPort && id.startsWith(`${ns}/`)) keys.push({ namespace: ns, name: id.slice(ns.length + 1) });
          }
          return keys;
        },
      },
    ],
    // Starting a process mostly waits (spawn event, crash record on disk): many keys at once.
    concurrency: 32,
    setup(h) {
      hooks = h;
    },
    reconcile,
    async dispose() {
      disposed = true;
      await Promise.all([...slots.keys()].map((id) => stopSlot(id, defaultGraceMs)));
      await runner.stopAll({ graceMs: defaultGraceMs });
      slots.clear();
    },
  };
}

/** The Replica's env plus the variables apphost always sets (the replica and resource names). */
export function effectiveEnv(rep: Replica, res: Resource): { name: string; value: string }[] {
  const own = [
    { name: 'APPHOST_RESOURCE', value: res.metadata.name },
    { name: 'APPHOST_REPLICA', value: rep.metadata.name },
  ];
  const given = rep.spec.env ?? [];
  return [...given, ...own.filter((o) => !given.some((g) => g.name === o.name))];
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)}s` : `${Math.round(ms)}ms`;
}
