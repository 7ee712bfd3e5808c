// The effective env of a resource's replicas: references (both variable forms, and
// ConnectionStrings__<name> for a resource or database with a connection string), the resource's
// own env (values, valueFrom.endpoint, valueFrom.parameter), and each endpoint's `env` variable set
// to that replica's target port. Later sources override earlier ones; the order of first
// appearance is kept.
import { connectionStringVariableName } from '../../src/api/connection-template.ts';
import { endpointObjectName, envVariableName, serviceVariableName } from '../../src/api/endpoints.ts';
import { launchProfileEnv } from '../../src/dotnet/index.ts';
import type { Endpoint, Resource } from '../../src/api/types.ts';
import type { ParameterSource } from '../../src/platform/secrets/types.ts';
import type { DevCertificatePaths } from '../../src/platform/tls/index.ts';
import { tlsEnv, tlsNeeds } from './tls-env.ts';
import { connectionStringOf, databaseConnectionString, parameterValue, type TemplateScope } from './connection-strings.ts';
import { resourceType, type ResourceType } from '../shared/resource-info.ts';
import { consumerView, endpointProperty, type Resolved } from './resolve-endpoint.ts';

export interface EnvVarValue {
  name: string;
  value: string;
}

export interface EnvInputs {
  consumer: Resource;
  /** Other resources by name (those the consumer references). */
  resources: ReadonlyMap<string, Resource>;
  /** Endpoint objects of the namespace, by name. */
  endpoints: ReadonlyMap<string, Endpoint>;
  /** Parameter values (valueFrom.parameter, connection strings); absent: every parameter is missing. */
  parameters?: ParameterSource;
  /** The development certificates, when the consumer needs them (tlsNeeds). */
  tls?: DevCertificatePaths;
}

/** Names of the resources `res` depends on for env (references and valueFrom). */
export function envDependencies(res: Resource): string[] {
  const names = new Set<string>();
  for (const r of res.spec.references ?? []) names.add(r.resource);
  for (const e of res.spec.env ?? []) if (e.valueFrom?.endpoint?.resource) names.add(e.valueFrom.endpoint.resource);
  // The consumer's own connection string may name its own endpoints: nothing more to watch.
  return [...names];
}

/** True when the env takes a parameter's value (so ReferencesResolved reports whether it has one). */
export function usesParameters(res: Resource): boolean {
  return (res.spec.env ?? []).some((e) => e.valueFrom?.parameter !== undefined);
}

class EnvBuilder {
  private readonly vars = new Map<string, string>();
  set(name: string, value: string): void {
    this.vars.set(name, value);
  }
  list(): EnvVarValue[] {
    return [...this.vars].map(([name, value]) => ({ name, value }));
  }
}

function endpointsOf(inputs: EnvInputs, resource: string): Endpoint[] {
  return [...inputs.endpoints.values()].filter((e) => e.spec.resource === resource && !e.metadata.deletionTimestamp);
}

/**
 * The env shared by all replicas (references and the resource's env), with `valueFrom` of the
 * consumer's own endpoints' targetPort left to `replicaEnv`.
 */
export function sharedEnv(inputs: EnvInputs): Resolved<EnvVarValue[]> {
  const { consumer } = inputs;
  const consumerType = resourceType(consumer);
  const out = new EnvBuilder();
  const scope: TemplateScope = { consumer, consumerType, resources: inputs.resources, endpoints: inputs.endpoints, parameters: inputs.parameters };
  // Certificate paths and trust first: the resource's own env may override them.
  const needs = tlsNeeds(consumer, inputs.resources);
  if (needs !== 'none' && inputs.tls) {
    for (const v of tlsEnv(inputs.tls, needs, consumerType, consumer.spec.executable?.launchProfile !== undefined)) out.set(v.name, v.value);
  }

  for (const ref of consumer.spec.references ?? []) {
    const target = inputs.resources.get(ref.resource);
    if (!target) return { ok: false, reason: 'ReferenceNotFound', message: `referenced resource "${ref.resource}" does not exist` };
    const targetType = resourceType(target);
    if (ref.database !== undefined) {
      const db = target.spec.databases?.find((d) => d.name === ref.database);
      if (!db) return { ok: false, reason: 'DatabaseNotFound', message: `resource "${ref.resource}" has no database "${ref.database}"` };
      const cs = databaseConnectionString(scope, target, db);
      if (!cs.ok) return cs;
      out.set(connectionStringVariableName(db.name), cs.value);
    } else if (ref.endpoint === undefined) {
      const cs = connectionStringOf(scope, target);
      if (!cs.ok) return cs;
      if (cs.value !== undefined) out.set(connectionStringVariableName(ref.resource), cs.value);
    }
    let eps = endpointsOf(inputs, ref.resource);
    if (ref.endpoint) {
      const named = inputs.endpoints.get(endpointObjectName(ref.resource, ref.endpoint));
      const declared = (target.spec.endpoints ?? []).some((e) => (e.name ?? e.scheme ?? (e.protocol ?? 'TCP').toLowerCase()).toLowerCase() === ref.endpoint!.toLowerCase());
      if (!declared) {
        return { ok: false, reason: 'EndpointNotFound', message: `resource "${ref.resource}" has no endpoint "${ref.endpoint}"` };
      }
      if (!named) return { ok: false, reason: 'EndpointNotAllocated', message: `waiting for endpoint ${endpointObjectName(ref.resource, ref.endpoint)}` };
      eps = [named];
    } else {
      const declared = (target.spec.endpoints ?? []).length;
      if (eps.length < declared) {
        return { ok: false, reason: 'EndpointNotAllocated', message: `waiting for the endpoints of "${ref.resource}"` };
      }
      eps = eps.filter((e) => !e.spec.excludeFromReferences);
    }
    for (const ep of eps) {
      const view = consumerView(ep, targetType, consumerType);
      if (!view.ok) return view;
      const epName = ep.spec.name ?? ep.metadata.name;
      out.set(serviceVariableName(ref.resource, epName), view.value.url);
      out.set(envVariableName(ref.resource, epName), view.value.url);
    }
  }

  for (const e of consumer.spec.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      out.set(e.name, e.value ?? '');
      continue;
    }
    if (e.valueFrom.parameter) {
      const v = parameterValue(scope, e.valueFrom.parameter.name);
      if (!v.ok) return v;
      out.set(e.name, v.value);
      continue;
    }
    const from = e.valueFrom.endpoint;
    if (!from) continue;
    // The consumer's own targetPort differs per replica: resolved in replicaEnv.
    if (from.resource === consumer.metadata.name && from.property === 'targetPort') continue;
    const resolved = resolveValueFrom(inputs, from, consumerType);
    if (!resolved.ok) return resolved;
    out.set(e.name, resolved.value);
  }
  return { ok: true, value: out.list() };
}

function resolveValueFrom(
  inputs: EnvInputs,
  from: { resource: string; name?: string; property?: string },
  consumerType: ResourceType,
  ownTargetPort?: number,
): Resolved<string> {
  const target = from.resource === inputs.consumer.metadata.name ? inputs.consumer : inputs.resources.get(from.resource);
  if (!target) return { ok: false, reason: 'ReferenceNotFound', message: `resource "${from.resource}" does not exist` };
  const candidates = endpointsOf(inputs, from.resource);
  const ep = from.name
    ? inputs.endpoints.get(endpointObjectName(from.resource, from.name))
    : (candidates.find((c) => c.spec.name === 'http') ?? candidates[0]);
  if (!ep) {
    return { ok: false, reason: 'EndpointNotAllocated', message: `waiting for endpoint ${from.name ?? '(first)'} of "${from.resource}"` };
  }
  const view = consumerView(ep, resourceType(target), consumerType);
  if (!view.ok) return view;
  return { ok: true, value: endpointProperty(view.value, ep, (from.property ?? 'url') as never, ownTargetPort) };
}

/** The full env of one replica: shared env, then own-targetPort valueFrom, then endpoint `env` variables. */
export function replicaEnv(
  inputs: EnvInputs,
  shared: readonly EnvVarValue[],
  ports: ReadonlyMap<string, number>,
): Resolved<EnvVarValue[]> {
  const { consumer } = inputs;
  const out = new EnvBuilder();
  // A .NET project's launch profile: where to listen (ASPNETCORE_URLS or Kestrel__Endpoints__*) and
  // its environmentVariables, as defaults the resource's own env overrides.
  if (consumer.spec.executable?.launchProfile) {
    for (const v of launchProfileEnv(consumer, Object.fromEntries(ports))) if (v.value !== undefined) out.set(v.name, v.value);
  }
  for (const v of shared) out.set(v.name, v.value);
  for (const e of consumer.spec.env ?? []) {
    const from = e.valueFrom?.endpoint;
    if (e.value !== undefined || !from || from.resource !== consumer.metadata.name || from.property !== 'targetPort') continue;
    const own = from.name ? ports.get(from.name) : [...ports.values()][0];
    const resolved = resolveValueFrom(inputs, from, resourceType(consumer), own);
    if (!resolved.ok) return resolved;
    out.set(e.name, resolved.value);
  }
  for (const ep of consumer.spec.endpoints ?? []) {
    if (!ep.env) continue;
    const name = ep.name ?? ep.scheme ?? (ep.protocol ?? 'TCP').toLowerCase();
    const port = ports.get(name);
    if (port !== undefined) out.set(ep.env, String(port));
  }
  return { ok: true, value: out.list() };
}
