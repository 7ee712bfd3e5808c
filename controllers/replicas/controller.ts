// replicas: Resource -> Replica objects `<resource>-<index>` (controlled by the Resource), each with
// its effective env, its target ports and a template hash. Scales up and down without touching the
// other replicas (scale down removes the highest indices), holds a resource back until its waitFor
// dependencies are ready, and writes the Resource's status: phase, replicas, readyReplicas,
// conditions (Ready, PortsAllocated, DependenciesReady, ReferencesResolved), observedGeneration.
import { endpointObjectName, type NormalizedEndpoint } from '../../src/api/endpoints.ts';
import type {
  Condition,
  Endpoint,
  Replica,
  ReplicaEndpointPort,
  ReplicaSpec,
  Resource,
  ResourceStatus,
} from '../../src/api/types.ts';
import type { PortAllocator } from '../../src/platform/ports/types.ts';
import type { ParameterSource } from '../../src/platform/secrets/types.ts';
import type { DevCertificatePaths, DevCertificates } from '../../src/platform/tls/index.ts';
import { tlsNeeds } from './tls-env.ts';
import { getCondition, setCondition } from '../../src/runtime/conditions.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';
import { REPLICA_INDEX_LABEL, RESOURCE_LABEL } from '../shared/labels.ts';
import { controllerReference, isControlledBy } from '../shared/owners.ts';
import { desiredReplicas, isDeleting, resourceEndpoints, resourceType } from '../shared/resource-info.ts';
import { DependencyIndex } from './dependency-index.ts';
import { envDependencies, replicaEnv, sharedEnv, usesParameters, type EnvInputs, type EnvVarValue } from './env.ts';
import { computePhase } from './phase.ts';
import type { Resolved } from './resolve-endpoint.ts';
import { TargetPortBook } from './target-ports.ts';
import { SyncedSpecs, syncInputs } from './synced-specs.ts';
import { templateHash } from './template-hash.ts';
import { mapLimit } from './map-limit.ts';
import { evaluateWait, type WaitState } from './wait-for.ts';
import { findWaitCycle, formatCycle } from './wait-cycle.ts';

export const READY = 'Ready';
export const PORTS_ALLOCATED = 'PortsAllocated';
export const DEPENDENCIES_READY = 'DependenciesReady';
export const REFERENCES_RESOLVED = 'ReferencesResolved';
/** How many replicas get their ports allocated at once (each allocation binds sockets). */
const PORT_CONCURRENCY = 64;

export interface ReplicasControllerOptions {
  ports: PortAllocator;
  /** Parameter values for valueFrom.parameter and connection strings (default: none configured). */
  parameters?: ParameterSource;
  /** The development certificates for https endpoints (created on first need). */
  devCertificates?: DevCertificates;
}

/** Why replicas could not be brought up to date, and what kind of input is missing. */
type Blocked = { reason: string; message: string; source: 'references' | 'ports' | 'replicas' };

export function createReplicasController(options: ReplicasControllerOptions): ControllerDefinition {
  const targetPorts = new TargetPortBook(options.ports);
  const dependencies = new DependencyIndex();
  const synced = new SyncedSpecs();
  const wasRunning = new Set<string>();

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const id = `${key.namespace}/${key.name}`;
    const res = await ctx.client.get<Resource>('Resource', key.namespace, key.name);
    if (!res || isDeleting(res)) {
      // Replicas go with the Resource (ownerReferences); their ports once they are gone.
      dependencies.remove(id);
      const left = await ownReplicas(ctx, key.namespace, key.name, res);
      targetPorts.releaseGone(id, new Set(left.map((r) => r.metadata.name)));
      synced.forget(id);
      if (!res) wasRunning.delete(id);
      return;
    }
    const ns = key.namespace;
    const waitFor = res.spec.waitFor ?? [];
    dependencies.set(
      id,
      [...envDependencies(res), ...waitFor.map((w) => w.resource)].filter((n) => n !== res.metadata.name).map((n) => `${ns}/${n}`),
    );

    const all = await ownReplicas(ctx, ns, res.metadata.name, res);
    const names = new Set(all.map((r) => r.metadata.name));
    targetPorts.releaseGone(id, names);
    synced.forget(id, names);
    const live = all.filter((r) => !isDeleting(r));
    const endpointList = await ctx.client.list<Endpoint>('Endpoint', { namespace: ns });
    const endpoints = new Map(endpointList.map((e) => [e.metadata.name, e]));
    const ownEndpoints = endpointList.filter((e) => e.spec.resource === res.metadata.name && isControlledBy(e, res));
    const desired = desiredReplicas(res);
    const stopped = res.spec.stopped === true;

    // waitFor gates the first start only; once replicas exist the resource has started. A stopped
    // resource waits for nothing (it is not starting).
    let wait: WaitState | undefined;
    if (!stopped && waitFor.length > 0 && live.length === 0) {
      const deps = new Map<string, { resource?: Resource; replicas: Replica[] }>();
      for (const w of waitFor) {
        const dep = await ctx.client.get<Resource>('Resource', ns, w.resource);
        const reps = dep ? await ownReplicas(ctx, ns, w.resource, dep) : [];
        deps.set(w.resource, { resource: dep, replicas: reps });
      }
      wait = evaluateWait(waitFor, (name) => deps.get(name) ?? { replicas: [] });
      // Checked whenever it cannot start yet: a dependency in the cycle may already show the cycle as Failed.
      if (wait.kind !== 'satisfied') wait = (await waitCycle(ctx, res, deps)) ?? wait;
    }

    let blocked: Blocked | undefined;
    if (!wait || wait.kind === 'satisfied') {
      const resources = new Map<string, Resource>();
      for (const name of envDependencies(res)) {
        const other = name === res.metadata.name ? res : await ctx.client.get<Resource>('Resource', ns, name);
        if (other && !isDeleting(other)) resources.set(name, other);
      }
      let tls: DevCertificatePaths | undefined;
      let tlsProblem: string | undefined;
      if (options.devCertificates && tlsNeeds(res, resources) !== 'none') {
        tls = await options.devCertificates.ensure().catch((err: unknown) => {
          tlsProblem = err instanceof Error ? err.message : String(err);
          return undefined;
        });
      }
      const inputs: EnvInputs = { consumer: res, resources, endpoints, parameters: options.parameters, tls };
      const shared = sharedEnv(inputs);
      if (tlsProblem) blocked = { reason: 'DevCertificatesUnavailable', message: tlsProblem, source: 'references' };
      else if (!shared.ok) blocked = { reason: shared.reason, message: shared.message, source: 'references' };
      else blocked = await syncReplicas(ctx, res, id, desired, live, inputs, shared.value);
    }

    await writeStatus(ctx, res, id, { desired, stopped, wait, blocked, ownEndpoints });
  }

  /** A waitFor cycle through this (not yet started) resource: it and the others in it wait forever. */
  async function waitCycle(ctx: ReconcileContext, res: Resource, deps: Map<string, { resource?: Resource }>): Promise<WaitState | undefined> {
    const ns = res.metadata.namespace ?? '';
    const cycle = await findWaitCycle(res.metadata.name, async (name) => {
      const r = name === res.metadata.name ? res : deps.has(name) ? deps.get(name)!.resource : await ctx.client.get<Resource>('Resource', ns, name);
      if (!r || isDeleting(r)) return undefined;
      return { waitFor: (r.spec.waitFor ?? []).map((w) => w.resource), started: r !== res && (r.status?.replicas ?? 0) > 0 };
    });
    if (!cycle) return undefined;
    return {
      kind: 'failed',
      reason: 'WaitForCycle',
      dependency: cycle[1]!,
      message: `waitFor cycle ${formatCycle(cycle)}: none of them can start; remove one of these waitFor entries`,
    };
  }

  /** Replicas controlled by the resource (all of them, including ones being deleted). */
  async function ownReplicas(ctx: ReconcileContext, ns: string, name: string, res: Resource | undefined): Promise<Replica[]> {
    const list = await ctx.client.list<Replica>('Replica', { namespace: ns, labelSelector: `${RESOURCE_LABEL}=${name}` });
    return list.filter((r) => r.spec.resource === name && (!res || isControlledBy(r, res)));
  }

  /** Create, update and delete Replicas. Returns why replicas could not be brought up to date, if so. */
  async function syncReplicas(
    ctx: ReconcileContext,
    res: Resource,
    id: string,
    desired: number,
    live: Replica[],
    envInputs: EnvInputs,
    shared: EnvVarValue[],
  ): Promise<Blocked | undefined> {
    const ns = res.metadata.namespace ?? '';
    const endpoints = resourceEndpoints(res);
    const byName = new Map(live.map((r) => [r.metadata.name, r]));
    // One fingerprint of everything the desired specs depend on: a replica already checked against
    // it, whose spec has not changed since, needs no new env, ports or hash (per-event work stays
    // proportional to what changed, not to the number of replicas).
    const inputs = syncInputs(res, shared, envInputs.endpoints);
    let blocked: Blocked | undefined;
    let added = 0;

    // Which replicas need a look: missing ones, and ones not synced to these inputs.
    const work: { index: number; name: string; existing?: Replica }[] = [];
    for (let index = 0; index < desired; index++) {
      const name = `${res.metadata.name}-${index}`;
      let existing = byName.get(name);
      if (existing && synced.isSynced(id, existing, inputs) && existing.metadata.labels?.[REPLICA_INDEX_LABEL] === String(index)) continue;
      if (!existing) {
        // Ours but without our label (someone edited it): take it back.
        const other = await ctx.client.get<Replica>('Replica', ns, name);
        if (other && !isDeleting(other) && isControlledBy(other, res)) existing = other;
      }
      work.push({ index, name, existing });
    }
    // Ports first, all at once (allocating one means binding a socket): then every Replica is
    // written in one go, so a scale-up from 0 to N reaches the other controllers as one batch.
    const allPorts = await mapLimit(work, PORT_CONCURRENCY, (w) => replicaPorts(res, id, w.name, endpoints, envInputs.endpoints, w.existing));

    for (const [i, { index, name, existing }] of work.entries()) {
      const ports = allPorts[i]!;
      if (!ports.ok) {
        blocked ??= { reason: ports.reason, message: ports.message, source: 'ports' };
        continue;
      }
      const portMap = new Map(ports.value.map((p) => [p.name, p.targetPort]));
      const env = replicaEnv(envInputs, shared, portMap);
      if (!env.ok) {
        blocked ??= { reason: env.reason, message: env.message, source: 'references' };
        continue;
      }
      const spec: ReplicaSpec = {
        resource: res.metadata.name,
        index,
        env: env.value,
        ports: ports.value,
        templateHash: templateHash(res, env.value, ports.value),
      };
      const labels = { [RESOURCE_LABEL]: res.metadata.name, [REPLICA_INDEX_LABEL]: String(index) };
      if (!existing) {
        if (await ctx.client.get<Replica>('Replica', ns, name)) {
          // A Replica of that name that is not ours (or is still going away): try again later.
          blocked ??= {
            reason: 'ReplicaNameTaken',
            message: `a Replica named ${name} exists and is not controlled by this resource`,
            source: 'replicas',
          };
          continue;
        }
        const created = await ctx.client.create<Replica>({
          apiVersion: res.apiVersion,
          kind: 'Replica',
          metadata: { name, namespace: ns, labels, ownerReferences: [controllerReference(res)] },
          spec,
        });
        synced.markSynced(id, created, inputs);
        added++;
        ctx.log.debug({ replica: name }, 'created replica');
      } else if (!deepEqual(existing.spec, spec) || !deepEqual(existing.metadata.labels, { ...existing.metadata.labels, ...labels })) {
        const updated = await ctx.client.update<Replica>({
          ...existing,
          metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...labels } },
          spec,
        });
        synced.markSynced(id, updated, inputs);
        ctx.log.debug({ replica: name, templateHash: spec.templateHash }, 'updated replica');
      } else {
        synced.markSynced(id, existing, inputs);
      }
    }

    // Scale down: the highest indices go first; the others are not touched.
    const extra = live.filter((r) => r.spec.index >= desired).sort((a, b) => b.spec.index - a.spec.index);
    for (const r of extra) {
      await ctx.client.delete('Replica', ns, r.metadata.name);
      ctx.log.debug({ replica: r.metadata.name }, 'deleted replica (scale down)');
    }
    const now = live.length + added - extra.length;
    if (now !== live.length) {
      void ctx.events.record(res, { reason: 'Scaled', message: `scaled ${now > live.length ? 'up' : 'down'} from ${live.length} to ${now} replica${now === 1 ? '' : 's'}` });
    }
    return blocked;
  }

  /** The ports of one replica, by endpoint: fixed, the endpoint's proxyless port, or allocated. */
  async function replicaPorts(
    res: Resource,
    id: string,
    replica: string,
    endpoints: NormalizedEndpoint[],
    endpointObjects: ReadonlyMap<string, Endpoint>,
    existing: Replica | undefined,
  ): Promise<Resolved<ReplicaEndpointPort[]>> {
    const container = resourceType(res) === 'container';
    const out: ReplicaEndpointPort[] = [];
    const allocated = new Set<string>();
    for (const ep of endpoints) {
      const obj = endpointObjects.get(endpointObjectName(res.metadata.name, ep.name));
      const endpointPort = obj?.status?.port;
      if (container) {
        const targetPort = ep.targetPort ?? ep.port;
        if (targetPort === undefined) {
          return { ok: false, reason: 'InvalidEndpoint', message: `container endpoint ${ep.name} needs a targetPort` };
        }
        if (!ep.isProxied) {
          if (!endpointPort) return notAllocated(res, ep);
          out.push({ name: ep.name, targetPort, hostPort: endpointPort });
        } else out.push({ name: ep.name, targetPort });
        continue;
      }
      if (!ep.isProxied && !existing) {
        // The app binds this port itself: while someone else holds it, starting one only makes a
        // crash loop (whose backoff would then delay the recovery). Wait until the endpoints
        // controller has looked at the port, and for the port to be free.
        const held = portHeld(obj);
        if (held) return held;
        if (!endpointPort) return notAllocated(res, ep);
      }
      if (ep.targetPort !== undefined) {
        out.push({ name: ep.name, targetPort: ep.targetPort });
      } else if (!ep.isProxied) {
        if (!endpointPort) return notAllocated(res, ep);
        out.push({ name: ep.name, targetPort: endpointPort });
      } else {
        const remembered = existing?.spec.ports?.find((p) => p.name === ep.name)?.targetPort;
        const port = await targetPorts.portFor(id, replica, ep.name, remembered);
        allocated.add(ep.name);
        out.push({ name: ep.name, targetPort: port });
      }
    }
    targetPorts.releaseEndpoints(id, replica, allocated);
    return { ok: true, value: out };
  }

  /** A proxyless endpoint whose port another process holds (the endpoints controller says so). */
  function portHeld(obj: Endpoint | undefined): Resolved<never> | undefined {
    const c = getCondition(obj?.status?.conditions, 'PortAllocated');
    if (c?.status !== 'False' || c.reason !== 'PortInUse') return undefined;
    return { ok: false, reason: 'PortInUse', message: `endpoint ${obj!.metadata.name}: ${c.message ?? 'port in use'}; the replica starts once it is free` };
  }

  function notAllocated(res: Resource, ep: NormalizedEndpoint): Resolved<never> {
    return {
      ok: false,
      reason: 'EndpointNotAllocated',
      message: `waiting for endpoint ${endpointObjectName(res.metadata.name, ep.name)} to get a port`,
    };
  }

  async function writeStatus(
    ctx: ReconcileContext,
    res: Resource,
    id: string,
    s: { desired: number; stopped: boolean; wait?: WaitState; blocked?: Blocked; ownEndpoints: Endpoint[] },
  ): Promise<void> {
    const ns = res.metadata.namespace ?? '';
    // Fresh: the pass may have created or deleted replicas.
    const live = (await ownReplicas(ctx, ns, res.metadata.name, res)).filter((r) => !isDeleting(r));
    const prev = res.status ?? {};
    const everRunning = wasRunning.has(id) || prev.phase === 'Running';
    const phase = computePhase({
      desired: s.desired,
      replicas: live,
      endpoints: s.ownEndpoints,
      wait: s.wait,
      // With replicas already running, an unresolved reference does not stop them: report it in
      // ReferencesResolved only.
      blocked: live.length === 0 ? s.blocked : undefined,
      wasRunning: everRunning,
      stopped: s.stopped,
      restartPolicy: res.spec.restartPolicy,
    });
    if (phase.phase === 'Running') wasRunning.add(id);
    // Started again after a stop, it is Starting (not Degraded) until its replicas are ready.
    if (s.stopped) wasRunning.delete(id);

    const now = ctx.now();
    const gen = res.metadata.generation;
    let conditions: Condition[] = [...(prev.conditions ?? [])];
    conditions = setCondition(
      conditions,
      { type: READY, status: phase.phase === 'Running' ? 'True' : 'False', reason: phase.reason, message: phase.message },
      now,
      gen,
    );
    if (s.ownEndpoints.length > 0) {
      const bad = s.ownEndpoints
        .map((e) => ({ e, c: getCondition(e.status?.conditions, 'PortAllocated') }))
        .find(({ c }) => c?.status !== 'True');
      conditions = setCondition(
        conditions,
        bad
          ? {
              type: PORTS_ALLOCATED,
              status: bad.c?.status === 'False' ? 'False' : 'Unknown',
              reason: bad.c?.reason ?? 'Pending',
              message: `endpoint ${bad.e.metadata.name}: ${bad.c?.message ?? 'waiting for a port'}`,
            }
          : { type: PORTS_ALLOCATED, status: 'True', reason: 'Allocated', message: `${s.ownEndpoints.length} endpoint(s) allocated` },
        now,
        gen,
      );
    }
    if ((res.spec.waitFor ?? []).length > 0) {
      const w = s.wait;
      conditions = setCondition(
        conditions,
        !w
          ? { type: DEPENDENCIES_READY, status: 'True', reason: 'Started', message: 'started after its dependencies were ready' }
          : w.kind === 'satisfied'
            ? { type: DEPENDENCIES_READY, status: 'True', reason: 'Satisfied', message: 'all dependencies are ready' }
            : {
                type: DEPENDENCIES_READY,
                status: 'False',
                reason: w.kind === 'failed' ? (w.reason ?? 'DependencyFailed') : 'WaitingForDependency',
                message: w.message,
              },
        now,
        gen,
      );
    }
    if (envDependencies(res).length > 0 || usesParameters(res)) {
      const refProblem = s.blocked?.source === 'references' ? s.blocked : undefined;
      conditions = setCondition(
        conditions,
        refProblem
          ? { type: REFERENCES_RESOLVED, status: 'False', reason: refProblem.reason, message: refProblem.message }
          : s.wait && s.wait.kind !== 'satisfied'
            ? { type: REFERENCES_RESOLVED, status: 'Unknown', reason: 'WaitingForDependency', message: 'resolved once dependencies are ready' }
            : { type: REFERENCES_RESOLVED, status: 'True', reason: 'Resolved', message: 'all references resolved' },
        now,
        gen,
      );
    }

    const next: ResourceStatus & { type: string; message: string } = {
      type: resourceType(res),
      phase: phase.phase,
      reason: phase.reason,
      message: phase.message,
      replicas: live.length,
      readyReplicas: live.filter((r) => r.status?.ready === true).length,
      selector: `${RESOURCE_LABEL}=${res.metadata.name}`,
      restarts: live.reduce((sum, r) => sum + (r.status?.restarts ?? 0), 0),
      conditions,
      ...(gen !== undefined ? { observedGeneration: gen } : {}),
    };
    const patch: Record<string, unknown> = {};
    const prevAny = prev as Record<string, unknown>;
    for (const [field, value] of Object.entries(next)) {
      if (!deepEqual(prevAny[field], value)) patch[field] = value;
    }
    if (Object.keys(patch).length > 0) {
      await ctx.client.patchStatus<Resource>('Resource', ns, res.metadata.name, { status: patch });
    }
  }

  const dependents = (ns: string | undefined, name: string | undefined): ObjectKey[] =>
    name
      ? dependencies.dependentsOf(`${ns ?? ''}/${name}`).map((k) => {
          const slash = k.indexOf('/');
          return { namespace: k.slice(0, slash), name: k.slice(slash + 1) };
        })
      : [];

  return {
    name: 'replicas',
    for: 'Resource',
    owns: ['Replica'],
    watches: [
      {
        type: 'Endpoint',
        map: (obj) => {
          const resource = (obj as Endpoint).spec?.resource;
          const ns = obj.metadata.namespace ?? '';
          return resource ? [{ namespace: ns, name: resource }, ...dependents(ns, resource)] : [];
        },
      },
      { type: 'Resource', map: (obj) => dependents(obj.metadata.namespace, obj.metadata.name) },
      { type: 'Replica', map: (obj) => dependents(obj.metadata.namespace, (obj as Replica).spec?.resource) },
    ],
    reconcile,
    dispose() {
      targetPorts.clear();
      synced.clear();
    },
  };
}
