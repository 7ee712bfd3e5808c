// proxies: Proxy object -> a running in-process proxy from the ProxyFactory. Serves any Proxy (ones the
// endpoint-proxies controller makes and ones users create, e.g. a port forward). Backends and policy
// change live; a listen or protocol change re-binds. A failed bind sets Bound=False (reason PortInUse,
// naming the holder) and retries with backoff until it succeeds. Status (address, port, counters) is
// written at most once per statusIntervalMs.
import { readFile } from 'node:fs/promises';
import type { Proxy, ProxyStatus } from '../../src/api/types.ts';
import type { ProxyMetrics } from '../../src/platform/net/proxy-metrics.ts';
import type { ProxyBackend, ProxyFactory, ProxyOptions, RunningProxy, WhenNoBackend } from '../../src/platform/net/types.ts';
import type { PortAllocator } from '../../src/platform/ports/types.ts';
import { backoffDelay, type BackoffOptions } from '../../src/runtime/backoff.ts';
import { systemClock, type Clock } from '../../src/runtime/clock.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { TUNNEL_FOR_LABEL } from '../shared/index.ts';
import { describeBindFailure, type BindFailure } from './bind-status.ts';

export const BOUND_CONDITION = 'Bound';
export const BIND_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5_000 };

export interface ProxiesControllerOptions {
  factory: ProxyFactory;
  /** To name the process holding a port (PortInUse messages). */
  ports?: Pick<PortAllocator, 'findHolder'>;
  /** Counters are written at most this often. Default 1000 ms. */
  statusIntervalMs?: number;
  bindBackoff?: BackoffOptions;
  /** Extra options for every proxy (hold limits, UDP idle timeout, logger). */
  proxyDefaults?: Pick<ProxyOptions, 'hold' | 'udpIdleTimeoutMs' | 'logger'>;
  clock?: Clock;
  /** Each running proxy's counters, labelled with the Proxy's namespace and name (/metrics). */
  metrics?: ProxyMetrics;
}

interface Slot {
  uid: string;
  namespace: string;
  /** A container tunnel: the name of the Proxy (and Endpoint) it tunnels to. */
  tunnelFor?: string;
  /** protocol|address|port|allowedClients the proxy was started with; a change re-binds. */
  listenKey: string;
  proxy?: RunningProxy;
  /** Stops reporting the proxy's counters to the metrics. */
  untrack?: () => void;
  backends?: ProxyBackend[];
  policy?: string;
  whenNoBackend?: WhenNoBackend;
  failure?: BindFailure;
  /** Addresses of a `localhost` proxy it could not bind (the others serve), with why. */
  notBound?: BindFailure[];
  attempt: number;
  notBefore: number;
  lastStatusAt: number;
}

export function createProxiesController(options: ProxiesControllerOptions): ControllerDefinition {
  const { factory, ports } = options;
  const clock = options.clock ?? systemClock;
  const statusInterval = options.statusIntervalMs ?? 1000;
  const bindBackoff = options.bindBackoff ?? BIND_BACKOFF;
  const slots = new Map<string, Slot>();

  async function closeSlot(id: string): Promise<void> {
    const slot = slots.get(id);
    slots.delete(id);
    slot?.untrack?.();
    await slot?.proxy?.close();
  }

  /** Where the container tunnels to this proxy listen (`172.18.0.1:5066`). */
  function tunnelsTo(key: ObjectKey): string[] {
    const out: string[] = [];
    for (const s of slots.values()) {
      if (s.proxy && s.tunnelFor === key.name && s.namespace === key.namespace) out.push(...listenAddresses(s.proxy));
    }
    return out.sort();
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const id = `${key.namespace}/${key.name}`;
    const px = await ctx.client.get<Proxy>('Proxy', key.namespace, key.name);
    if (!px || px.metadata.deletionTimestamp) {
      await closeSlot(id);
      return;
    }
    const protocol = px.spec.protocol ?? 'TCP';
    const listen = { address: px.spec.listen?.address || 'localhost', port: px.spec.listen?.port ?? 0 };
    const allowedClients = px.spec.allowedClients;
    const tlsFiles = px.spec.tls;
    const listenKey = `${protocol}|${listen.address}|${listen.port}|${allowedClients?.join(',') ?? '*'}|${tlsFiles ? `${tlsFiles.certFile}|${tlsFiles.keyFile}` : ''}`;
    const backends: ProxyBackend[] = (px.spec.backends ?? []).map((b) => ({ name: b.name, address: b.address, port: b.port, ready: b.ready !== false }));
    const policy = px.spec.policy ?? 'RoundRobin';
    const policyKey = `${policy}|${px.spec.clientIPAffinity ?? false}`;
    const whenNoBackend: WhenNoBackend = px.spec.whenNoBackend ?? 'Hold';

    let slot = slots.get(id);
    if (slot && (slot.uid !== px.metadata.uid || slot.listenKey !== listenKey)) {
      ctx.log.info({ from: slot.listenKey, to: listenKey }, 're-binding proxy');
      await closeSlot(id);
      slot = undefined;
    }
    if (!slot) {
      slot = { uid: px.metadata.uid ?? '', namespace: key.namespace, listenKey, attempt: 0, notBefore: 0, lastStatusAt: 0 };
      slots.set(id, slot);
    }

    const now = clock.now().getTime();
    let requeueAfterMs: number | undefined;
    if (!slot.proxy) {
      if (now < slot.notBefore) requeueAfterMs = slot.notBefore - now;
      else {
        try {
          const tlsPem = tlsFiles ? { cert: await readFile(tlsFiles.certFile, 'utf8'), key: await readFile(tlsFiles.keyFile, 'utf8') } : undefined;
          slot.proxy = await factory.start({
            ...(tlsPem ? { tls: tlsPem } : {}),
            ...options.proxyDefaults,
            listen,
            protocol,
            backends,
            policy,
            whenNoBackend,
            ...(px.spec.clientIPAffinity !== undefined ? { clientIPAffinity: px.spec.clientIPAffinity } : {}),
            ...(allowedClients !== undefined ? { allowedClients } : {}),
          });
          const running = slot.proxy;
          slot.untrack = options.metrics?.track(key.namespace, key.name, () => running.stats());
          slot.backends = backends;
          slot.policy = policyKey;
          slot.whenNoBackend = whenNoBackend;
          const wasInUse = slot.failure?.reason === 'PortInUse';
          slot.failure = undefined;
          slot.attempt = 0;
          // `localhost` with one family held by someone else: serve on the other, say which and why.
          slot.notBound = await Promise.all(slot.proxy.notBound.map((e) => describeBindFailure(e, listen.port, ports)));
          const where = `${slot.proxy.boundAddresses.join(', ')} port ${slot.proxy.port}`;
          // Warnings are what `up` prints: the recovery ends the PortInUse warnings before it.
          if (wasInUse) ctx.log.warn({ port: slot.proxy.port }, `port ${listen.port} is free again: listening on ${where}`);
          if (slot.notBound.length) ctx.log.warn({ port: slot.proxy.port }, `listening on ${where} only; ${slot.notBound.map((f) => f.message).join('; ')}`);
          ctx.log.info({ address: listen.address, port: slot.proxy.port, protocol }, 'proxy listening');
          void ctx.events.record(px, { reason: 'Bound', message: `${protocol} proxy listening on ${slot.proxy.boundAddresses.join(', ')} port ${slot.proxy.port}` });
        } catch (err) {
          slot.failure = await describeBindFailure(err, listen.port, ports);
          const delay = backoffDelay(slot.attempt++, bindBackoff);
          slot.notBefore = clock.now().getTime() + delay;
          requeueAfterMs = delay;
          ctx.log.warn({ reason: slot.failure.reason, retryInMs: delay }, slot.failure.message);
          void ctx.events.record(px, { type: 'Warning', reason: slot.failure.reason, message: `${slot.failure.message}; next try in ${Math.ceil(delay / 1000)} s` });
        }
      }
    } else {
      if (!deepEqual(slot.backends, backends)) {
        slot.proxy.setBackends(backends);
        slot.backends = backends;
      }
      if (slot.policy !== policyKey) {
        slot.proxy.setPolicy(policy, px.spec.clientIPAffinity);
        slot.policy = policyKey;
      }
      if (slot.whenNoBackend !== whenNoBackend) {
        slot.proxy.setWhenNoBackend(whenNoBackend);
        slot.whenNoBackend = whenNoBackend;
      }
    }

    const tunnelFor = px.metadata.labels?.[TUNNEL_FOR_LABEL];
    if (tunnelFor) slot.tunnelFor = tunnelFor;
    else delete slot.tunnelFor;
    const st = px.status ?? {};
    const next = nextStatus(px, slot, tunnelsTo(key), ctx.now());
    if (!deepEqual(next, st)) {
      const countersOnly = deepEqual({ ...next, ...counters(st) }, st);
      const wait = slot.lastStatusAt + statusInterval - clock.now().getTime();
      if (countersOnly && wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
      else {
        await ctx.client.updateStatus<Proxy>({ ...px, status: next });
        slot.lastStatusAt = clock.now().getTime();
      }
    }
    // While it runs, look at the counters again once per interval (they change without an event).
    if (slot.proxy) requeueAfterMs = Math.min(requeueAfterMs ?? statusInterval, statusInterval);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  return {
    name: 'proxies',
    for: 'Proxy',
    concurrency: 8,
    reconcile,
    async dispose() {
      await Promise.all([...slots.keys()].map((id) => closeSlot(id)));
    },
  };
}

/** Status fields that change often and alone are written at most once per interval. */
function counters(st: ProxyStatus): ProxyStatus {
  return {
    // A backends change bumps the generation; seeing it alone is not worth a write per change.
    observedGeneration: st.observedGeneration,
    activeConnections: st.activeConnections,
    totalConnections: st.totalConnections,
    bytesIn: st.bytesIn,
    bytesOut: st.bytesOut,
    failedConnects: st.failedConnects,
    refusedConnections: st.refusedConnections,
    lastError: st.lastError,
  };
}

/** `127.0.0.1:5066`, `[::1]:5066`: every address a running proxy is bound to. */
function listenAddresses(proxy: RunningProxy): string[] {
  return proxy.boundAddresses.map((a) => `${a.includes(':') ? `[${a}]` : a}:${proxy.port}`);
}

/** `<ready>/<all>` of spec.backends, for the BACKENDS column. */
function readyBackends(px: Proxy): string {
  const all = px.spec.backends ?? [];
  return `${all.filter((b) => b.ready !== false).length}/${all.length}`;
}

function nextStatus(px: Proxy, slot: Slot, tunnels: string[], now: Date): ProxyStatus {
  const st = px.status ?? {};
  const {
    address: _a, port: _p, listening: _l, readyBackends: _rb, activeConnections: _ac, totalConnections: _tc, bytesIn: _bi, bytesOut: _bo,
    failedConnects: _fc, refusedConnections: _rc, lastError: _le, ...others
  } = st;
  if (slot.proxy) {
    const s = slot.proxy.stats();
    const own = listenAddresses(slot.proxy);
    const notBound = slot.notBound?.length ? slot.notBound.map((f) => f.message).join('; ') : undefined;
    return {
      ...others,
      phase: 'Listening',
      address: slot.proxy.address,
      port: slot.proxy.port,
      listening: [...own, ...tunnels],
      readyBackends: readyBackends(px),
      activeConnections: s.activeConnections,
      totalConnections: s.totalConnections,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      failedConnects: s.failedConnects,
      ...(s.refusedConnections ? { refusedConnections: s.refusedConnections } : {}),
      ...(s.lastError !== undefined ? { lastError: s.lastError } : notBound ? { lastError: notBound } : {}),
      conditions: setCondition(st.conditions, {
        type: BOUND_CONDITION,
        status: 'True',
        reason: notBound ? 'PartiallyBound' : 'Listening',
        message: `listening on ${slot.proxy.boundAddresses.join(', ')} port ${slot.proxy.port}${tunnels.length ? `; container tunnel on ${tunnels.join(', ')}` : ''}${notBound ? `; not bound: ${notBound}` : ''}`,
      }, now),
      observedGeneration: px.metadata.generation,
    };
  }
  const failure = slot.failure ?? { reason: 'Binding', message: 'not bound yet' };
  return {
    ...others,
    phase: failure.reason === 'PortInUse' ? 'PortInUse' : 'Failed',
    ...(px.spec.listen?.port ? { port: px.spec.listen.port } : {}),
    address: px.spec.listen?.address || 'localhost',
    ...(tunnels.length ? { listening: tunnels } : {}),
    readyBackends: readyBackends(px),
    lastError: failure.message,
    conditions: setCondition(st.conditions, { type: BOUND_CONDITION, status: 'False', reason: failure.reason, message: failure.message }, now),
    observedGeneration: px.metadata.generation,
  };
}
