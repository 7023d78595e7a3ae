/** Prometheus metrics of the DNS gateway, read at scrape time from its counters. */
import { Counter, Gauge, Histogram, type Registry } from '../core/metrics.ts';
import type { Gateway } from './gateway.ts';

export function registerDnsMetrics(registry: Registry, gw: Gateway): void {
  const h = gw.handler;
  new Counter({
    name: 'minewarden_dns_queries_total', help: 'DNS queries answered, by outcome', labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [o, n] of h.stats.byOutcome) this.inc({ outcome: o }, n);
    },
  });
  new Counter({
    name: 'minewarden_dns_matched_total', help: 'DNS queries that matched an indicator, by outcome (blocked, monitored, allowed) and category',
    labelNames: ['outcome', 'category'], registers: [registry],
    collect() {
      this.reset();
      for (const [k, n] of h.stats.byCategory) {
        const [outcome = '', category = ''] = k.split('\u0000');
        this.inc({ outcome, category }, n);
      }
    },
  });
  const latency = new Histogram({
    name: 'minewarden_dns_query_duration_seconds', help: 'Time from query to answer', registers: [registry],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  h.onAnswer = (_outcome, us) => latency.observe(us / 1e6);
  const simple = (name: string, help: string, read: () => number): void => {
    new Counter({ name, help, registers: [registry], collect() {
      this.reset();
      this.inc(read());
    } });
  };
  simple('minewarden_dns_malformed_total', 'Packets that were not a valid query', () => h.stats.malformed);
  simple('minewarden_dns_dropped_total', 'Queries deliberately left unanswered (rate limit)', () => h.stats.dropped);
  simple('minewarden_dns_errors_total', 'Queries that failed inside the gateway (answered SERVFAIL)', () => h.stats.errors);
  simple('minewarden_dns_querylog_drops_total', 'Queries not logged because the event writer was behind', () => h.stats.logDrops);
  const c = gw.stages.cache;
  simple('minewarden_dns_cache_hits_total', 'Answers from the cache', () => c.stats.hits);
  simple('minewarden_dns_cache_misses_total', 'Queries the cache could not answer', () => c.stats.misses);
  simple('minewarden_dns_cache_stale_total', 'Expired answers served because upstreams failed (RFC 8767)', () => c.stats.stale);
  new Gauge({ name: 'minewarden_dns_cache_hit_ratio', help: 'Cache hits / (hits + misses) since start', registers: [registry], collect() {
    const all = c.stats.hits + c.stats.misses;
    this.set(all === 0 ? 0 : c.stats.hits / all);
  } });
  new Gauge({ name: 'minewarden_dns_cache_entries', help: 'Answers in the cache', registers: [registry], collect() {
    this.set(c.size);
  } });
  new Gauge({ name: 'minewarden_dns_upstream_up', help: '1 when the upstream is not marked down', labelNames: ['upstream'], registers: [registry], collect() {
    this.reset();
    for (const u of gw.stages.upstream.health()) this.set({ upstream: u.upstream }, u.up ? 1 : 0);
  } });
  new Counter({ name: 'minewarden_dns_upstream_failures_total', help: 'Upstream queries that timed out or failed', labelNames: ['upstream'], registers: [registry], collect() {
    this.reset();
    for (const u of gw.stages.upstream.health()) this.inc({ upstream: u.upstream }, u.failed);
  } });
}
