import { describe, expect, it } from 'vitest';
import { getCondition, isFalse, isTrue, removeCondition, setCondition } from './conditions.ts';
import { deepEqual } from '../api/json.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');

describe('conditions', () => {
  it('adds a condition with lastTransitionTime and observedGeneration', () => {
    const c = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Starting', message: 'm' }, t0, 3);
    expect(c).toEqual([
      { type: 'Ready', status: 'False', reason: 'Starting', message: 'm', lastTransitionTime: t0.toISOString(), observedGeneration: 3 },
    ]);
  });

  it('keeps lastTransitionTime when the status did not change, even if reason/message did', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'A' }, t0);
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'B', message: 'later' }, t1);
    expect(b[0]!.lastTransitionTime).toBe(t0.toISOString());
    expect(b[0]!.reason).toBe('B');
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'Ok' }, t1);
    expect(c[0]!.lastTransitionTime).toBe(t1.toISOString());
  });

  it('re-setting an unchanged condition yields an equal array and does not mutate frozen input', () => {
    const a = Object.freeze(setCondition([], { type: 'Ready', status: 'True', reason: 'Ok' }, t0).map((x) => Object.freeze(x)));
    const b = setCondition(a, { type: 'Ready', status: 'True', reason: 'Ok' }, t1);
    expect(deepEqual(a, b)).toBe(true);
    expect(b).not.toBe(a);
  });

  it('replaces in place and preserves the order of other conditions', () => {
    let c = setCondition([], { type: 'A', status: 'True' }, t0);
    c = setCondition(c, { type: 'B', status: 'False' }, t0);
    c = setCondition(c, { type: 'A', status: 'False' }, t1);
    expect(c.map((x) => x.type)).toEqual(['A', 'B']);
    expect(getCondition(c, 'A')?.status).toBe('False');
    expect(isTrue(c, 'A')).toBe(false);
    expect(isFalse(c, 'A')).toBe(true);
    expect(isTrue(c, 'Missing')).toBe(false);
    expect(removeCondition(c, 'A').map((x) => x.type)).toEqual(['B']);
  });
});

describe('deepEqual', () => {
  it('compares JSON structurally, ignoring key order and undefined members', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });
});
