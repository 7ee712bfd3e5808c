// ajv errors -> Kubernetes StatusCauses: field paths in Kubernetes form (`spec.endpoints[0].port`,
// map keys as `[key]`) and the messages kube-openapi's validator produces.
import type { ErrorObject } from 'ajv';
import type { StatusCause } from '../../src/api/status.ts';
import { childPath, indexPath, isPlainObject, keyPath, type JsonObject } from './json.ts';

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Walks schema and data along a JSON pointer; returns the field path and the value found there. */
export function resolvePointer(pointer: string, schema: JsonObject, data: unknown): { field: string; value: unknown } {
  let field = '';
  let node: JsonObject | undefined = schema;
  let value = data;
  if (pointer === '') return { field, value };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = unescapePointer(raw);
    if (Array.isArray(value)) {
      field = indexPath(field, Number(seg));
      node = node && isPlainObject(node.items) ? node.items : undefined;
    } else if (node && isPlainObject(node.properties) && isPlainObject(node.properties[seg])) {
      field = childPath(field, seg);
      node = node.properties[seg] as JsonObject;
    } else if (node && node.additionalProperties !== undefined) {
      field = keyPath(field, seg);
      node = isPlainObject(node.additionalProperties) ? node.additionalProperties : undefined;
    } else {
      field = childPath(field, seg);
      node = undefined;
    }
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return { field, value };
}

/** Go-style type name Kubernetes prints for a JSON value. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${detail}` };
}

/** Errors under a failing anyOf/oneOf branch are noise: the junctor's own error is reported. */
function isBranchError(err: ErrorObject): boolean {
  return /\/(anyOf|oneOf)\/\d+\//.test(err.schemaPath) || /\/not\//.test(err.schemaPath);
}

export function causesFromAjv(errs: ErrorObject[], schema: JsonObject, data: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  for (const err of errs) {
    if (isBranchError(err)) continue;
    const { field, value } = resolvePointer(err.instancePath, schema, data);
    const cause = causeFor(err, field, value);
    const id = `${cause.reason}\0${cause.field}\0${cause.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(cause);
  }
  return out;
}

function causeFor(err: ErrorObject, field: string, value: unknown): StatusCause {
  const p = err.params as Record<string, unknown>;
  const where = field || '<root>';
  switch (err.keyword) {
    case 'required':
      return { reason: 'FieldValueRequired', field: childPath(field, String(p.missingProperty)), message: 'Required value' };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(show).join(', ');
      return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${show(value)}: supported values: ${allowed}` };
    }
    case 'type': {
      const t = typeName(value);
      const expected = Array.isArray(p.type) ? (p.type as string[]).filter((x) => x !== 'null').join(',') : String(p.type);
      return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: "${t}": ${where} in body must be of type ${expected}: "${t}"` };
    }
    case 'minimum':
      return invalid(field, value, `${where} in body should be greater than or equal to ${p.limit}`);
    case 'exclusiveMinimum':
      return invalid(field, value, `${where} in body should be greater than ${p.limit}`);
    case 'maximum':
      return invalid(field, value, `${where} in body should be less than or equal to ${p.limit}`);
    case 'exclusiveMaximum':
      return invalid(field, value, `${where} in body should be less than ${p.limit}`);
    case 'multipleOf':
      return invalid(field, value, `${where} in body should be a multiple of ${p.multipleOf}`);
    case 'minLength':
      return invalid(field, value, `${where} in body should be at least ${p.limit} chars long`);
    case 'maxLength':
      return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${p.limit} bytes` };
    case 'pattern':
      return invalid(field, value, `${where} in body should match '${p.pattern}'`);
    case 'format':
      return invalid(field, value, `${where} in body must be of type ${p.format}: ${show(value)}`);
    case 'minItems':
      return invalid(field, Array.isArray(value) ? value.length : value, `${where} in body should have at least ${p.limit} items`);
    case 'maxItems':
      return { reason: 'FieldValueTooMany', field, message: `Too many: ${Array.isArray(value) ? value.length : '?'}: must have at most ${p.limit} items` };
    case 'minProperties':
      return invalid(field, isPlainObject(value) ? Object.keys(value).length : value, `${where} in body should have at least ${p.limit} properties`);
    case 'maxProperties':
      return { reason: 'FieldValueTooMany', field, message: `Too many: ${isPlainObject(value) ? Object.keys(value).length : '?'}: must have at most ${p.limit} properties` };
    case 'oneOf':
      return invalid(field, value, `${where} in body must match exactly one schema in oneOf`);
    case 'anyOf':
      return invalid(field, value, `${where} in body must match at least one schema in anyOf`);
    case 'not':
      return invalid(field, value, `${where} in body should not be valid against the given schema`);
    default:
      return invalid(field, value, `${where} ${err.message ?? 'is invalid'}`);
  }
}
