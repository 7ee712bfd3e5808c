// Structural-schema rules that a real API server enforces on apiextensions.k8s.io/v1 CRDs
// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go and the v1 CRD validation),
// checked at load so that a CRD we accept also installs unchanged into a real cluster.
import { isPlainObject, type JsonObject } from './json.ts';

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const FORBIDDEN = ['$ref', '$schema', 'id', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'];
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
/** Keywords a logical junctor (allOf/anyOf/oneOf/not) may not carry in a structural schema. */
const JUNCTOR_FORBIDDEN = [
  'type',
  'default',
  'description',
  'title',
  'nullable',
  'additionalProperties',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
];
const METADATA_ALLOWED = new Set(['type', 'properties']);

/** Violations as `<path>: <message>` lines; empty means the schema is structural. */
export function structuralErrors(root: unknown, rootPath = 'openAPIV3Schema'): string[] {
  const errs: string[] = [];
  if (!isPlainObject(root)) return [`${rootPath}: must be an object`];
  if (root.type !== 'object') errs.push(`${rootPath}.type: Unsupported value: ${JSON.stringify(root.type)}: supported values: "object"`);
  if ('default' in root) errs.push(`${rootPath}.default: Forbidden: must not be set at the root`);
  if (root.nullable === true) errs.push(`${rootPath}.nullable: Forbidden: must be false at the root`);
  checkNode(root, rootPath, errs);
  const props = root.properties;
  if (isPlainObject(props) && isPlainObject(props.metadata)) checkMetadata(props.metadata, `${rootPath}.properties[metadata]`, errs);
  return errs;
}

function checkMetadata(meta: JsonObject, path: string, errs: string[]): void {
  for (const key of Object.keys(meta)) {
    if (!METADATA_ALLOWED.has(key)) errs.push(`${path}.${key}: Forbidden: must not be specified for metadata other than type and properties name/generateName`);
  }
  if (meta.type !== 'object') errs.push(`${path}.type: Unsupported value: ${JSON.stringify(meta.type)}: supported values: "object"`);
  if (isPlainObject(meta.properties)) {
    for (const key of Object.keys(meta.properties)) {
      if (key !== 'name' && key !== 'generateName') errs.push(`${path}.properties[${key}]: Forbidden: only name and generateName may be restricted`);
    }
  }
}

function checkNode(node: JsonObject, path: string, errs: string[]): void {
  for (const key of FORBIDDEN) if (key in node) errs.push(`${path}.${key}: Forbidden: ${key} is not supported`);
  if (node.uniqueItems === true) errs.push(`${path}.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`);
  const preserve = node['x-kubernetes-preserve-unknown-fields'];
  if (preserve !== undefined && preserve !== true) errs.push(`${path}.x-kubernetes-preserve-unknown-fields: Invalid value: ${JSON.stringify(preserve)}: must be true or undefined`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const type = node.type;
  if (type === undefined || type === '') {
    if (!intOrString && preserve !== true) errs.push(`${path}.type: Required value: must not be empty for specified object fields`);
  } else if (typeof type !== 'string' || !TYPES.has(type)) {
    errs.push(`${path}.type: Unsupported value: ${JSON.stringify(type)}: supported values: "array", "boolean", "integer", "number", "object", "string"`);
  } else if (intOrString) {
    errs.push(`${path}.type: Forbidden: must be empty when x-kubernetes-int-or-string is true`);
  }
  if ('properties' in node && 'additionalProperties' in node) {
    errs.push(`${path}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`);
  }
  if (node.additionalProperties === false) errs.push(`${path}.additionalProperties: Forbidden: must not be false`);
  if (('properties' in node || isPlainObject(node.additionalProperties)) && type !== undefined && type !== 'object') {
    errs.push(`${path}.type: Invalid value: ${JSON.stringify(type)}: must be object when properties or additionalProperties are set`);
  }
  if (type === 'array' && !('items' in node)) errs.push(`${path}.items: Required value: must be specified`);
  if ('items' in node && !isPlainObject(node.items)) errs.push(`${path}.items: Forbidden: items must be a schema object and not an array`);

  if ('properties' in node) {
    if (!isPlainObject(node.properties)) errs.push(`${path}.properties: Invalid value: must be an object`);
    else for (const [key, child] of Object.entries(node.properties)) childNode(child, `${path}.properties[${key}]`, errs);
  }
  if (isPlainObject(node.additionalProperties)) childNode(node.additionalProperties, `${path}.additionalProperties`, errs);
  if (isPlainObject(node.items)) childNode(node.items, `${path}.items`, errs);

  checkListType(node, path, errs);
  for (const j of JUNCTORS) {
    const list = node[j];
    if (list === undefined) continue;
    if (!Array.isArray(list)) errs.push(`${path}.${j}: Invalid value: must be a list`);
    else list.forEach((sub, i) => checkJunctor(sub, node, `${path}.${j}[${i}]`, errs));
  }
  if (node.not !== undefined) checkJunctor(node.not, node, `${path}.not`, errs);
}

function childNode(child: unknown, path: string, errs: string[]): void {
  if (!isPlainObject(child)) errs.push(`${path}: Invalid value: must be a schema object`);
  else checkNode(child, path, errs);
}

/** A junctor may only carry value validations on fields its parent also specifies. */
function checkJunctor(sub: unknown, parent: JsonObject, path: string, errs: string[]): void {
  if (!isPlainObject(sub)) {
    errs.push(`${path}: Invalid value: must be a schema object`);
    return;
  }
  for (const key of JUNCTOR_FORBIDDEN) if (key in sub) errs.push(`${path}.${key}: Forbidden: must not be used inside allOf, anyOf, oneOf or not`);
  if (isPlainObject(sub.properties)) {
    const outer = isPlainObject(parent.properties) ? parent.properties : {};
    for (const [key, child] of Object.entries(sub.properties)) {
      if (!(key in outer)) errs.push(`${path}.properties[${key}]: Required value: must be specified in the outer schema as well`);
      else if (isPlainObject(child) && isPlainObject(outer[key])) checkJunctor(child, outer[key] as JsonObject, `${path}.properties[${key}]`, errs);
    }
  }
  if (isPlainObject(sub.items)) {
    if (!isPlainObject(parent.items)) errs.push(`${path}.items: Required value: must be specified in the outer schema as well`);
    else checkJunctor(sub.items, parent.items, `${path}.items`, errs);
  }
  for (const j of JUNCTORS) {
    if (Array.isArray(sub[j])) (sub[j] as unknown[]).forEach((s, i) => checkJunctor(s, parent, `${path}.${j}[${i}]`, errs));
  }
  if (sub.not !== undefined) checkJunctor(sub.not, parent, `${path}.not`, errs);
}

function checkListType(node: JsonObject, path: string, errs: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType === undefined) {
    if (keys !== undefined) errs.push(`${path}.x-kubernetes-list-map-keys: Forbidden: requires x-kubernetes-list-type=map`);
    return;
  }
  if (node.type !== 'array') errs.push(`${path}.x-kubernetes-list-type: Invalid value: must only be used if type is array`);
  if (listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(`${path}.x-kubernetes-list-type: Unsupported value: ${JSON.stringify(listType)}: supported values: "atomic", "map", "set"`);
    return;
  }
  const items = isPlainObject(node.items) ? node.items : undefined;
  if (listType === 'set' && items && items.type === 'object') errs.push(`${path}.items.type: Invalid value: "object": must be a scalar type if x-kubernetes-list-type is set`);
  if (listType !== 'map') {
    if (keys !== undefined) errs.push(`${path}.x-kubernetes-list-map-keys: Forbidden: requires x-kubernetes-list-type=map`);
    return;
  }
  if (!Array.isArray(keys) || keys.length === 0) {
    errs.push(`${path}.x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`);
    return;
  }
  if (!items || items.type !== 'object') {
    errs.push(`${path}.items.type: Invalid value: must be object if x-kubernetes-list-type is map`);
    return;
  }
  const props = isPlainObject(items.properties) ? items.properties : {};
  const required = Array.isArray(items.required) ? items.required : [];
  for (const key of keys) {
    const prop = typeof key === 'string' ? props[key] : undefined;
    if (!isPlainObject(prop)) {
      errs.push(`${path}.x-kubernetes-list-map-keys: Invalid value: ${JSON.stringify(key)}: entries must all be names of item properties`);
      continue;
    }
    if (!['string', 'integer', 'number', 'boolean'].includes(prop.type as string)) {
      errs.push(`${path}.items.properties[${key}].type: Invalid value: must be a scalar type if the field is a map key`);
    }
    if (!required.includes(key) && !('default' in prop)) {
      errs.push(`${path}.items.properties[${key}]: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`);
    }
  }
}
