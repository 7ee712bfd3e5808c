// JSON values: the one place for their plain-object test, deep copy and structural equality.
// Used by admission (registry), the store, the runtime, controllers and the CLI.

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy of a JSON value (objects, arrays, primitives); faster than structuredClone for small objects. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  // As JSON.stringify would: a Date (or anything with toJSON) becomes what it serialises to.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return cloneJson((value as unknown as { toJSON(): T }).toJSON());
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: JsonObject = {};
  for (const key in value) {
    const v = (value as JsonObject)[key];
    if (v !== undefined) out[key] = cloneJson(v);
  }
  return out as T;
}

/**
 * Structural equality of JSON values, for "write only what changed". Key order does not matter;
 * `undefined` object members are treated as absent (they do not survive a JSON round-trip).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  let count = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    if (!deepEqual(ao[k], bo[k])) return false;
    count++;
  }
  for (const k in bo) if (bo[k] !== undefined) count--;
  return count === 0;
}
