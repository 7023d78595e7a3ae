/**
 * Prometheus metrics of the DNS gateway, read at scrape time from its counters — the main
 * thread's and, with several workers, the sum of every worker's last report (at most 1 s old).
 */
import { Counter, Gauge, type Registry } from '../core/metrics.ts';
import type { Gateway } from './gateway.ts';
import { LATENCY_BOUNDS } from './server/latency.ts';

export function registerDnsMetrics(registry: Registry, gw: Gateway): void {
  new Counter({
    name: 'minewarden_dns_queries_total', help: 'DNS queries answered, by outcome', labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [o, n] of gw.totals().byOutcome) this.inc({ outcome: o }, n);
    },
  });
  new Counter({
    name: 'minewarden_dns_matched_total', help: 'DNS queries that matched an indicator, by outcome (blocked, monitored, allowed) and category',
    labelNames: ['outcome', 'category'], registers: [registry],
    collect() {
      this.reset();
      for (const [k, n] of gw.totals().byCategory) {
        const [outcome = '', category = ''] = k.split('\u0000');
        this.inc({ outcome, category }, n);
      }
    },
  });
  registerLatency(registry, gw);
  const simple = (name: string, help: string, read: (t: ReturnType<Gateway['totals']>) => number): void => {
    new Counter({ name, help, registers: [registry], collect() {
      this.reset();
      this.inc(read(gw.totals()));
    } });
  };
  simple('minewarden_dns_malformed_total', 'Packets that were not a valid query', (t) => t.malformed);
  simple('minewarden_dns_dropped_total', 'Queries deliberately left unanswered (rate limit)', (t) => t.dropped);
  simple('minewarden_dns_errors_total', 'Queries that failed inside the gateway (answered SERVFAIL)', (t) => t.errors);
  simple('minewarden_dns_querylog_drops_total', 'Queries not logged because the event writer was behind', (t) => t.logDrops);
  simple('minewarden_dns_cache_hits_total', 'Answers from the cache', (t) => t.cache.hits);
  simple('minewarden_dns_cache_misses_total', 'Queries the cache could not answer', (t) => t.cache.misses);
  simple('minewarden_dns_cache_stale_total', 'Expired answers served because upstreams failed (RFC 8767)', (t) => t.cache.stale);
  new Gauge({ name: 'minewarden_dns_cache_hit_ratio', help: 'Cache hits / (hits + misses) since start', registers: [registry], collect() {
    const c = gw.totals().cache;
    const all = c.hits + c.misses;
    this.set(all === 0 ? 0 : c.hits / all);
  } });
  new Gauge({ name: 'minewarden_dns_cache_entries', help: 'Answers in the cache (summed over worker threads, each has its own)', registers: [registry], collect() {
    this.set(gw.totals().cache.size);
  } });
  new Gauge({ name: 'minewarden_dns_workers', help: 'Threads answering DNS over UDP (the main thread included)', registers: [registry], collect() {
    this.set(gw.totals().threads);
  } });
  new Gauge({ name: 'minewarden_dns_upstream_up', help: '1 when the upstream is not marked down (main thread view)', labelNames: ['upstream'], registers: [registry], collect() {
    this.reset();
    for (const u of gw.stages.upstream.health()) this.set({ upstream: u.upstream }, u.up ? 1 : 0);
  } });
  new Counter({ name: 'minewarden_dns_upstream_failures_total', help: 'Upstream queries that timed out or failed (main thread)', labelNames: ['upstream'], registers: [registry], collect() {
    this.reset();
    for (const u of gw.stages.upstream.health()) this.inc({ upstream: u.upstream }, u.failed);
  } });
}

const LATENCY = 'minewarden_dns_query_duration_seconds';

/**
 * The latency histogram from the gateway's bucket counts: a metric object in prom-client's own
 * shape (what its Histogram.get() returns), since a Histogram can only be fed one observation
 * at a time and worker threads send counts.
 */
function registerLatency(registry: Registry, gw: Gateway): void {
  registry.registerMetric({
    name: LATENCY,
    help: 'Time from query to answer',
    type: 'histogram',
    aggregator: 'sum',
    get: () => {
      const l = gw.totals().latency;
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      let cumulative = 0;
      LATENCY_BOUNDS.forEach((le, i) => {
        cumulative += l.counts[i] ?? 0;
        values.push({ labels: { le }, value: cumulative, metricName: `${LATENCY}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, value: l.count, metricName: `${LATENCY}_bucket` });
      values.push({ labels: {}, value: l.sumUs / 1e6, metricName: `${LATENCY}_sum` });
      values.push({ labels: {}, value: l.count, metricName: `${LATENCY}_count` });
      return Promise.resolve({ name: LATENCY, help: 'Time from query to answer', type: 'histogram', values, aggregator: 'sum' });
    },
  } as unknown as Parameters<Registry['registerMetric']>[0]); // prom-client types registerMetric as its Metric class; this object has the shape its registry reads
}
