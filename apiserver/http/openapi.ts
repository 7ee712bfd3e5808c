// OpenAPI v3 documents built from the CRD schemas: what `kubectl explain`, `apply` and `create -f`
// need (a patch operation per kind with x-kubernetes-group-version-kind and a fieldValidation
// parameter, and components.schemas with x-kubernetes-group-version-kind). No v2: kubectl wants it
// as protobuf and falls back to v3.
import { createHash } from 'node:crypto';
import type { KindInfo, Registry } from '../../src/api/registry.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const OWNER_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference';
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';

const SHARED_SCHEMAS: Record<string, unknown> = {
  [OBJECT_META]: {
    description: 'ObjectMeta is metadata that all persisted resources must have.',
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Name must be unique within a namespace.' },
      namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique.' },
      uid: { type: 'string', description: 'UID is the unique in time and space value for this object. Read-only.' },
      resourceVersion: { type: 'string', description: 'An opaque value that represents the internal version of this object. Read-only.' },
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state. Read-only.' },
      creationTimestamp: { type: 'string', format: 'date-time', description: 'When this object was created. Read-only.' },
      deletionTimestamp: { type: 'string', format: 'date-time', description: 'When this object will be deleted. Read-only.' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values that can be used to organize and categorize objects.' },
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Unstructured key value map stored with a resource.' },
      finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.' },
      ownerReferences: {
        type: 'array',
        items: { allOf: [{ $ref: `#/components/schemas/${OWNER_REF}` }], default: {} },
        description: 'List of objects depended by this object.',
      },
      managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  },
  [OWNER_REF]: {
    description: 'OwnerReference contains enough information to let you identify an owning object.',
    type: 'object',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: { type: 'string', default: '' },
      kind: { type: 'string', default: '' },
      name: { type: 'string', default: '' },
      uid: { type: 'string', default: '' },
      controller: { type: 'boolean' },
      blockOwnerDeletion: { type: 'boolean' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [STATUS]: {
    description: 'Status is a return value for calls that do not return other objects.',
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
};

/** `apphost.dev` + `v1` + `Resource` -> `dev.apphost.v1.Resource`, like Kubernetes names CRD schemas. */
export function schemaName(info: KindInfo): string {
  if (info.group === '') return `io.k8s.api.core.${info.version}.${info.kind}`;
  return `${info.group.split('.').reverse().join('.')}.${info.version}.${info.kind}`;
}

function kindSchema(info: KindInfo): Record<string, unknown> {
  const base = info.schema ?? {};
  const props = { ...((base['properties'] as Record<string, unknown> | undefined) ?? {}) };
  props['apiVersion'] = {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  };
  props['kind'] = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  props['metadata'] = {
    allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }],
    description: "Standard object's metadata.",
  };
  return {
    ...base,
    type: 'object',
    properties: props,
    'x-kubernetes-group-version-kind': [{ group: info.group, version: info.version, kind: info.kind }],
  };
}

const QUERY = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [
  QUERY('dryRun', 'When present, indicates that modifications should not be persisted.'),
  QUERY('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  QUERY('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
];

function operations(info: KindInfo) {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(info)}` };
  const json = { 'application/json': { schema: ref } };
  const ok = { description: 'OK', content: json };
  const id = (verb: string, suffix = '') =>
    `${verb}${info.group.replace(/(^|[.-])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}${info.version.replace(/^\w/, (c) => c.toUpperCase())}${info.namespaced ? 'Namespaced' : ''}${info.kind}${suffix}`;
  const op = (verb: string, action: string, extra: Record<string, unknown> = {}, suffix = '') => ({
    operationId: id(verb, suffix),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': ok, '401': { description: 'Unauthorized' } },
    ...extra,
  });
  const body = { requestBody: { content: json, required: true } };
  const patchBody = {
    requestBody: {
      content: {
        'application/json-patch+json': { schema: { type: 'object' } },
        'application/merge-patch+json': { schema: { type: 'object' } },
        'application/apply-patch+yaml': { schema: { type: 'object' } },
      },
      required: true,
    },
  };
  const patchParams = [...WRITE_PARAMS, QUERY('force', 'Force is going to "force" Apply requests.')];
  return {
    item: {
      get: op('read', 'get'),
      put: op('replace', 'put', { ...body, parameters: WRITE_PARAMS }),
      patch: op('patch', 'patch', { ...patchBody, parameters: patchParams }),
      delete: op('delete', 'delete', { parameters: [QUERY('dryRun', 'dry run'), QUERY('propagationPolicy', 'Background, Foreground or Orphan')] }),
    },
    collection: {
      get: op('list', 'list'),
      post: op('create', 'post', { ...body, parameters: WRITE_PARAMS }),
      delete: op('deleteCollection', 'deletecollection'),
    },
    status: {
      get: op('read', 'get', {}, 'Status'),
      put: op('replace', 'put', { ...body, parameters: WRITE_PARAMS }, 'Status'),
      patch: op('patch', 'patch', { ...patchBody, parameters: patchParams }, 'Status'),
    },
  };
}

export function buildGroupVersionDoc(group: string, version: string, kinds: KindInfo[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { ...SHARED_SCHEMAS };
  const nsParam = { name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
  const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
  for (const info of kinds) {
    if (info.group !== group || info.version !== version) continue;
    schemas[schemaName(info)] = kindSchema(info);
    const ops = operations(info);
    const root = groupVersionPath(group, version);
    const prefix = info.namespaced ? `${root}/namespaces/{namespace}/${info.plural}` : `${root}/${info.plural}`;
    const base = info.namespaced ? [nsParam] : [];
    paths[prefix] = { ...ops.collection, parameters: base };
    paths[`${prefix}/{name}`] = { ...ops.item, parameters: [...base, nameParam] };
    if (info.hasStatusSubresource) paths[`${prefix}/{name}/status`] = { ...ops.status, parameters: [...base, nameParam] };
    if (info.namespaced) {
      paths[`${root}/${info.plural}`] = {
        get: { ...ops.collection.get, operationId: `${ops.collection.get.operationId}ForAllNamespaces` },
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'apphost', version: `${group}/${version}` },
    paths,
    components: { schemas },
  };
}

export interface OpenApiDocs {
  root: string;
  /** `<group>/<version>` -> JSON text. */
  groupVersions: Map<string, string>;
}

/** `/api/v1` for the core group, else `/apis/<group>/<version>`. */
function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

export function buildOpenApi(kinds: KindInfo[]): OpenApiDocs {
  const gvs = new Map<string, [string, string]>();
  for (const k of kinds) gvs.set(`${k.group}/${k.version}`, [k.group, k.version]);
  const groupVersions = new Map<string, string>();
  const paths: Record<string, unknown> = {};
  for (const [gv, [group, version]] of gvs) {
    const text = JSON.stringify(buildGroupVersionDoc(group, version, kinds));
    groupVersions.set(gv, text);
    const hash = createHash('sha512').update(text).digest('hex').toUpperCase().slice(0, 128);
    const path = groupVersionPath(group, version).slice(1);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { root: JSON.stringify({ paths }), groupVersions };
}

/** Cached documents, rebuilt when the registry's KindInfo objects change. */
export function openApiCache(registry: Registry): () => OpenApiDocs {
  let last: KindInfo[] = [];
  let docs: OpenApiDocs | undefined;
  return () => {
    const kinds = registry.list();
    if (!docs || kinds.length !== last.length || kinds.some((k, i) => k !== last[i])) {
      docs = buildOpenApi(kinds);
      last = kinds;
    }
    return docs;
  };
}
