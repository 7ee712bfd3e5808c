// Patch application: JSON patch (RFC 6902, fast-json-patch), JSON merge patch (RFC 7386; strategic
// merge is treated as merge, as Tilt's and DCP's API servers do) and the merge patch that turns one
// server-side apply into the next.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, errors } from '../../src/api/status.ts';
import { cloneJson, deepEqual, isPlainObject } from '../../src/api/json.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw errors.badRequest('json patch must be an array of operations');
  const problem = jsonpatch.validate(patch as Operation[], target);
  if (problem) throw new ApiError('Invalid', `the json patch is invalid: ${problem.message.split('\n')[0]}`);
  try {
    return jsonpatch.applyPatch(cloneJson(target), patch as Operation[], false, true).newDocument;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ApiError('Invalid', `the json patch could not be applied: ${message}`);
  }
}

/**
 * The merge patch that takes a manager's previous applied configuration to its new one: everything
 * in `next`, plus a null for each field the manager applied before and has now dropped — unless
 * someone else has changed that field since (then they own it, as in Kubernetes server-side apply,
 * and it stays). Lists are atomic, as in a merge patch.
 */
export function applyConfigurationPatch(previous: unknown, next: unknown, current: unknown): unknown {
  if (!isPlainObject(next)) return next;
  const patch: Record<string, unknown> = {};
  const prev = isPlainObject(previous) ? previous : {};
  const live = isPlainObject(current) ? current : {};
  for (const key of Object.keys(prev)) {
    if (!(key in next) && deepEqual(live[key], prev[key])) patch[key] = null;
  }
  for (const [key, value] of Object.entries(next)) {
    patch[key] = isPlainObject(value) && isPlainObject(prev[key]) ? applyConfigurationPatch(prev[key], value, live[key]) : value;
  }
  return patch;
}
