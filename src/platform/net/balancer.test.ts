import { describe, expect, it } from 'vitest';
import { Balancer } from './balancer.ts';
import type { BackendSlot } from './balancer.ts';

const b = (name: string, ready?: boolean) => ({ name, address: '127.0.0.1', port: 1000 + name.charCodeAt(0), ready });
const names = (slots: Array<BackendSlot | undefined>) => slots.map((s) => s?.backend.name);

describe('balancer', () => {
  it('round-robins over ready backends only', () => {
    const bal = new Balancer({ backends: [b('a'), b('b', false), b('c')] });
    expect(names([bal.pick(), bal.pick(), bal.pick(), bal.pick()])).toEqual(['a', 'c', 'a', 'c']);
  });

  it('returns undefined with no ready backend', () => {
    const bal = new Balancer({ backends: [b('a', false)] });
    expect(bal.pick()).toBeUndefined();
    expect(bal.hasReady).toBe(false);
  });

  it('keeps connection counts for backends that stay across setBackends', () => {
    const bal = new Balancer({ backends: [b('a'), b('b')] });
    const a = bal.pick()!;
    a.active++;
    bal.setBackends([b('a'), b('c')]);
    const again = [bal.pick(), bal.pick()].find((s) => s?.backend.name === 'a');
    expect(again).toBe(a);
    expect(again!.active).toBe(1);
  });

  it('marks removed backends unready so retries and affinity skip them', () => {
    const bal = new Balancer({ backends: [b('a')] });
    const a = bal.pick()!;
    bal.setBackends([b('b')]);
    expect(a.ready).toBe(false);
    expect(names([bal.pick(), bal.pick()])).toEqual(['b', 'b']);
  });

  it('picks the least busy backend', () => {
    const bal = new Balancer({ backends: [b('a'), b('b'), b('c')], policy: 'LeastConnections' });
    const first = bal.pick()!;
    first.active += 2;
    const second = bal.pick()!;
    second.active += 1;
    const third = bal.pick()!;
    expect(new Set([first, second, third]).size).toBe(3);
    expect(third.active).toBe(0);
  });

  it('picks randomly with the injected source', () => {
    const values = [0.1, 0.9, 0.5];
    const bal = new Balancer({ backends: [b('a'), b('b'), b('c')], policy: 'Random', random: () => values.shift()! });
    expect(names([bal.pick(), bal.pick(), bal.pick()])).toEqual(['a', 'c', 'b']);
  });

  it('keeps a client IP on its backend with affinity, and re-picks when that backend leaves', () => {
    const bal = new Balancer({ backends: [b('a'), b('b')], clientIPAffinity: true });
    const first = bal.pick('10.0.0.1')!;
    expect(bal.pick('10.0.0.1')).toBe(first);
    expect(bal.pick('10.0.0.2')).not.toBe(first);
    bal.setBackends([b(first.backend.name === 'a' ? 'b' : 'a')]);
    expect(bal.pick('10.0.0.1')).not.toBe(first);
  });

  it('excludes backends a connection already failed on', () => {
    const bal = new Balancer({ backends: [b('a'), b('b')] });
    const a = bal.pick()!;
    expect(bal.pick(undefined, new Set([a]))?.backend.name).toBe('b');
    expect(bal.pick(undefined, new Set([a, bal.pick(undefined, new Set([a]))!]))).toBeUndefined();
  });

  it('switches policy and affinity live', () => {
    const bal = new Balancer({ backends: [b('a'), b('b')] });
    bal.setPolicy('LeastConnections', true);
    expect(bal.getPolicy()).toEqual({ policy: 'LeastConnections', clientIPAffinity: true });
    bal.setPolicy('RoundRobin', false);
    expect(bal.getPolicy()).toEqual({ policy: 'RoundRobin', clientIPAffinity: false });
  });
});
