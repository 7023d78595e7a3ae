/** Prometheus metrics of the sensors, read from their health at scrape time. */
import { Counter, Gauge, type Registry } from '../core/metrics.ts';
import type { SensorHealthView } from './types.ts';

export function registerSensorMetrics(registry: Registry, health: () => SensorHealthView[]): void {
  const labelNames = ['sensor', 'kind'];
  const each = (set: (h: SensorHealthView, labels: { sensor: string; kind: string }) => void): void => {
    for (const h of health()) set(h, { sensor: h.id, kind: h.kind });
  };
  new Counter({ name: 'minewarden_sensor_events_total', help: 'Events a sensor produced', labelNames, registers: [registry], collect() {
    this.reset();
    each((h, l) => this.inc(l, h.events));
  } });
  new Counter({ name: 'minewarden_sensor_errors_total', help: 'Records, lines or packets a sensor skipped as malformed', labelNames, registers: [registry], collect() {
    this.reset();
    each((h, l) => this.inc(l, h.errors));
  } });
  new Gauge({ name: 'minewarden_sensor_events_per_second', help: 'Events per second over the last minute', labelNames, registers: [registry], collect() {
    this.reset();
    each((h, l) => this.set(l, h.rate));
  } });
  new Gauge({ name: 'minewarden_sensor_last_event_timestamp_seconds', help: 'When the sensor last produced an event (0: never)', labelNames, registers: [registry], collect() {
    this.reset();
    each((h, l) => this.set(l, h.lastEventAt / 1000));
  } });
}
