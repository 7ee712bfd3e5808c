// Pruning and defaulting, compiled once per schema. `applyShape` builds a new object from the input
// (the input is never touched): fields the schema does not know are dropped and reported, nulls in
// non-nullable fields are dropped, missing fields with a `default` get it (as Kubernetes: prune,
// then default), and duplicate keys of x-kubernetes-list-type map/set lists are reported.
import type { StatusCause } from '../../src/api/status.ts';
import { childPath, cloneJson, indexPath, isPlainObject, keyPath, type JsonObject } from './json.ts';

export interface Shape {
  type?: string;
  nullable: boolean;
  /** Keep fields the schema does not list (x-kubernetes-preserve-unknown-fields, or no type at all). */
  preserveUnknown: boolean;
  props?: Record<string, Shape>;
  defaults?: { key: string; value: unknown; shape: Shape }[];
  /** Value shape of a map (additionalProperties); `any` when additionalProperties is true. */
  additional?: Shape;
  items?: Shape;
  listMapKeys?: string[];
  listSet?: boolean;
}

export interface ShapeContext {
  /** Field paths of pruned unknown fields, e.g. `spec.foo`, `spec.endpoints[0].bar`. */
  unknown: string[];
  causes: StatusCause[];
}

const ANY: Shape = { nullable: true, preserveUnknown: true };

/** The ObjectMeta fields Kubernetes decodes; anything else under metadata is an unknown field. */
const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

function objectMetaShape(): Shape {
  const props: Record<string, Shape> = Object.create(null);
  for (const f of OBJECT_META_FIELDS) props[f] = ANY;
  return { type: 'object', nullable: false, preserveUnknown: false, props };
}

export function compileShape(schema: JsonObject, root = true): Shape {
  const shape: Shape = {
    nullable: schema.nullable === true,
    preserveUnknown: schema['x-kubernetes-preserve-unknown-fields'] === true || schema.type === undefined,
  };
  if (typeof schema.type === 'string') shape.type = schema.type;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const plainObject = schema.type === 'object' && schema.additionalProperties === undefined;
  if (isPlainObject(schema.properties) || root || embedded || plainObject) {
    const props: Record<string, Shape> = Object.create(null);
    const defaults: NonNullable<Shape['defaults']> = [];
    for (const [key, child] of Object.entries(isPlainObject(schema.properties) ? schema.properties : {})) {
      if (!isPlainObject(child)) continue;
      const childShape = compileShape(child, false);
      props[key] = childShape;
      if ('default' in child) defaults.push({ key, value: child.default, shape: childShape });
    }
    if (root || embedded) {
      props.apiVersion ??= ANY;
      props.kind ??= ANY;
      props.metadata = embedded ? (props.metadata ?? ANY) : objectMetaShape();
    }
    shape.props = props;
    if (defaults.length > 0) shape.defaults = defaults;
  }
  if (schema.additionalProperties === true) shape.additional = ANY;
  else if (isPlainObject(schema.additionalProperties)) shape.additional = compileShape(schema.additionalProperties, false);
  if (isPlainObject(schema.items)) shape.items = compileShape(schema.items, false);
  if (schema['x-kubernetes-list-type'] === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])) {
    shape.listMapKeys = schema['x-kubernetes-list-map-keys'] as string[];
  } else if (schema['x-kubernetes-list-type'] === 'set') {
    shape.listSet = true;
  }
  return shape;
}

export function applyShape(value: unknown, shape: Shape, path: string, ctx: ShapeContext): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = shape.items;
    if (!items) return cloneJson(value);
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      // Scalars need no walk (and no path string): the common case stays allocation-free.
      out[i] = typeof v !== 'object' || v === null ? v : applyShape(v, items, indexPath(path, i), ctx);
    }
    if (shape.listMapKeys) checkListMap(out, shape.listMapKeys, path, ctx);
    else if (shape.listSet) checkListSet(out, path, ctx);
    return out;
  }
  const props = shape.props;
  const additional = shape.additional;
  if (!props && !additional) return cloneJson(value);
  const out: JsonObject = {};
  const input = value as JsonObject;
  for (const key in input) {
    const v = input[key];
    if (v === undefined) continue;
    const child = props?.[key];
    if (child !== undefined) {
      if (v === null) {
        if (child.nullable) out[key] = null;
        continue;
      }
      out[key] = typeof v !== 'object' ? v : applyShape(v, child, childPath(path, key), ctx);
    } else if (additional) {
      out[key] = typeof v !== 'object' || v === null ? v : applyShape(v, additional, keyPath(path, key), ctx);
    } else if (shape.preserveUnknown) {
      out[key] = cloneJson(v);
    } else {
      ctx.unknown.push(childPath(path, key));
    }
  }
  const defaults = shape.defaults;
  if (defaults) {
    for (let i = 0; i < defaults.length; i++) {
      const d = defaults[i]!;
      if (!(d.key in out)) out[d.key] = applyShape(cloneJson(d.value), d.shape, childPath(path, d.key), ctx);
    }
  }
  return out;
}

function checkListMap(list: unknown[], keys: string[], path: string, ctx: ShapeContext): void {
  if (list.length < 2) return;
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isPlainObject(item)) continue;
    const id: JsonObject = {};
    for (const k of keys) id[k] = item[k];
    const text = JSON.stringify(id);
    if (seen.has(text)) ctx.causes.push({ reason: 'FieldValueDuplicate', field: indexPath(path, i), message: `Duplicate value: ${text}` });
    seen.add(text);
  }
}

function checkListSet(list: unknown[], path: string, ctx: ShapeContext): void {
  if (list.length < 2) return;
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const text = JSON.stringify(list[i]);
    if (seen.has(text)) ctx.causes.push({ reason: 'FieldValueDuplicate', field: indexPath(path, i), message: `Duplicate value: ${text}` });
    seen.add(text);
  }
}
