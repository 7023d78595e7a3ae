/**
 * Prometheus metrics (prom-client). One registry per process, passed in from the composition root;
 * modules register their collectors on it. Values that live elsewhere (the writer thread's counts)
 * are read when Prometheus scrapes, through `collect`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

export function createRegistry(opts: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'minewarden_process_' });
  return registry;
}
