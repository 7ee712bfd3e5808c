// Server-side apply field ownership: metadata.managedFields (FieldsV1) per manager and operation,
// conflicts when an applier changes a field another manager owns, and ownership moving to whoever
// last changed a field. Lists are atomic (the default for CRD lists): a list is one field.
// Objects that were never server-side applied carry no managedFields, so ordinary writes cost
// nothing here.
import type { KubeObject } from '../../src/api/types.ts';
import { deepEqual, isPlainObject } from '../../src/api/json.ts';
import { ApiError, type StatusCause } from '../../src/api/status.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A field path, e.g. ['spec', 'replicas']; a set of them is keyed by `path.join('\0')`. */
type FieldSet = Map<string, string[]>;

/** metadata fields the server owns: never part of a field set. */
const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

function add(set: FieldSet, path: string[]): void {
  set.set(path.join('\0'), path);
}

/** The leaf fields an object (an applied configuration) sets. */
export function fieldsOf(obj: KubeObject): FieldSet {
  const set: FieldSet = new Map();
  const walk = (value: unknown, path: string[]) => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    } else add(set, path);
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_METADATA.has(mk)) walk(mv, ['metadata', mk]);
    } else walk(v, [k]);
  }
  return set;
}

/** The leaf fields whose value differs between two versions of an object (added, changed, removed). */
export function changedFields(before: KubeObject, after: KubeObject, only?: string): FieldSet {
  const set: FieldSet = new Map();
  const walk = (a: unknown, b: unknown, path: string[]) => {
    // An object that appears or goes counts by its leaves, as a field set names them.
    const objects = (isPlainObject(a) || a === undefined) && (isPlainObject(b) || b === undefined) && (a !== undefined || b !== undefined);
    if (objects && Object.keys(a ?? b ?? {}).length + Object.keys(b ?? {}).length > 0) {
      a = a ?? {};
      b = b ?? {};
      for (const k of new Set([...Object.keys(a as object), ...Object.keys(b as object)])) {
        if (path.length === 1 && path[0] === 'metadata' && SERVER_METADATA.has(k)) continue;
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]);
      }
    } else if (!deepEqual(a, b)) add(set, path);
  };
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (k === 'apiVersion' || k === 'kind' || (only !== undefined && k !== only)) continue;
    walk(before[k], after[k], [k]);
  }
  return set;
}

function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of set.values()) {
    let at = root;
    for (const part of path) at = (at[`f:${part}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

function fromFieldsV1(tree: unknown): FieldSet {
  const set: FieldSet = new Map();
  const walk = (node: unknown, path: string[]) => {
    const keys = isPlainObject(node) ? Object.keys(node).filter((k) => k.startsWith('f:')) : [];
    if (keys.length === 0) {
      if (path.length > 0) add(set, path);
      return;
    }
    for (const k of keys) walk((node as Record<string, unknown>)[k], [...path, k.slice(2)]);
  };
  walk(tree, []);
  return set;
}

/** Does `a` overlap `b`: the same field, or one inside the other (a whole list or object owned). */
function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valueAt(obj: unknown, path: string[]): unknown {
  let at = obj;
  for (const part of path) at = isPlainObject(at) ? at[part] : undefined;
  return at;
}

function entriesOf(obj: KubeObject): ManagedFieldsEntry[] {
  const mf = obj.metadata.managedFields;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : [];
}

function without(set: FieldSet, taken: FieldSet): FieldSet {
  const out: FieldSet = new Map();
  for (const [k, p] of set) if (![...taken.values()].some((t) => overlaps(t, p))) out.set(k, p);
  return out;
}

/**
 * Gives `taken` to the entry (manager, operation, subresource) — all it owns when `replace` — and
 * takes `removed` out of every other entry.
 */
function takeOwnership(entries: ManagedFieldsEntry[], who: Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>, taken: FieldSet, replace: boolean, removed: FieldSet): ManagedFieldsEntry[] {
  const same = (e: ManagedFieldsEntry) => e.manager === who.manager && e.operation === who.operation && (e.subresource ?? '') === (who.subresource ?? '');
  const before = entries.find(same);
  const mine: FieldSet = before && !replace ? fromFieldsV1(before.fieldsV1) : new Map();
  for (const [k, p] of taken) mine.set(k, p);
  const fieldsV1 = toFieldsV1(mine);
  // An entry whose fields did not change keeps its time (and place): re-applying the same thing changes nothing.
  const time = before && deepEqual(before.fieldsV1, fieldsV1) && before.apiVersion === who.apiVersion ? before.time : who.time;
  const updated: ManagedFieldsEntry | undefined = mine.size > 0 ? { ...who, time, fieldsType: 'FieldsV1', fieldsV1 } : undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (same(e)) {
      if (updated) out.push(updated);
      continue;
    }
    const owned = fromFieldsV1(e.fieldsV1);
    const left = removed.size > 0 ? without(owned, removed) : owned;
    if (left.size > 0) out.push(left.size === owned.size ? e : { ...e, fieldsV1: toFieldsV1(left) });
  }
  if (updated && !before) out.push(updated);
  return out;
}

/** The 409 kube-apiserver answers, worded as structured-merge-diff words its conflicts. */
function conflictError(live: KubeObject, causes: StatusCause[]): ApiError {
  let text: string;
  if (causes.length === 1) text = `${causes[0]!.message}: ${causes[0]!.field}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of causes) byManager.set(c.message.replace(/^conflict with /, ''), [...(byManager.get(c.message.replace(/^conflict with /, '')) ?? []), c.field!]);
    text = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((f) => `- ${f}`)]).join('\n');
  }
  return new ApiError('Conflict', `Apply failed with ${causes.length} conflict${causes.length === 1 ? '' : 's'}: ${text}`, { name: live.metadata.name, kind: live.kind, causes });
}

/**
 * managedFields after `manager` applied `applied` to `live`: throws a 409 Conflict naming the
 * fields and their managers when the apply changes a field another manager owns, unless `force`.
 */
export function managedFieldsAfterApply(live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, time: string): ManagedFieldsEntry[] {
  const fields = fieldsOf(applied);
  const entries = live ? entriesOf(live) : [];
  const causes: StatusCause[] = [];
  const conflicting: FieldSet = new Map();
  if (live) {
    const seen = new Set<string>();
    for (const e of entries) {
      if (e.manager === manager && e.operation === 'Apply') continue;
      const who = `"${e.manager}"${e.operation === 'Update' ? ` using ${e.apiVersion}` : ''}`;
      for (const owned of fromFieldsV1(e.fieldsV1).values()) {
        for (const path of fields.values()) {
          if (!overlaps(owned, path) || deepEqual(valueAt(live, path), valueAt(applied, path))) continue;
          const longer = owned.length > path.length ? owned : path;
          add(conflicting, longer);
          const field = `.${longer.join('.')}`;
          if (seen.has(`${who}|${field}`)) continue;
          seen.add(`${who}|${field}`);
          causes.push({ reason: 'FieldManagerConflict', field, message: `conflict with ${who}` });
        }
      }
    }
  }
  if (causes.length > 0 && !force) throw conflictError(live!, causes);
  // Applying the value another manager set shares the field; forcing a different one takes it.
  return takeOwnership(entries, { manager, operation: 'Apply', apiVersion: applied.apiVersion, time }, fields, true, conflicting);
}

/** managedFields after an ordinary write by `manager` (only for objects that already have some). */
export function managedFieldsAfterUpdate(before: KubeObject, after: KubeObject, manager: string | undefined, subresource: 'status' | undefined, time: string): ManagedFieldsEntry[] | undefined {
  const entries = entriesOf(before);
  if (entries.length === 0) return undefined;
  const changed = changedFields(before, after, subresource);
  if (changed.size === 0) return entries;
  if (!manager) {
    // Nobody to hand the fields to: they just stop being owned by their old manager.
    return entries.flatMap((e) => {
      const left = without(fromFieldsV1(e.fieldsV1), changed);
      return left.size > 0 ? [{ ...e, fieldsV1: toFieldsV1(left) }] : [];
    });
  }
  return takeOwnership(entries, { manager, operation: 'Update', apiVersion: after.apiVersion, time, ...(subresource ? { subresource } : {}) }, changed, false, changed);
}
