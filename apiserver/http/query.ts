// Query parameters of object requests, validated once with stable 400 errors.
import { ApiError } from '../../src/api/status.ts';
import type { PropagationPolicy } from '../../src/api/store.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function bad(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values) if (v !== 'All') throw bad(`dryRun: Unsupported value: "${v.slice(0, 100)}": supported values: "All"`);
  return true;
}

export function fieldValidationOf(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw bad(`fieldValidation: Unsupported value: "${v.slice(0, 100)}": supported values: "Ignore", "Strict", "Warn"`);
}

/** Go's strconv.ParseBool, as Kubernetes parses boolean query parameters; absent or empty is false. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '' || FALSE.has(v)) return false;
  if (TRUE.has(v)) return true;
  throw bad(`${name}: invalid boolean value "${v.slice(0, 100)}": must be one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False`);
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d{1,12}$/.test(v)) throw bad(`${name}: invalid value "${v.slice(0, 100)}": must be a non-negative integer`);
  return Number(v);
}

export function propagationOf(value: unknown): PropagationPolicy | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'Background' || value === 'Foreground' || value === 'Orphan') return value;
  throw bad(`propagationPolicy: Unsupported value: "${String(value).slice(0, 100)}": supported values: "Foreground", "Background", "Orphan"`);
}

/** `fieldManager` must be at most 128 printable characters, like Kubernetes. */
export function fieldManagerOf(q: URLSearchParams): string | undefined {
  const v = q.get('fieldManager');
  if (v === null || v === '') return undefined;
  if (v.length > 128 || /[^\x20-\x7e]/.test(v)) throw bad('fieldManager: Invalid value: must be at most 128 printable characters');
  return v;
}

/**
 * The manager of a write: `fieldManager`, else (for writes other than apply) the User-Agent's
 * program name (`kubectl/v1.32.0 (linux/amd64)` -> `kubectl`), as kube-apiserver derives it.
 */
export function writeManagerOf(q: URLSearchParams, userAgent: string | undefined): string | undefined {
  const explicit = fieldManagerOf(q);
  if (explicit) return explicit;
  const name = userAgent?.split('/')[0]?.trim().slice(0, 128);
  return name && !/[^\x20-\x7e]/.test(name) ? name : undefined;
}
