// HistogramFamily prints exactly what prom-client's own Histogram prints for the same observations
// (bucket edges included: a value equal to a bound counts in that bucket).
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistogramFamily } from './histogram-family.ts';

describe('HistogramFamily', () => {
  it('matches prom-client\'s Histogram line for line, per bound series', async () => {
    const buckets = [0.001, 0.01, 0.1, 1, 10];
    const ours = new Registry();
    const theirs = new Registry();
    const family = new HistogramFamily('x_seconds', 'help text', buckets, ours);
    const reference = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['controller'], buckets, registers: [theirs] });
    const values = { a: [0, 0.001, 0.0011, 0.5, 1, 12, 99], b: [0.01, 0.01, 10] };
    for (const [controller, vs] of Object.entries(values)) {
      const observe = family.bind({ controller });
      reference.zero({ controller });
      for (const v of vs) {
        observe(v);
        reference.observe({ controller }, v);
      }
    }
    family.bind({ controller: 'idle' });
    reference.zero({ controller: 'idle' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('x_seconds_count{controller="a"} 0');
  });
});
