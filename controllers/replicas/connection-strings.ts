// Connection strings and parameters as a consumer sees them: a template (src/api/connection-template.ts)
// resolved with endpoints from the consumer's side (a process: localhost and the proxy port; a
// container: the resource's name and the target port) and parameter values from the ParameterSource.
import { parseConnectionTemplate } from '../../src/api/connection-template.ts';
import { endpointObjectName } from '../../src/api/endpoints.ts';
import type { DatabaseSpec, Endpoint, ParameterSpec, Resource } from '../../src/api/types.ts';
import type { ParameterSource } from '../../src/platform/secrets/types.ts';
import { resourceType, type ResourceType } from '../shared/resource-info.ts';
import { consumerView, endpointProperty, type Resolved } from './resolve-endpoint.ts';

export interface TemplateScope {
  consumer: Resource;
  consumerType: ResourceType;
  /** Resources by name the consumer depends on (references, valueFrom). */
  resources: ReadonlyMap<string, Resource>;
  endpoints: ReadonlyMap<string, Endpoint>;
  parameters?: ParameterSource;
}

/** The first declaration of parameter `name` among `resources`. */
function parameterDeclarationOf(name: string, resources: Iterable<Resource>): ParameterSpec | undefined {
  for (const r of resources) {
    const found = r.spec.parameters?.find((p) => p.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The value of parameter `name`, declared by the consumer or a resource it references (else undeclared). */
export function parameterValue(scope: TemplateScope, name: string): Resolved<string> {
  const spec: ParameterSpec = parameterDeclarationOf(name, [scope.consumer, ...scope.resources.values()]) ?? { name };
  let value: string | undefined;
  try {
    value = scope.parameters?.value(spec);
  } catch (err) {
    return { ok: false, reason: 'ParameterUnavailable', message: (err as Error).message };
  }
  if (value === undefined) {
    return {
      ok: false,
      reason: 'ParameterMissing',
      message: `parameter "${name}" has no value: set Parameters__${name} in apphost's environment or add it to .apphost/secrets.json`,
    };
  }
  return { ok: true, value };
}

function expand(scope: TemplateScope, owner: Resource, template: string, what: string, base?: string): Resolved<string> {
  const parsed = parseConnectionTemplate(template);
  if (!parsed.ok) return { ok: false, reason: 'InvalidConnectionString', message: `${what}: ${parsed.message}` };
  let out = '';
  for (const part of parsed.parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'connectionString') {
      if (base === undefined) return { ok: false, reason: 'InvalidConnectionString', message: `${what}: {connectionString} is only for databases` };
      out += base;
    } else if (part.kind === 'parameter') {
      const v = parameterValue(scope, part.name);
      if (!v.ok) return v;
      out += v.value;
    } else {
      const target = part.resource === scope.consumer.metadata.name ? scope.consumer : part.resource === owner.metadata.name ? owner : scope.resources.get(part.resource);
      if (!target) return { ok: false, reason: 'ReferenceNotFound', message: `${what}: resource "${part.resource}" is not one it can see` };
      const ep = scope.endpoints.get(endpointObjectName(part.resource, part.endpoint));
      if (!ep) return { ok: false, reason: 'EndpointNotAllocated', message: `${what}: waiting for endpoint ${endpointObjectName(part.resource, part.endpoint)}` };
      const view = consumerView(ep, resourceType(target), scope.consumerType);
      if (!view.ok) return view;
      out += endpointProperty(view.value, ep, part.property);
    }
  }
  return { ok: true, value: out };
}

/** `owner`'s connection string from the consumer's side; undefined value when it declares none. */
export function connectionStringOf(scope: TemplateScope, owner: Resource): Resolved<string | undefined> {
  const template = owner.spec.connectionString;
  if (template === undefined) return { ok: true, value: undefined };
  return expand(scope, owner, template, `connection string of "${owner.metadata.name}"`);
}

/** One database of `owner`: its template, or the owner's connection string with `;Database=<name>`. */
export function databaseConnectionString(scope: TemplateScope, owner: Resource, db: DatabaseSpec): Resolved<string> {
  const base = connectionStringOf(scope, owner);
  if (!base.ok) return base;
  const what = `connection string of database "${db.name}" of "${owner.metadata.name}"`;
  if (db.connectionString !== undefined) return expand(scope, owner, db.connectionString, what, base.value ?? '');
  if (base.value === undefined) return { ok: false, reason: 'InvalidConnectionString', message: `${what}: "${owner.metadata.name}" has no connectionString` };
  return { ok: true, value: `${base.value};Database=${db.databaseName ?? db.name}` };
}
