// Generic ObjectMeta validation, as Kubernetes' ValidateObjectMeta does for custom resources:
// name (RFC 1123 subdomain), namespace (RFC 1123 label), labels, annotations (≤ 256 KiB in total),
// ownerReferences, finalizers, and the types of the system fields.
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  labelValueErrors,
  qualifiedNameErrors,
} from '../../src/api/names.ts';
import type { StatusCause } from '../../src/api/status.ts';
import { isPlainObject, type JsonObject } from './json.ts';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const FIELD_TYPES: Record<string, 'string' | 'integer'> = {
  generateName: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'integer',
  creationTimestamp: 'string',
  deletionTimestamp: 'string',
  deletionGracePeriodSeconds: 'integer',
};

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function typeInvalid(field: string, value: unknown, expected: string): StatusCause {
  const t = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: "${t}": ${field} in body must be of type ${expected}: "${t}"` };
}

export function metadataCauses(meta: unknown, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isPlainObject(meta)) {
    return [{ reason: 'FieldValueRequired', field: 'metadata', message: 'Required value' }];
  }
  const name = meta.name;
  if (name === undefined || name === '') {
    if (typeof meta.generateName !== 'string' || meta.generateName === '') {
      causes.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
    }
  } else if (typeof name !== 'string') {
    causes.push(typeInvalid('metadata.name', name, 'string'));
  } else {
    for (const m of dns1123SubdomainErrors(name)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${show(name)}: ${m}` });
  }

  const ns = meta.namespace;
  if (ns !== undefined && ns !== '') {
    if (typeof ns !== 'string') causes.push(typeInvalid('metadata.namespace', ns, 'string'));
    else if (!namespaced) causes.push({ reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' });
    else for (const m of dns1123LabelErrors(ns)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.namespace', message: `Invalid value: ${show(ns)}: ${m}` });
  }

  for (const key in FIELD_TYPES) {
    const v = meta[key];
    if (v === undefined || v === null) continue;
    const expected = FIELD_TYPES[key]!;
    const ok = expected === 'string' ? typeof v === 'string' : Number.isInteger(v);
    if (!ok) causes.push(typeInvalid(`metadata.${key}`, v, expected));
  }

  if (meta.labels !== undefined && meta.labels !== null) labelCauses(meta.labels, causes);
  if (meta.annotations !== undefined && meta.annotations !== null) annotationCauses(meta.annotations, causes);
  if (meta.ownerReferences !== undefined && meta.ownerReferences !== null) ownerCauses(meta.ownerReferences, causes);
  if (meta.finalizers !== undefined && meta.finalizers !== null) finalizerCauses(meta.finalizers, causes);
  return causes;
}

function labelCauses(labels: unknown, causes: StatusCause[]): void {
  if (!isPlainObject(labels)) {
    causes.push(typeInvalid('metadata.labels', labels, 'object'));
    return;
  }
  for (const key in labels) {
    const value = labels[key];
    for (const m of qualifiedNameErrors(key)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: ${show(key)}: ${m}` });
    if (typeof value !== 'string') {
      causes.push(typeInvalid(`metadata.labels[${key}]`, value, 'string'));
      continue;
    }
    for (const m of labelValueErrors(value)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: ${show(value)}: ${m}` });
  }
}

function annotationCauses(annotations: unknown, causes: StatusCause[]): void {
  if (!isPlainObject(annotations)) {
    causes.push(typeInvalid('metadata.annotations', annotations, 'object'));
    return;
  }
  let chars = 0;
  for (const key in annotations) {
    const value = annotations[key];
    for (const m of qualifiedNameErrors(key.toLowerCase())) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.annotations', message: `Invalid value: ${show(key)}: ${m}` });
    }
    if (typeof value !== 'string') {
      causes.push(typeInvalid(`metadata.annotations[${key}]`, value, 'string'));
      continue;
    }
    chars += key.length + value.length;
  }
  // UTF-8 is at most 3 bytes per UTF-16 unit: only count bytes when it could matter.
  if (chars * 3 > TOTAL_ANNOTATION_SIZE_LIMIT) {
    let bytes = 0;
    for (const key in annotations) {
      const value = annotations[key];
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > TOTAL_ANNOTATION_SIZE_LIMIT) {
      causes.push({ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
    }
  }
}

function ownerCauses(refs: unknown, causes: StatusCause[]): void {
  if (!Array.isArray(refs)) {
    causes.push(typeInvalid('metadata.ownerReferences', refs, 'array'));
    return;
  }
  const controllers: string[] = [];
  refs.forEach((ref: unknown, i) => {
    const path = `metadata.ownerReferences[${i}]`;
    if (!isPlainObject(ref)) {
      causes.push(typeInvalid(path, ref, 'object'));
      return;
    }
    const r = ref as JsonObject;
    const check = (field: string, what: string): void => {
      if (typeof r[field] !== 'string' || r[field] === '') {
        causes.push({ reason: 'FieldValueInvalid', field: `${path}.${field}`, message: `Invalid value: ${show(r[field] ?? '')}: ${what} must not be empty` });
      }
    };
    check('apiVersion', 'version');
    check('kind', 'kind');
    check('name', 'name');
    check('uid', 'uid');
    if (r.controller === true) controllers.push(String(r.name));
  });
  if (controllers.length > 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.ownerReferences',
      message: `Invalid value: ${show(refs)}: Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
    });
  }
}

function finalizerCauses(finalizers: unknown, causes: StatusCause[]): void {
  if (!Array.isArray(finalizers)) {
    causes.push(typeInvalid('metadata.finalizers', finalizers, 'array'));
    return;
  }
  const seen = new Set<string>();
  finalizers.forEach((f: unknown, i) => {
    const path = `metadata.finalizers[${i}]`;
    if (typeof f !== 'string') {
      causes.push(typeInvalid(path, f, 'string'));
      return;
    }
    for (const m of qualifiedNameErrors(f)) causes.push({ reason: 'FieldValueInvalid', field: path, message: `Invalid value: ${show(f)}: ${m}` });
    if (seen.has(f)) causes.push({ reason: 'FieldValueDuplicate', field: path, message: `Duplicate value: ${show(f)}` });
    seen.add(f);
  });
}
