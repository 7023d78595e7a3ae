/** Prometheus counters for the sinkhole, read from its stats at scrape time. */
import { Counter, Gauge, type Registry } from '../../core/metrics.ts';
import type { SinkholeStats } from './server.ts';

export function registerSinkholeMetrics(registry: Registry, sinkhole: { readonly stats: SinkholeStats }): void {
  const s = sinkhole.stats;
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({ name, help, registers: [registry], collect() {
      this.reset();
      this.inc(read());
    } });
  };
  counter('minewarden_sinkhole_connections_total', 'Connections to the sinkhole (blocked clients acting on a blocked name)', () => s.connections);
  counter('minewarden_sinkhole_events_total', 'Sinkhole events recorded', () => s.events);
  counter('minewarden_sinkhole_event_drops_total', 'Sinkhole events the event sink refused or could not take', () => s.dropped);
  counter('minewarden_sinkhole_refused_total', 'Connections closed at once because too many were open', () => s.refused);
  counter('minewarden_sinkhole_errors_total', 'Socket or listener errors in the sinkhole', () => s.errors);
  new Gauge({ name: 'minewarden_sinkhole_open_connections', help: 'Connections open now', registers: [registry], collect() {
    this.set(s.active);
  } });
}
