// Compiles a kind's openAPIV3Schema once into what admission runs on every write: the prune/default
// shape and an ajv validator. Defaults in the schema are checked here (pruned and valid), as a real
// API server does when the CRD is created.
import { Ajv, type ValidateFunction } from 'ajv';
import type { StatusCause } from '../../src/api/status.ts';
import { RegistryError } from './errors.ts';
import { isPlainObject, type JsonObject } from './json.ts';
import { causesFromAjv } from './schema-errors.ts';
import { applyShape, compileShape, type Shape, type ShapeContext } from './shape.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** One ajv instance per registry; formats Kubernetes knows are accepted, date-time is checked. */
export function createAjv(): Ajv {
  const any = true;
  return new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    formats: {
      'date-time': RFC3339,
      int32: any,
      int64: any,
      float: any,
      double: any,
      byte: any,
      binary: any,
      password: any,
      date: /^\d{4}-\d{2}-\d{2}$/,
    },
  });
}

export interface CompiledSchema {
  shape: Shape;
  schema: JsonObject;
  validate: ValidateFunction;
}

export interface SchemaResult {
  object: JsonObject;
  unknown: string[];
  causes: StatusCause[];
}

// Compiling is the slow part of building a registry (tens of ms per kind) and tests build many
// registries: compiled schemas are shared by content. They are pure functions of the schema.
let sharedAjv: Ajv | undefined;
const compiledByContent = new Map<string, CompiledSchema>();

/** Compiles (or reuses) the admission pieces for a schema. Throws RegistryError CRD_INVALID. */
export function compileSchema(schema: JsonObject, label: string): CompiledSchema {
  const text = JSON.stringify(schema);
  const cached = compiledByContent.get(text);
  if (cached) return cached;
  sharedAjv ??= createAjv();
  const compiled = compileFresh(sharedAjv, schema, label);
  compiledByContent.set(text, compiled);
  return compiled;
}

function compileFresh(ajv: Ajv, schema: JsonObject, label: string): CompiledSchema {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(forAjv(schema) as JsonObject);
  } catch (err) {
    throw new RegistryError('CRD_INVALID', `${label}: schema does not compile: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  checkDefaults(ajv, schema, label, '');
  return { shape: compileShape(schema), schema: JSON.parse(JSON.stringify(schema)) as JsonObject, validate };
}

/** Prune, default, then validate. The input is not modified. */
export function runSchema(compiled: CompiledSchema, input: JsonObject): SchemaResult {
  const ctx: ShapeContext = { unknown: [], causes: [] };
  const object = applyShape(input, compiled.shape, '', ctx) as JsonObject;
  if (!compiled.validate(object)) {
    ctx.causes.unshift(...causesFromAjv(compiled.validate.errors ?? [], compiled.schema, object));
  }
  return { object, unknown: ctx.unknown, causes: ctx.causes };
}

/**
 * A copy of the schema for ajv: x-kubernetes-int-or-string nodes get `type: [integer, string]`
 * (Kubernetes checks that), and `nullable` on untyped nodes (which ajv refuses) is dropped.
 */
export function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => forAjv(n));
  if (!isPlainObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'default' || k === 'enum' || k === 'example') out[k] = v; // data, not schemas
    else if (k === 'properties' && isPlainObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, c]) => [p, forAjv(c)]));
    else out[k] = forAjv(v);
  }
  if (node['x-kubernetes-int-or-string'] === true && node.type === undefined) out.type = ['integer', 'string'];
  if (out.type === undefined) delete out.nullable;
  return out;
}

function checkDefaults(ajv: Ajv, node: JsonObject, label: string, path: string): void {
  if ('default' in node && path !== '') {
    const ctx: ShapeContext = { unknown: [], causes: [] };
    const shaped = applyShape(node.default, compileShape(node, false), path, ctx);
    if (ctx.unknown.length > 0) {
      throw new RegistryError('CRD_INVALID', `${label}: default of ${path} has unknown fields: ${ctx.unknown.join(', ')}`);
    }
    const { default: _ignored, ...rest } = node;
    if (!ajv.validate(forAjv(rest) as JsonObject, shaped)) {
      throw new RegistryError('CRD_INVALID', `${label}: default of ${path} is not valid: ${ajv.errorsText(ajv.errors)}`);
    }
  }
  if (isPlainObject(node.properties)) {
    for (const [k, child] of Object.entries(node.properties)) {
      if (isPlainObject(child)) checkDefaults(ajv, child, label, path ? `${path}.${k}` : k);
    }
  }
  if (isPlainObject(node.items)) checkDefaults(ajv, node.items, label, `${path}[*]`);
  if (isPlainObject(node.additionalProperties)) checkDefaults(ajv, node.additionalProperties, label, `${path}[*]`);
}
