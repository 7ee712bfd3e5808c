// A Prometheus histogram family whose series are plain bucket counters: a series is bound once (per
// controller) and an observation is a binary search and three increments, with no label work and no
// allocation (prom-client's own Histogram hashes the labels on every observe). prom-client's
// Registry formats it like any of its metrics: the family answers its metric interface (`get`).
import type { Metric, Registry } from 'prom-client';

interface Series {
  labels: Record<string, string>;
  /** counts[i]: observations in (buckets[i-1], buckets[i]]; the last slot is (last bucket, +Inf). */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  /** Printed after `labels`, as prom-client does for a histogram's series labels. */
  sharedLabels?: Record<string, string>;
  value: number;
}

export class HistogramFamily {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];
  private readonly buckets: readonly number[];

  constructor(readonly name: string, readonly help: string, buckets: readonly number[], registry: Registry) {
    this.buckets = [...buckets].sort((a, b) => a - b);
    registry.registerMetric(this as unknown as Metric);
  }

  /** A series with these labels; call the returned function with each observation. */
  bind(labels: Record<string, string>): (value: number) => void {
    const s: Series = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
    this.series.push(s);
    const bounds = this.buckets;
    return (value) => {
      let lo = 0;
      let hi = bounds.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (value <= bounds[mid]!) hi = mid;
        else lo = mid + 1;
      }
      s.counts[lo]!++;
      s.sum += value;
      s.count++;
    };
  }

  /** prom-client's metric interface: what Registry.metrics() prints. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le }, sharedLabels: s.labels, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Registry.resetMetrics(): every series back to zero. */
  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
