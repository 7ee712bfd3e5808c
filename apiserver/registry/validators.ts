// Kind validators (DESIGN.md section 1, "Validation errors"): they run after schema validation
// and defaulting, so types, enums and port ranges are already checked. Each cause names the field
// (`spec.endpoints[1].targetPort`) and, in its message, the resource and the endpoint.
import { isIP } from 'node:net';
import type { StatusCause } from '../../src/api/status.ts';
import type { Registry, Validator } from '../../src/api/registry.ts';
import { endpointNameKey, normalizeEndpoint } from '../../src/api/endpoints.ts';
import { dns1123LabelErrors, endpointNameErrors, envVarNameErrors } from '../../src/api/names.ts';
import { GROUP } from '../../src/api/types.ts';
import type { EndpointObjectSpec, ProxySpec, ResourceSpec } from '../../src/api/types.ts';

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${detail}` };
}

function required(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueRequired', field, message: `Required value: ${detail}` };
}

function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
}

function duplicate(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${show(value)}: ${detail}` };
}

function labelCauses(field: string, value: string, what: string): StatusCause[] {
  return dns1123LabelErrors(value).map((m) => invalid(field, value, `${what}: ${m}`));
}

/** Validator for Resource objects (`resources.apphost.dev`). */
export const validateResource: Validator = (obj) => {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name ?? '';
  const res = `resource ${show(name)}`;
  const spec = (obj.spec ?? {}) as ResourceSpec;

  for (const m of dns1123LabelErrors(name)) {
    causes.push(invalid('metadata.name', name, `${res}: a resource name is used as a container alias and in replica names, so it must be an RFC 1123 label: ${m}`));
  }

  const isExe = spec.executable !== undefined;
  const isCtr = spec.container !== undefined;
  if (!isExe && !isCtr) causes.push(required('spec', `${res} must set exactly one of spec.executable or spec.container`));
  if (isExe && isCtr) causes.push(forbidden('spec.container', `${res} sets spec.executable; set exactly one of spec.executable or spec.container`));

  const replicas = spec.replicas ?? 1;
  const persistent = spec.lifetime === 'Persistent';
  const persistentScaled = persistent && replicas > 1;
  if (persistentScaled) {
    causes.push(invalid('spec.replicas', replicas, `${res} has lifetime Persistent and cannot run more than 1 replica`));
  }

  const seen = new Map<string, number>();
  (spec.endpoints ?? []).forEach((raw, i) => {
    const path = `spec.endpoints[${i}]`;
    const ep = normalizeEndpoint(raw, { lifetime: spec.lifetime });
    const where = `${res} endpoint ${show(ep.name)}`;

    const nameErrors = endpointNameErrors(ep.name);
    const defaulted = raw.name === undefined ? ' (defaulted from the scheme)' : '';
    for (const m of nameErrors) causes.push(invalid(`${path}.name`, ep.name, `${where}${defaulted}: endpoint names are 1-64 letters, digits and '-', starting with a letter: ${m}`));
    const key = endpointNameKey(ep.name);
    const first = seen.get(key);
    if (first !== undefined) {
      causes.push(duplicate(`${path}.name`, ep.name, `${res} already has an endpoint named ${show(ep.name)} (spec.endpoints[${first}])`));
    } else {
      seen.set(key, i);
    }

    if (ep.env !== undefined) {
      for (const m of envVarNameErrors(ep.env)) causes.push(invalid(`${path}.env`, ep.env, `${where}: ${m}`));
    }

    if (isCtr && ep.targetPort === undefined) {
      causes.push(required(`${path}.targetPort`, `${where}: a container endpoint needs targetPort (the port the container listens on)`));
    }
    if (replicas > 1 && !ep.isProxied) {
      // With a Persistent lifetime the replicas error above already says it; only repeat it here when the user asked for proxyless.
      if (!persistentScaled || raw.isProxied === false) {
        causes.push(invalid(`${path}.isProxied`, false, `${where} is proxyless, so it cannot serve ${replicas} replicas on one port; make it proxied or use 1 replica`));
      }
    }
    if (isExe) {
      if (replicas > 1 && ep.isProxied && raw.targetPort !== undefined) {
        causes.push(invalid(`${path}.targetPort`, raw.targetPort, `${where}: an executable with ${replicas} replicas cannot use a fixed targetPort (the replicas would conflict); omit targetPort so each replica gets its own port`));
      }
      if (raw.isProxied === true && raw.port !== undefined && raw.port !== 0 && raw.port === raw.targetPort) {
        causes.push(invalid(`${path}.port`, raw.port, `${where} is proxied, so the proxy port and the targetPort the executable listens on must differ (or make it proxyless)`));
      }
      if (!ep.isProxied && raw.port !== undefined && raw.targetPort !== undefined && raw.port !== raw.targetPort) {
        causes.push(invalid(`${path}.targetPort`, raw.targetPort, `${where} is proxyless, so the executable listens on port ${raw.port} itself: port and targetPort must be equal`));
      }
    }
  });

  (spec.env ?? []).forEach((env, i) => {
    for (const m of envVarNameErrors(env.name)) causes.push(invalid(`spec.env[${i}].name`, env.name, `${res}: ${m}`));
    if (env.value !== undefined && env.value !== '' && env.valueFrom !== undefined) {
      causes.push(invalid(`spec.env[${i}].valueFrom`, '', `${res}: may not be specified when value is not empty`));
    }
    const ref = env.valueFrom?.endpoint?.resource;
    if (ref !== undefined) causes.push(...labelCauses(`spec.env[${i}].valueFrom.endpoint.resource`, ref, `${res}: not a resource name`));
    if (env.valueFrom && (env.valueFrom.endpoint === undefined) === (env.valueFrom.parameter === undefined)) {
      causes.push(required(`spec.env[${i}].valueFrom`, `${res}: set exactly one of valueFrom.endpoint or valueFrom.parameter`));
    }
  });
  (spec.references ?? []).forEach((ref, i) => {
    causes.push(...labelCauses(`spec.references[${i}].resource`, ref.resource, `${res}: not a resource name`));
    if (ref.database !== undefined && ref.endpoint !== undefined) {
      causes.push(forbidden(`spec.references[${i}].endpoint`, `${res}: a reference names a database or an endpoint, not both`));
    }
  });
  const params = new Set<string>();
  (spec.parameters ?? []).forEach((p, i) => {
    if (params.has(p.name)) causes.push(duplicate(`spec.parameters[${i}].name`, p.name, `${res} already declares parameter ${show(p.name)}`));
    params.add(p.name);
    if (p.secret && p.value !== undefined) {
      causes.push(forbidden(`spec.parameters[${i}].value`, `${res}: secret parameter ${show(p.name)} cannot have a value in the manifest; use generate, Parameters__${p.name} or .apphost/secrets.json`));
    }
  });
  const dbs = new Set<string>();
  (spec.databases ?? []).forEach((d, i) => {
    if (dbs.has(d.name)) causes.push(duplicate(`spec.databases[${i}].name`, d.name, `${res} already has database ${show(d.name)}`));
    dbs.add(d.name);
  });
  (spec.waitFor ?? []).forEach((w, i) => {
    causes.push(...labelCauses(`spec.waitFor[${i}].resource`, w.resource, `${res}: not a resource name`));
    if (w.resource === name) causes.push(invalid(`spec.waitFor[${i}].resource`, w.resource, `${res} cannot wait for itself`));
  });
  const hc = spec.healthCheck?.endpoint;
  // Endpoints derived from a launch profile are not known here: only check when there is none.
  if (hc !== undefined && spec.executable?.launchProfile === undefined && !seen.has(endpointNameKey(hc))) {
    causes.push(invalid('spec.healthCheck.endpoint', hc, `${res} has no endpoint named ${show(hc)}`));
  }
  (spec.container?.networkAliases ?? []).forEach((alias, i) => {
    causes.push(...labelCauses(`spec.container.networkAliases[${i}]`, alias, `${res}: a network alias must be a DNS label`));
  });
  return causes;
};

/** Validator for Endpoint objects: the owning resource name and the endpoint name. */
export const validateEndpoint: Validator = (obj) => {
  const spec = (obj.spec ?? {}) as EndpointObjectSpec;
  const causes: StatusCause[] = [];
  if (typeof spec.resource === 'string') causes.push(...labelCauses('spec.resource', spec.resource, 'not a resource name'));
  if (spec.name !== undefined) {
    for (const m of endpointNameErrors(spec.name)) causes.push(invalid('spec.name', spec.name, `endpoint ${show(spec.name)} of resource ${show(spec.resource)}: ${m}`));
  }
  return causes;
};

/** Validator for Proxy objects: a listen address the proxy can bind, unique backend names. */
export const validateProxy: Validator = (obj) => {
  const spec = (obj.spec ?? {}) as ProxySpec;
  const causes: StatusCause[] = [];
  const address = spec.listen?.address;
  if (typeof address === 'string' && address !== 'localhost' && isIP(address) === 0) {
    causes.push(invalid('spec.listen.address', address, `proxy ${show(obj.metadata.name)}: must be an IP address or localhost`));
  }
  const names = new Set<string>();
  (spec.backends ?? []).forEach((b, i) => {
    if (names.has(b.name)) causes.push(duplicate(`spec.backends[${i}].name`, b.name, `proxy ${show(obj.metadata.name)} already has a backend with this name`));
    names.add(b.name);
  });
  return causes;
};

/** Validator for Namespace objects: the name is an RFC 1123 label, as objects' metadata.namespace must be. */
export const validateNamespace: Validator = (obj, op) => {
  if (op !== 'CREATE') return [];
  return dns1123LabelErrors(obj.metadata.name).map((m) => invalid('metadata.name', obj.metadata.name, m));
};

export const BUILTIN_VALIDATORS: ReadonlyArray<readonly [string, Validator]> = [
  ['namespaces', validateNamespace],
  [`resources.${GROUP}`, validateResource],
  [`endpoints.${GROUP}`, validateEndpoint],
  [`proxies.${GROUP}`, validateProxy],
];

/** Adds the validators of the built-in kinds to a registry. */
export function registerBuiltinValidators(registry: Pick<Registry, 'addValidator'>): void {
  for (const [key, validator] of BUILTIN_VALIDATORS) registry.addValidator(key, validator);
}
