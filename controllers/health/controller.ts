// health: probes running replicas and writes Replica status.ready and the Ready condition (only on
// change). A probe loop per running replica runs in the background, fast (startupIntervalMs) until
// the first success and then every intervalMs (or the healthCheck's intervalSeconds); it only
// records results and enqueues the replica when readiness flips. Only reconcile writes.
import type { Replica, ReplicaStatus, Resource } from '../../src/api/types.ts';
import type { ProbeResult, Prober } from '../../src/platform/health/types.ts';
import { systemClock, type Clock, type TimerHandle } from '../../src/runtime/clock.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ControllerHooks, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';
import { recordReplicaEvent } from '../shared/replica-events.ts';
import { probeTarget, type ProbeTarget } from './probe-target.ts';

export const READY_CONDITION = 'Ready';

export interface HealthControllerOptions {
  prober: Prober;
  /** Between probes once the replica has been ready. Default 1000 ms. */
  intervalMs?: number;
  /** Between probes until the first success after a start. Default 50 ms. */
  startupIntervalMs?: number;
  /** Per probe. Default 1000 ms. */
  timeoutMs?: number;
  /**
   * After a start, failing probes are not written for this long (the app is still starting): the
   * replica is simply not ready yet, and one write fewer per replica keeps large start-ups fast.
   * A failure that lasts longer is written with its reason. Default 1000 ms.
   */
  startupQuietMs?: number;
  clock?: Clock;
}

interface Loop {
  /** Identity of what is probed: process (pid/container) and target. A change restarts the loop. */
  identity: string;
  result?: ProbeResult;
  /** Epoch ms the loop started (failures before startedAt + startupQuietMs are not reported). */
  startedAt: number;
  /** Whether reconcile should show the latest result (false while quietly starting up). */
  visible: boolean;
  everReady: boolean;
  timer?: TimerHandle;
  abort: AbortController;
  stopped: boolean;
}

export function createHealthController(options: HealthControllerOptions): ControllerDefinition {
  const { prober } = options;
  const clock = options.clock ?? systemClock;
  const defaultInterval = options.intervalMs ?? 1000;
  const startupInterval = options.startupIntervalMs ?? 50;
  const defaultTimeout = options.timeoutMs ?? 1000;
  const startupQuietMs = options.startupQuietMs ?? 1000;
  const loops = new Map<string, Loop>();
  let hooks: ControllerHooks | undefined;

  function stopLoop(id: string): void {
    const loop = loops.get(id);
    if (!loop) return;
    loop.stopped = true;
    loop.abort.abort();
    if (loop.timer !== undefined) clock.clearTimeout(loop.timer);
    loops.delete(id);
  }

  function startLoop(id: string, key: ObjectKey, identity: string, target: ProbeTarget, res: Resource, pid: number | undefined): Loop {
    const interval = (res.spec.healthCheck?.intervalSeconds ?? 0) > 0 ? res.spec.healthCheck!.intervalSeconds! * 1000 : defaultInterval;
    const timeoutMs = (res.spec.healthCheck?.timeoutSeconds ?? 0) > 0 ? res.spec.healthCheck!.timeoutSeconds! * 1000 : defaultTimeout;
    const loop: Loop = { identity, everReady: false, abort: new AbortController(), stopped: false, startedAt: clock.now().getTime(), visible: false };
    // Once ready, a probe starts every `interval` (start to start) and never outlasts it: a replica
    // that hangs (SIGSTOP, a deadlock: its socket still accepts) fails the next probe and is out of
    // rotation one interval after that probe started, never later.
    const steadyTimeoutMs = Math.min(timeoutMs, interval);
    const tick = async () => {
      loop.timer = undefined;
      const signal = loop.abort.signal;
      const began = clock.now().getTime();
      const steady = loop.everReady;
      const probeTimeoutMs = steady ? steadyTimeoutMs : timeoutMs;
      // A stopped process fails at once (its socket would still accept); else the network probe.
      const stoppedProcess = pid ? await prober.process({ pid }).catch(() => undefined) : undefined;
      // Probers never throw; a bug in one must not become an unhandled rejection here.
      const result: ProbeResult = stoppedProcess && !stoppedProcess.ok ? stoppedProcess : await (target.kind === 'http'
        ? prober.http({ url: target.url, timeoutMs: probeTimeoutMs, signal })
        : prober.tcp({ host: target.host, port: target.port, timeoutMs: probeTimeoutMs, signal, ...(target.protocol ? { protocol: target.protocol } : {}) })
      ).catch((err: unknown) => ({ ok: false, code: 'PROBE_ERROR', message: err instanceof Error ? err.message : String(err) }));
      if (loop.stopped) return;
      const flipped = loop.result?.ok !== result.ok;
      loop.result = result;
      if (result.ok) loop.everReady = true;
      const quiet = !loop.everReady && clock.now().getTime() - loop.startedAt < startupQuietMs;
      if (!quiet && (flipped || !loop.visible)) {
        loop.visible = true;
        hooks?.enqueue(key);
      }
      const wait = loop.everReady ? (steady ? Math.max(0, interval - (clock.now().getTime() - began)) : interval) : startupInterval;
      loop.timer = clock.setTimeout(() => void tick(), wait);
    };
    loops.set(id, loop);
    void tick();
    return loop;
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const id = `${key.namespace}/${key.name}`;
    const rep = await ctx.client.get<Replica>('Replica', key.namespace, key.name);
    if (!rep || rep.metadata.deletionTimestamp) {
      stopLoop(id);
      return;
    }
    const st = rep.status ?? {};
    const runningId = st.state === 'Running' ? (st.pid ? `pid ${st.pid}` : st.containerId ? `container ${st.containerId}` : undefined) : undefined;
    let ready: boolean;
    let reason: string;
    let message: string;
    if (!runningId && st.ready === undefined && !st.conditions?.some((c) => c.type === READY_CONDITION)) {
      // Never started yet: "not ready" goes without saying; nothing to write.
      stopLoop(id);
      return;
    }
    if (!runningId) {
      stopLoop(id);
      ready = false;
      reason = 'NotRunning';
      message = st.state ? `replica is ${st.state}` : 'replica has not started';
    } else {
      const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
      const target = res ? probeTarget(rep, res) : undefined;
      if (!res || !target) {
        stopLoop(id);
        ready = true;
        reason = 'Running';
        message = 'running (no TCP endpoint to probe)';
      } else {
        const identity = `${runningId} ${JSON.stringify(target)}`;
        let loop = loops.get(id);
        if (loop?.identity !== identity) {
          stopLoop(id);
          loop = startLoop(id, key, identity, target, res, st.pid);
        }
        const what = target.kind === 'http' ? `GET ${target.url}` : `tcp ${target.host}:${target.port}`;
        if (!loop.visible && st.ready === undefined) return; // starting up: the first result writes
        if (!loop.result || !loop.visible) {
          ready = false;
          reason = 'Probing';
          message = `waiting for the first probe (${what})`;
        } else {
          ready = loop.result.ok;
          reason = loop.result.ok ? 'ProbeSucceeded' : loop.result.code;
          message = loop.result.ok ? `${what} succeeded` : loop.result.message;
        }
      }
    }
    const next: ReplicaStatus = {
      ...st,
      ready,
      conditions: setCondition(st.conditions, { type: READY_CONDITION, status: ready ? 'True' : 'False', reason, message }, ctx.now()),
    };
    if (deepEqual(next, st)) return;
    await ctx.client.updateStatus<Replica>({ ...rep, status: next });
    // Events for the transitions a user cares about: ready, and ready lost while still running.
    if (ready !== (st.ready === true) && (ready || runningId)) {
      const res = await ctx.client.get<Resource>('Resource', key.namespace, rep.spec.resource);
      const event = ready
        ? { reason: 'Ready', message: `replica ${rep.metadata.name} is ready: ${message}` }
        : { type: 'Warning' as const, reason: 'Unhealthy', message: `replica ${rep.metadata.name} is not ready: ${message}` };
      void recordReplicaEvent(ctx.events, res, rep, event);
    }
  }

  return {
    name: 'health',
    for: 'Replica',
    concurrency: 8,
    setup(h) {
      hooks = h;
    },
    reconcile,
    dispose() {
      for (const id of [...loops.keys()]) stopLoop(id);
    },
  };
}
