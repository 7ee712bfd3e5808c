// Condition helpers. Pure: they return new arrays and never mutate their input (objects from the
// store are frozen).
import type { Condition } from '../api/types.ts';

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason?: string;
  message?: string;
}

/**
 * Set (add or replace) the condition of `input.type`. lastTransitionTime is kept when the status did
 * not change, so re-setting an unchanged condition yields an equal array and writes nothing.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date,
  observedGeneration?: number,
): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.message !== undefined ? { message: input.message } : {}),
    lastTransitionTime:
      previous && previous.status === input.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now.toISOString(),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (!previous) return [...list.map((c) => ({ ...c })), next];
  return list.map((c) => (c.type === input.type ? next : { ...c }));
}

/** Remove the condition of `type`. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type).map((c) => ({ ...c }));
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

export function isFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'False';
}
