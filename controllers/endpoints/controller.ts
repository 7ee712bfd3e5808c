// endpoints: Resource -> one Endpoint object per endpoint, `<resource>-<endpoint>`, controlled by the
// Resource. Allocates the Endpoint's port (a fixed one as given, a random proxy port, or a proxyless
// port from 10000-32767) and keeps it for the life of the Endpoint, and writes Endpoint status:
// address, port, url, proxied, targets (from the Replicas), readyTargets and the PortAllocated and
// Ready conditions. A fixed port held by another process shows as PortAllocated=False, reason
// PortInUse, naming the holder (from the Proxy's Bound condition, or a probe for proxyless ports);
// the proxies controller retries the bind, and this controller follows the Proxy.
import type { NormalizedEndpoint } from '../../src/api/endpoints.ts';
import { endpointObjectName } from '../../src/api/endpoints.ts';
import type { Condition, Endpoint, EndpointObjectSpec, EndpointStatus, Proxy, Replica, Resource } from '../../src/api/types.ts';
import type { PortAllocator, PortHolder } from '../../src/platform/ports/types.ts';
import { getCondition, setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext, ReconcileResult } from '../../src/runtime/types.ts';
import { endpointUrl, LOCAL_HOST } from '../shared/endpoint-url.ts';
import { ENDPOINT_LABEL, RESOURCE_LABEL } from '../shared/labels.ts';
import { controllerReference, isControlledBy } from '../shared/owners.ts';
import { isDeleting, resourceEndpoints, resourceType } from '../shared/resource-info.ts';
import { PortBook, type PortClaimResult } from './port-book.ts';
import { createInMemoryPortMemory, portMemoryKey, type PortMemory } from './port-memory.ts';
import { endpointTargets, readyTargets } from './targets.ts';

export const PORT_ALLOCATED = 'PortAllocated';
export const READY = 'Ready';
/** How long a port holder lookup is reused. */
const HOLDER_CACHE_MS = 5000;
/** The proxies controller's condition on a Proxy. */
const BOUND = 'Bound';

export interface EndpointsControllerOptions {
  ports: PortAllocator;
  /** How often an endpoint whose port is unavailable is looked at again. Default 1000 ms. */
  retryMs?: number;
  /** Where persistent resources' proxyless ports are remembered across runs. Default: in memory. */
  portMemory?: PortMemory;
}

type ConditionInput = Pick<Condition, 'status' | 'reason' | 'message'>;

export function createEndpointsController(options: EndpointsControllerOptions): ControllerDefinition {
  const { ports } = options;
  const retryMs = options.retryMs ?? 1000;
  const book = new PortBook(ports);
  const memory = options.portMemory ?? createInMemoryPortMemory();

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const owner = `${key.namespace}/${key.name}`;
    const res = await ctx.client.get<Resource>('Resource', key.namespace, key.name);
    if (!res || isDeleting(res)) {
      // Endpoints go with the Resource (ownerReferences); the ports go back to the pool.
      book.releaseOwner(owner);
      return;
    }

    const endpoints = resourceEndpoints(res);
    const wanted = new Map(endpoints.map((ep) => [endpointObjectName(res.metadata.name, ep.name), ep]));
    const existing = (
      await ctx.client.list<Endpoint>('Endpoint', { namespace: key.namespace, labelSelector: `${RESOURCE_LABEL}=${res.metadata.name}` })
    ).filter((e) => isControlledBy(e, res));

    for (const ep of existing) {
      if (!wanted.has(ep.metadata.name) && !isDeleting(ep)) {
        await ctx.client.delete('Endpoint', key.namespace, ep.metadata.name);
      }
    }
    book.releaseOwner(owner, new Set([...wanted.keys()].map((n) => `${key.namespace}/${n}`)));

    const replicas = (
      await ctx.client.list<Replica>('Replica', { namespace: key.namespace, labelSelector: `${RESOURCE_LABEL}=${res.metadata.name}` })
    ).filter((r) => r.spec.resource === res.metadata.name);

    let retry = false;
    for (const [name, ep] of wanted) {
      const current = existing.find((e) => e.metadata.name === name);
      const obj = await ensureEndpoint(ctx, res, name, ep, current);
      if (!obj) continue;
      const again = await writeStatus(ctx, res, obj, ep, replicas, owner);
      retry ||= again;
    }
    return retry ? { requeueAfterMs: retryMs } : undefined;
  }

  /** Create the Endpoint, or bring its spec and labels up to date. Undefined when the name is taken. */
  async function ensureEndpoint(
    ctx: ReconcileContext,
    res: Resource,
    name: string,
    ep: NormalizedEndpoint,
    current: Endpoint | undefined,
  ): Promise<Endpoint | undefined> {
    const spec: EndpointObjectSpec = { ...ep, resource: res.metadata.name };
    const labels = { [RESOURCE_LABEL]: res.metadata.name, [ENDPOINT_LABEL]: ep.name };
    if (!current) {
      const other = await ctx.client.get<Endpoint>('Endpoint', res.metadata.namespace ?? '', name);
      // Ours but without our label (someone edited it): take it back below.
      if (other && isControlledBy(other, res)) current = other;
      else if (other) {
        ctx.log.warn({ endpoint: name }, 'an Endpoint with this name exists and is not controlled by the Resource: leaving it alone');
        return undefined;
      }
    }
    if (!current) {
      return ctx.client.create<Endpoint>({
        apiVersion: res.apiVersion,
        kind: 'Endpoint',
        metadata: { name, namespace: res.metadata.namespace, labels, ownerReferences: [controllerReference(res)] },
        spec,
      });
    }
    if (isDeleting(current)) return undefined;
    const nextLabels = { ...current.metadata.labels, ...labels };
    if (deepEqual(current.spec, spec) && deepEqual(current.metadata.labels, nextLabels)) return current;
    return ctx.client.update<Endpoint>({ ...current, metadata: { ...current.metadata, labels: nextLabels }, spec });
  }

  /** Returns true when the endpoint should be looked at again soon (port not available). */
  async function writeStatus(
    ctx: ReconcileContext,
    res: Resource,
    obj: Endpoint,
    ep: NormalizedEndpoint,
    replicas: Replica[],
    owner: string,
  ): Promise<boolean> {
    const namespace = obj.metadata.namespace ?? '';
    const prev = obj.status ?? {};
    const container = resourceType(res) === 'container';
    const fixed = ep.isProxied ? ep.port : (ep.port ?? ep.targetPort);
    // A persistent resource keeps its allocated proxyless port across runs.
    const memoryKey =
      !ep.isProxied && fixed === undefined && res.spec.lifetime === 'Persistent'
        ? portMemoryKey(namespace, res.metadata.name, ep.name)
        : undefined;
    const remembered = fixed === undefined ? (prev.port ?? (memoryKey ? await memory.get(memoryKey) : undefined)) : undefined;
    const claim: PortClaimResult = await book.claim(`${namespace}/${obj.metadata.name}`, owner, {
      fixed,
      remembered,
      proxyless: !ep.isProxied,
    });
    if (claim.ok && memoryKey) await memory.set(memoryKey, claim.port);

    const targets = endpointTargets(ep.name, replicas, container);
    const readyCount = targets.filter((t) => t.ready).length;
    let portCondition: ConditionInput;
    let readyCondition: ConditionInput;
    let retry = false;

    if (!claim.ok) {
      portCondition = { status: 'False', reason: claim.reason, message: claim.message };
      readyCondition = { status: 'False', reason: claim.reason, message: claim.message };
      retry = true;
    } else if (ep.isProxied) {
      const proxy = await ctx.client.get<Proxy>('Proxy', namespace, obj.metadata.name);
      const bound = getCondition(proxy?.status?.conditions, BOUND);
      if (bound?.status === 'False' && bound.reason === 'PortInUse') {
        const message = await withHolder(bound.message ?? `port ${claim.port} is in use`, claim.port, ctx.now());
        portCondition = { status: 'False', reason: 'PortInUse', message };
        readyCondition = { status: 'False', reason: 'PortInUse', message };
      } else {
        portCondition = { status: 'True', reason: 'Allocated', message: `proxy port ${claim.port}` };
        if (bound?.status !== 'True') {
          readyCondition = {
            status: 'False',
            reason: bound?.reason ?? 'ProxyNotBound',
            message: bound?.message ?? `waiting for the proxy on port ${claim.port}`,
          };
        } else if (readyCount === 0) {
          readyCondition = { status: 'False', reason: 'NoReadyTargets', message: `${readyTargets(targets)} targets ready` };
        } else {
          readyCondition = { status: 'True', reason: 'Ready', message: `${readyTargets(targets)} targets ready` };
        }
      }
    } else {
      portCondition = { status: 'True', reason: 'Allocated', message: `port ${claim.port} (proxyless)` };
      // Nobody of ours runs on a proxyless port yet: say so when someone else holds it.
      const ours = replicas.some((r) => r.status?.state === 'Running' || r.status?.state === 'Starting');
      if (!ours && !container && !(await ports.isFree(claim.port))) {
        const message = await withHolder(`port ${claim.port} is in use`, claim.port, ctx.now());
        portCondition = { status: 'False', reason: 'PortInUse', message };
        retry = true;
      }
      readyCondition =
        portCondition.status === 'False'
          ? { status: 'False', reason: 'PortInUse', message: portCondition.message }
          : readyCount > 0
            ? { status: 'True', reason: 'Ready', message: `${readyTargets(targets)} targets ready` }
            : { status: 'False', reason: 'NoReadyTargets', message: `${readyTargets(targets)} targets ready` };
    }

    // The port is ours again: whoever held it before may not be the one holding it next time.
    if (claim.ok && portCondition.status === 'True') holders.delete(claim.port);
    const now = ctx.now();
    const generation = obj.metadata.generation;
    const before = getCondition(prev.conditions, PORT_ALLOCATED);
    if (portCondition.status === 'False' && (before?.status !== 'False' || before.reason !== portCondition.reason)) {
      void ctx.events.record(res, { type: 'Warning', reason: portCondition.reason ?? 'PortUnavailable', message: `endpoint ${ep.name}: ${portCondition.message ?? 'no port'}`, fieldPath: `endpoints{${ep.name}}`, related: obj });
    }
    let conditions = setCondition(prev.conditions, { type: PORT_ALLOCATED, ...portCondition }, now, generation);
    conditions = setCondition(conditions, { type: READY, ...readyCondition }, now, generation);
    const port = claim.ok ? claim.port : undefined;
    const next: EndpointStatus = {
      address: LOCAL_HOST,
      ...(port !== undefined ? { port, url: endpointUrl(ep.scheme, LOCAL_HOST, port) } : {}),
      proxied: ep.isProxied,
      targets,
      readyTargets: readyTargets(targets),
      conditions,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    const owned: (keyof EndpointStatus)[] = ['address', 'port', 'url', 'proxied', 'targets', 'readyTargets', 'conditions', 'observedGeneration'];
    const patch: Record<string, unknown> = {};
    for (const field of owned) {
      if (!deepEqual(prev[field], next[field])) patch[field] = next[field] ?? null;
    }
    if (Object.keys(patch).length > 0) {
      await ctx.client.patchStatus<Endpoint>('Endpoint', namespace, obj.metadata.name, { status: patch });
    }
    return retry;
  }

  /** Looking a holder up scans /proc (a few hundred ms): remember the answer per port for a while. */
  const holders = new Map<number, { at: number; holder: PortHolder | undefined }>();

  async function withHolder(message: string, port: number, now: Date): Promise<string> {
    if (/held by/.test(message)) return message;
    const cached = holders.get(port);
    let holder: PortHolder | undefined;
    if (cached && now.getTime() - cached.at < HOLDER_CACHE_MS) holder = cached.holder;
    else {
      holder = await ports.findHolder(port).catch(() => undefined);
      holders.set(port, { at: now.getTime(), holder });
    }
    return holder ? `${message} (held by pid ${holder.pid}: ${holder.command})` : message;
  }

  const byResource = (obj: { metadata: { namespace?: string }; spec?: unknown }, name: string | undefined): ObjectKey[] =>
    name ? [{ namespace: obj.metadata.namespace ?? '', name }] : [];

  return {
    name: 'endpoints',
    for: 'Resource',
    owns: ['Endpoint'],
    watches: [
      { type: 'Replica', map: (obj) => byResource(obj, (obj as Replica).spec?.resource) },
      { type: 'Proxy', map: (obj) => byResource(obj, obj.metadata.labels?.[RESOURCE_LABEL]) },
    ],
    reconcile,
    dispose() {
      book.clear();
    },
  };
}
