// Kubernetes field paths for admission causes; the JSON value helpers live in src/api/json.ts.

export { cloneJson, isPlainObject, type JsonObject } from '../../src/api/json.ts';

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
