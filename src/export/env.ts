// The env a resource gets on the target: the same variables the local run injects (references in
// both forms, the resource's env and valueFrom, each endpoint's port variable, a .NET project's
// listen URLs), with service discovery pointing at the target's names and ports instead of
// localhost proxies. https discovery values are dropped: TLS ends at the ingress (as in Aspire).
import type { EndpointProperty } from '../api/types.ts';
import { envVariableName, serviceVariableName } from '../api/endpoints.ts';
import { envVarNameErrors } from '../api/names.ts';
import { looksSecret } from '../api/secrets.ts';
import { launchProfileEnv } from '../dotnet/index.ts';
import { ExportError } from './errors.ts';
import { resourceNamed, type ExportModel, type ExportPort, type ExportResource } from './model.ts';

/** How a target addresses an endpoint: host is the resource's name (Service, Compose service). */
export interface Addressing {
  /** The port clients use: the Service port on Kubernetes, the container port on Compose. */
  port(port: ExportPort): number;
}

export interface ExportEnvVar {
  name: string;
  value: string;
  /** The name looks secret (looksSecret): the value goes to a Secret / .env, not the manifest. */
  secret: boolean;
}

/** Ordered, later sources override earlier ones (as the replicas controller does). */
export function exportEnv(model: ExportModel, r: ExportResource, addressing: Addressing, notes: string[]): ExportEnvVar[] {
  const vars = new Map<string, string>();
  const ports = Object.fromEntries(r.ports.map((p) => [p.endpoint, p.containerPort]));
  // A .NET project's launch profile: listen on every interface of the container, not localhost.
  for (const v of launchProfileEnv(r.source, ports)) {
    if (v.value !== undefined) vars.set(v.name, v.value.replace(/\/\/(localhost|127\.0\.0\.1|\[::1\]):/g, '//+:'));
  }
  for (const ref of r.references) {
    const target = resourceNamed(model, ref.resource);
    const endpoints = ref.endpoint ? [portOf(target, ref.endpoint, r)] : target.ports.filter((p) => !p.excludeFromReferences);
    for (const p of endpoints) {
      if (isHttps(p)) {
        notes.push(`resource "${r.name}": the https endpoint "${p.endpoint}" of "${target.name}" is not injected (TLS ends at the ingress; use its http endpoint)`);
        continue;
      }
      const url = urlOf(target, p, addressing);
      vars.set(serviceVariableName(target.name, p.endpoint), url);
      vars.set(envVariableName(target.name, p.endpoint), url);
    }
  }
  for (const e of r.env) {
    if (e.value !== undefined || !e.valueFrom) {
      vars.set(e.name, e.value ?? '');
      continue;
    }
    if (e.valueFrom.parameter) {
      // Parameter values live outside the manifests (.apphost/secrets.json): left for the user to fill.
      vars.set(e.name, '');
      notes.push(`resource "${r.name}": env ${e.name} takes parameter "${e.valueFrom.parameter.name}", exported empty: fill it in`);
      continue;
    }
    const from = e.valueFrom.endpoint;
    if (!from) continue;
    const target = resourceNamed(model, from.resource);
    const p = from.name ? portOf(target, from.name, r) : (target.ports.find((x) => x.endpoint === 'http') ?? target.ports[0]);
    if (!p) throw new ExportError('EXPORT_INVALID', `resource "${r.name}": env ${e.name} takes a value from "${target.name}", which has no endpoint`);
    const property: EndpointProperty = from.property ?? 'url';
    if (isHttps(p) && property === 'url') {
      notes.push(`resource "${r.name}": env ${e.name} (the https url of "${target.name}") is left out (TLS ends at the ingress)`);
      continue;
    }
    vars.set(e.name, endpointProperty(target, p, property, addressing));
  }
  for (const p of r.ports) if (p.env) vars.set(p.env, String(p.containerPort));
  return [...vars].map(([name, value]) => {
    const errs = envVarNameErrors(name);
    if (errs.length) throw new ExportError('EXPORT_INVALID', `resource "${r.name}": environment variable "${name}": ${errs[0]}`);
    return { name, value, secret: looksSecret(name) };
  });
}

function isHttps(p: ExportPort): boolean {
  return p.scheme.toLowerCase() === 'https';
}

function portOf(target: ExportResource, endpoint: string, consumer: ExportResource): ExportPort {
  const p = target.ports.find((x) => x.endpoint.toLowerCase() === endpoint.toLowerCase());
  if (!p) throw new ExportError('EXPORT_INVALID', `resource "${consumer.name}" uses endpoint "${endpoint}" of "${target.name}", which has ${target.ports.map((x) => x.endpoint).join(', ') || 'no endpoints'}`);
  return p;
}

function urlOf(target: ExportResource, p: ExportPort, addressing: Addressing): string {
  return `${p.scheme}://${target.name}:${addressing.port(p)}`;
}

function endpointProperty(target: ExportResource, p: ExportPort, property: EndpointProperty, addressing: Addressing): string {
  switch (property) {
    case 'host':
      return target.name;
    case 'port':
      return String(addressing.port(p));
    case 'targetPort':
      return String(p.containerPort);
    case 'scheme':
      return p.scheme;
    case 'hostAndPort':
      return `${target.name}:${addressing.port(p)}`;
    default:
      return urlOf(target, p, addressing);
  }
}

/** Kubernetes clients use the Service port (not the targetPort: Aspire #18321 mixed them up). */
export const KUBERNETES_ADDRESSING: Addressing = { port: (p) => p.servicePort };
/** On a Compose network containers reach each other's container port directly. */
export const COMPOSE_ADDRESSING: Addressing = { port: (p) => p.containerPort };
