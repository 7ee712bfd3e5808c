// Kubernetes label and field selectors: parsed once per request into a predicate.
import type { KubeObject } from '../../src/api/types.ts';
import { errors } from '../../src/api/status.ts';

export type Predicate = (obj: KubeObject) => boolean;

const always: Predicate = () => true;

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> }
  | { op: 'exists' | 'notexists'; key: string };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function fail(selector: string, why: string): never {
  throw errors.badRequest(`unable to parse requirement: ${why} (in label selector "${selector}")`);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) fail(selector, 'unbalanced parentheses');
  }
  if (depth !== 0) fail(selector, 'unbalanced parentheses');
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

function checkKey(selector: string, key: string): string {
  if (!KEY.test(key) || key.length > 316) fail(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (!VALUE.test(value) || value.length > 63) fail(selector, `invalid label value: "${value}"`);
  return value;
}

function parseRequirement(selector: string, part: string): Requirement {
  if (part === '') fail(selector, 'found empty requirement');
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (setMatch) {
    const values = setMatch[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return {
      op: setMatch[2] as 'in' | 'notin',
      key: checkKey(selector, setMatch[1]),
      values: new Set(values.map((v) => checkValue(selector, v))),
    };
  }
  const cmp = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(part);
  if (cmp) {
    return {
      op: cmp[2] === '!=' ? 'neq' : 'eq',
      key: checkKey(selector, cmp[1]),
      value: checkValue(selector, cmp[3]),
    };
  }
  if (part.startsWith('!')) return { op: 'notexists', key: checkKey(selector, part.slice(1).trim()) };
  return { op: 'exists', key: checkKey(selector, part) };
}

function matches(req: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key] : undefined;
  switch (req.op) {
    case 'eq':
      return value === req.value;
    case 'neq':
      return value !== req.value;
    case 'in':
      return value !== undefined && req.values.has(value);
    case 'notin':
      return value === undefined || !req.values.has(value);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function parseLabelSelector(selector: string | undefined): Predicate {
  if (selector === undefined || selector.trim() === '') return always;
  const reqs = splitTopLevel(selector).map((part) => parseRequirement(selector, part));
  return (obj) => {
    const labels = obj.metadata.labels;
    for (const req of reqs) if (!matches(req, labels)) return false;
    return true;
  };
}

const FIELDS: Record<string, (obj: KubeObject) => string | undefined> = {
  'metadata.name': (obj) => obj.metadata.name,
  'metadata.namespace': (obj) => obj.metadata.namespace ?? '',
};

/** The value of a selectable field (`involvedObject.name`) as a field selector compares it: a string, or '' when absent. */
function fieldValue(obj: KubeObject, label: string): string {
  let at: unknown = obj;
  for (const part of label.split('.')) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  if (at === undefined || at === null) return '';
  return typeof at === 'object' ? JSON.stringify(at) : String(at);
}

/**
 * `selectable`: the kind's selectable fields beyond metadata.name and metadata.namespace (the
 * CRD's `selectableFields`, e.g. `involvedObject.name` on Events).
 */
export function parseFieldSelector(selector: string | undefined, selectable: readonly string[] = []): Predicate {
  if (selector === undefined || selector.trim() === '') return always;
  const reqs = splitTopLevel(selector).map((part) => {
    const m = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid field selector: "${part}"`);
    const label = m[1];
    const get = FIELDS[label] ?? (selectable.includes(label) ? (obj: KubeObject) => fieldValue(obj, label) : undefined);
    if (!get) {
      throw errors.badRequest(`field label not supported: ${label} (supported: ${['metadata.name', 'metadata.namespace', ...selectable].join(', ')})`);
    }
    return { get, negate: m[2] === '!=', value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (r.get(obj) === r.value) !== r.negate);
}


// ------------------------------------------------------------------ continue tokens

/** The token a cut list hands out: the last key it returned (opaque to clients). */
export function encodeContinue(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey })).toString('base64url');
}

/** The last key of the previous page; a token that is not ours is 400 BadRequest. */
export function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid');
}
