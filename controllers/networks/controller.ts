// networks: Network objects -> Docker networks. Also keeps the app's default Network object in
// place while the namespace has container Resources (Persistent when any of them is), keeps the
// container tunnel's Proxy objects (one per host-process endpoint, on the gateway, serving only the
// network's subnet; see tunnels.ts), and reports attachments (replica + aliases) in status.
// Session networks are removed when their Network object goes away and when apphost stops;
// persistent ones are kept and reused by name on the next run.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Endpoint, Lifetime, Network, NetworkAttachment, NetworkStatus, Proxy, Resource } from '../../src/api/types.ts';
import { API_VERSION } from '../../src/api/types.ts';
import { isContainerRuntimeError, type ContainerRuntime, type NetworkInfo } from '../../src/platform/docker/index.ts';
import { setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { LABELS, instanceLabels, sanitizeName, type AppIdentity } from '../containers/labels.ts';
import { networkRuntimeName } from '../containers/naming.ts';
import { isControlledBy } from '../shared/index.ts';
import { accepts, desiredTunnels, tunnelSpecMatches, TUNNEL_FOR_LABEL } from './tunnels.ts';

export const NETWORK_FINALIZER = 'apphost.dev/network';
export const DEFAULT_NETWORK = 'default';
/** Label on Network objects this controller created (and may delete). */
export const MANAGED_BY_LABEL = 'apphost.dev/managed-by';
export const READY_CONDITION = 'Ready';

export interface NetworksControllerOptions {
  runtime: ContainerRuntime;
  app: AppIdentity;
  /** Keep the container tunnel's Proxy objects. Default true. */
  tunnel?: boolean;
  /** Name of the app's default Network object. Default `default`. */
  networkName?: string;
  /** Retry interval while Docker is unavailable. Default 5 s. */
  dockerRetryMs?: number;
  logger?: Logger;
  pid?: number;
  hostname?: string;
}

export function createNetworksController(options: NetworksControllerOptions): ControllerDefinition {
  const { runtime, app } = options;
  const networkName = options.networkName ?? DEFAULT_NETWORK;
  const dockerRetryMs = options.dockerRetryMs ?? 5000;
  const labels = instanceLabels(app, options.pid ?? process.pid, options.hostname ?? hostname());
  /** Session networks this instance uses: removed on dispose. */
  const sessionNetworks = new Set<string>();
  /** Session networks replaced by another (lifetime change), removed once empty. */
  const retired = new Set<string>();
  /** Consecutive non-availability failures per network key (retry backoff). */
  const failures = new Map<string, number>();
  /** Last seen generation and Bound condition of each tunnel Proxy (by uid), for the Proxy watch. */
  const tunnelSeen = new Map<string, string>();
  let log: Logger | undefined = options.logger;
  const defaultKey = (ns: string | undefined): ObjectKey[] => [{ namespace: ns ?? 'default', name: networkName }];

  function runtimeNameFor(net: Network): string {
    const lifetime: Lifetime = net.spec?.lifetime ?? 'Session';
    const base = networkRuntimeName(app, lifetime);
    return net.metadata.name === networkName ? base : `${base}-${sanitizeName(net.metadata.name)}`;
  }

  /** The default Network object follows the namespace's container Resources. */
  async function ensureDefaultObject(ns: string, ctx: ReconcileContext): Promise<void> {
    const resources = await ctx.client.list<Resource>('Resource', { namespace: ns });
    const containers = resources.filter((r) => r.spec?.container && !r.metadata.deletionTimestamp);
    const lifetime: Lifetime = containers.some((r) => r.spec.lifetime === 'Persistent') ? 'Persistent' : 'Session';
    const net = await ctx.client.get<Network>('Network', ns, networkName);
    const managed = net?.metadata.labels?.[MANAGED_BY_LABEL] === 'networks';
    if (!net && containers.length > 0) {
      await ctx.client.create<Network>({
        apiVersion: API_VERSION,
        kind: 'Network',
        metadata: { name: networkName, namespace: ns, labels: { [MANAGED_BY_LABEL]: 'networks' } },
        spec: { lifetime, driver: 'bridge', app: app.name },
      });
    } else if (net && managed && !net.metadata.deletionTimestamp) {
      if (containers.length === 0) await ctx.client.delete('Network', ns, networkName);
      else if ((net.spec?.lifetime ?? 'Session') !== lifetime) {
        await ctx.client.patch('Network', ns, networkName, { spec: { lifetime } }, 'merge');
      }
    }
  }

  async function ensureDockerNetwork(net: Network, runtimeName: string): Promise<NetworkInfo> {
    const existing = await runtime.inspectNetwork(runtimeName);
    if (existing) return existing;
    const lifetime = net.spec?.lifetime ?? 'Session';
    try {
      const created = await runtime.createNetwork({
        name: runtimeName,
        driver: net.spec?.driver ?? 'bridge',
        labels: { ...labels, [LABELS.lifetime]: lifetime, [LABELS.namespace]: net.metadata.namespace ?? 'default', 'apphost.dev/network': net.metadata.name },
      });
      log?.info({ network: runtimeName, subnet: created.subnet }, 'network created');
      return created;
    } catch (err) {
      if (!isContainerRuntimeError(err, 'DOCKER_CONFLICT')) throw err;
      const raced = await runtime.inspectNetwork(runtimeName);
      if (!raced) throw err;
      return raced;
    }
  }

  async function removeDockerNetwork(runtimeName: string, force: boolean): Promise<void> {
    const info = await runtime.inspectNetwork(runtimeName);
    if (!info) return;
    if (force) for (const c of Object.keys(info.containers)) await runtime.disconnectNetwork(info.id, c, { force: true });
    await runtime.removeNetwork(info.id);
    sessionNetworks.delete(runtimeName);
    log?.info({ network: runtimeName }, 'network removed');
  }

  async function attachmentsOf(info: NetworkInfo): Promise<NetworkAttachment[]> {
    const out: NetworkAttachment[] = [];
    for (const id of Object.keys(info.containers)) {
      const c = await runtime.inspectContainer(id);
      const replica = c?.labels[LABELS.replica];
      if (!c || !replica) continue;
      const aliases = (c.networks[info.name]?.aliases ?? []).filter((a) => !c.id.startsWith(a));
      out.push({ replica, aliases });
    }
    return out.sort((a, b) => (a.replica < b.replica ? -1 : a.replica > b.replica ? 1 : 0));
  }

  /**
   * Makes the tunnel Proxies of the network match its host-process endpoints. Returns what keeps a
   * tunnel from serving (a bind failure the proxies controller reported), or undefined.
   */
  async function syncTunnels(net: Network, info: NetworkInfo, ctx: ReconcileContext): Promise<string | undefined> {
    const ns = net.metadata.namespace ?? 'default';
    const existing = (await ctx.client.list<Proxy>('Proxy', { namespace: ns })).filter(
      (p) => p.metadata.labels?.[TUNNEL_FOR_LABEL] && isControlledBy(p, net),
    );
    const wanted =
      options.tunnel !== false && info.gateway && info.subnet
        ? desiredTunnels(net, { gateway: info.gateway, subnets: [info.subnet] }, await ctx.client.list<Resource>('Resource', { namespace: ns }), await ctx.client.list<Endpoint>('Endpoint', { namespace: ns }))
        : new Map<string, Proxy>();
    const problems: string[] = [];
    for (const px of existing) {
      const want = wanted.get(px.metadata.name);
      const bound = px.status?.conditions?.find((c) => c.type === 'Bound');
      // A proxyless process bound to every address is reachable on the gateway itself.
      const direct = want && bound?.status === 'False' && bound.reason === 'PortInUse' && want.spec.protocol === 'TCP' && (await accepts(info.gateway!, want.spec.listen.port!));
      if (!want || direct) {
        await ctx.client.delete('Proxy', ns, px.metadata.name);
        tunnelSeen.delete(px.metadata.uid ?? px.metadata.name);
        if (direct) log?.info({ endpoint: px.metadata.labels?.[TUNNEL_FOR_LABEL] }, 'endpoint reachable on the gateway address itself: no tunnel');
      } else if (!tunnelSpecMatches(px.spec, want.spec)) {
        await ctx.client.update<Proxy>({ ...px, spec: { ...px.spec, ...want.spec } });
      } else if (bound?.status === 'False' && bound.reason !== 'Binding') {
        problems.push(`tunnel ${want.spec.listen.address}:${want.spec.listen.port} for ${want.metadata.labels![TUNNEL_FOR_LABEL]}: ${bound.message ?? bound.reason}`);
      }
      wanted.delete(px.metadata.name);
    }
    for (const want of wanted.values()) {
      if (want.spec.protocol === 'TCP' && (await accepts(want.spec.listen.address, want.spec.listen.port!))) continue;
      const clash = await ctx.client.get<Proxy>('Proxy', ns, want.metadata.name);
      if (clash) {
        problems.push(`a Proxy named ${want.metadata.name} exists and is not this network's tunnel`);
        continue;
      }
      await ctx.client.create<Proxy>(want);
    }
    return problems.length ? problems.join('; ') : undefined;
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const tid = `${key.namespace}/${key.name}`;
    if (key.name === networkName) await ensureDefaultObject(key.namespace, ctx);
    const net = await ctx.client.get<Network>('Network', key.namespace, key.name);
    const finalizers = net?.metadata.finalizers ?? [];
    if (!net || net.metadata.deletionTimestamp) {
      // Tunnel Proxies are owned by the Network: they go with it.
      if (!net || !finalizers.includes(NETWORK_FINALIZER)) return;
      const runtimeName = net.status?.runtimeName ?? runtimeNameFor(net);
      if ((net.spec?.lifetime ?? 'Session') === 'Session') {
        try {
          await removeDockerNetwork(runtimeName, false);
        } catch (err) {
          // Containers still attached (being removed by the containers controller): try again shortly.
          if (isContainerRuntimeError(err, 'DOCKER_CONFLICT')) return { requeueAfterMs: 250 };
          if (!isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')) throw err;
        }
      }
      await ctx.client.patch('Network', key.namespace, key.name, {
        metadata: { resourceVersion: net.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== NETWORK_FINALIZER) },
      }, 'merge');
      return;
    }
    let current = net;
    if (!finalizers.includes(NETWORK_FINALIZER)) {
      current = await ctx.client.patch<Network>('Network', key.namespace, key.name, {
        metadata: { resourceVersion: net.metadata.resourceVersion, finalizers: [...finalizers, NETWORK_FINALIZER] },
      }, 'merge');
    }
    const runtimeName = runtimeNameFor(current);
    const prev = current.status ?? {};
    let requeueAfterMs: number | undefined;
    try {
      const info = await ensureDockerNetwork(current, runtimeName);
      if ((current.spec?.lifetime ?? 'Session') === 'Session') sessionNetworks.add(runtimeName);
      if (prev.runtimeName && prev.runtimeName !== runtimeName && sessionNetworks.has(prev.runtimeName)) retired.add(prev.runtimeName);
      // Lifetime changed: an old session network goes once its containers moved off it.
      for (const old of [...retired]) {
        if (old === runtimeName) {
          retired.delete(old);
          continue;
        }
        try {
          await removeDockerNetwork(old, false);
          retired.delete(old);
        } catch (err) {
          if (!isContainerRuntimeError(err, 'DOCKER_CONFLICT')) throw err;
          requeueAfterMs = 1000;
        }
      }
      const tunnelMessage = key.name === networkName ? await syncTunnels(current, info, ctx) : undefined;
      const next: NetworkStatus = {
        ...prev,
        phase: 'Ready',
        runtimeName,
        id: info.id,
        ...(info.subnet ? { subnet: info.subnet } : {}),
        ...(info.gateway ? { gateway: info.gateway } : {}),
        attachments: await attachmentsOf(info),
        conditions: setCondition(
          prev.conditions,
          tunnelMessage
            ? { type: READY_CONDITION, status: 'False', reason: 'TunnelFailed', message: tunnelMessage }
            : { type: READY_CONDITION, status: 'True', reason: 'Created', message: `docker network ${runtimeName}` },
          ctx.now(),
        ),
        observedGeneration: current.metadata.generation,
      };
      if (tunnelMessage) requeueAfterMs ??= 2000;
      if (!deepEqual(next, prev)) await ctx.client.updateStatus<Network>({ ...current, status: next });
    } catch (err) {
      if (!isContainerRuntimeError(err)) throw err;
      // Docker down, or the daemon refused the network (e.g. no free address pool): say so, retry.
      const down = err.code === 'DOCKER_UNAVAILABLE';
      const next: NetworkStatus = {
        ...prev,
        phase: down ? 'Pending' : 'Failed',
        conditions: setCondition(
          prev.conditions,
          { type: READY_CONDITION, status: 'False', reason: down ? 'DockerUnavailable' : 'NetworkFailed', message: err.message },
          ctx.now(),
        ),
      };
      if (!deepEqual(next, prev)) await ctx.client.updateStatus<Network>({ ...current, status: next });
      failures.set(tid, down ? 0 : (failures.get(tid) ?? 0) + 1);
      return { requeueAfterMs: down ? dockerRetryMs : Math.min(1000 * 2 ** (failures.get(tid)! - 1), 30_000) };
    }
    failures.delete(tid);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  return {
    name: 'networks',
    for: 'Network',
    watches: [
      // Tunnel Proxies: their spec or Bound condition, not every counters update (those are frequent).
      {
        type: 'Proxy',
        map: (o) => {
          const owner = o.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Network');
          if (!owner || !o.metadata.labels?.[TUNNEL_FOR_LABEL]) return [];
          const bound = (o.status as Proxy['status'])?.conditions?.find((c) => c.type === 'Bound');
          const state = `${o.metadata.generation}|${bound?.status}|${bound?.reason}|${o.metadata.deletionTimestamp ?? ''}`;
          const uid = o.metadata.uid ?? o.metadata.name;
          if (tunnelSeen.get(uid) === state) return [];
          tunnelSeen.set(uid, state);
          return [{ namespace: o.metadata.namespace ?? 'default', name: owner.name }];
        },
      },
      { type: 'Resource', map: (o) => defaultKey(o.metadata.namespace) },
      { type: 'Endpoint', map: (o) => defaultKey(o.metadata.namespace) },
      { type: 'Replica', map: (o) => ((o.status as { containerId?: string } | undefined)?.containerId ? defaultKey(o.metadata.namespace) : []) },
    ],
    setup(h) {
      log ??= h.log;
    },
    reconcile,
    async dispose() {
      // Shutdown: session networks go (containers still attached are detached: they are session too).
      for (const name of [...sessionNetworks]) {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await removeDockerNetwork(name, true);
            break;
          } catch (err) {
            if (isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')) break;
            log?.warn({ err, network: name, attempt }, 'could not remove network');
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }
    },
  };
}
