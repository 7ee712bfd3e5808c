// What the store adds to the JSON helpers of src/api/json.ts: deep freezing, timestamps, uids and
// flat strings (what it keeps for as long as an object lives should cost as little as it can).
import { randomUUID } from 'node:crypto';

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A flat copy of a string built by concatenation. V8 keeps `a + b` (13 characters or more) as a
 * tree of its parts, 32 bytes a node, until something flattens it: a uid from `randomUUID()` is a
 * tree of ~20 nodes (~600 bytes instead of ~56), a `namespace/name` key two nodes and a copy of
 * `namespace/`. Strings the store keeps per object go through here once.
 */
export function flatString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** A new metadata.uid (RFC 4122 v4), flat. */
export function newUid(): string {
  return flatString(randomUUID());
}

let lastSecond = NaN;
let lastText = '';

/**
 * RFC 3339 with second precision, as Kubernetes writes timestamps. Every write within one second
 * gets the same string (one copy for all the objects created in it, not one each).
 */
export function rfc3339(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = flatString(date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    lastSecond = second;
  }
  return lastText;
}
