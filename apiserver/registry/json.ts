// Small JSON helpers used on the admission hot path.

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

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `parent.child` for a property; the bare name at the root. */
export function childPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** `parent[3]` for an array element. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** `parent[key]` for a map entry (as Kubernetes' field.Path.Key). */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

export function isIdentifier(key: string): boolean {
  return IDENTIFIER.test(key);
}
