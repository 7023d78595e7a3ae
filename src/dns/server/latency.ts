/**
 * Query latency as Prometheus histogram buckets, counted in plain arrays: an observation is a
 * few comparisons and one increment (prom-client's Histogram.observe hashes labels on every
 * call), and DNS worker threads send their counts to the main thread as a copy of the array,
 * which adds them into the one histogram /metrics shows.
 */

/** Upper bounds in seconds, as Prometheus `le` labels. */
export const LATENCY_BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;
const BOUNDS_US = LATENCY_BOUNDS.map((s) => s * 1e6);

export class LatencyCounts {
  /** counts[i]: observations ≤ LATENCY_BOUNDS[i] and above the bound before; the last: above all. */
  readonly counts = new Float64Array(LATENCY_BOUNDS.length + 1);
  sumUs = 0;
  count = 0;

  observe(us: number): void {
    let i = 0;
    while (i < BOUNDS_US.length && us > BOUNDS_US[i]!) i++;
    this.counts[i]!++;
    this.sumUs += us;
    this.count++;
  }

  add(other: { counts: ArrayLike<number>; sumUs: number; count: number }): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.sumUs += other.sumUs;
    this.count += other.count;
  }

  snapshot(): { counts: number[]; sumUs: number; count: number } {
    return { counts: [...this.counts], sumUs: this.sumUs, count: this.count };
  }
}
