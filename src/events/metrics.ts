/**
 * Event pipeline metrics, read at scrape time from the sink (producer side) and the store's writer
 * (which may run on another thread): what was recorded, written, spooled, dropped, and why not.
 */
import { Counter, Gauge, type Registry } from '../core/metrics.ts';
import type { EventStore } from '../store/index.ts';
import type { EventSink } from './sink.ts';

export function registerEventMetrics(registry: Registry, sink: EventSink, store: EventStore): void {
  const total = (name: string, help: string, read: () => number): void => {
    new Counter({
      name, help, registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name, help, registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  total('minewarden_events_recorded_total', 'Events taken by the sink', () => sink.status().recorded);
  total('minewarden_events_rejected_total', 'Events refused by the sink (bad fields)', () => sink.status().rejected);
  total('minewarden_events_sink_dropped_total', 'Events dropped at the sink because the writer had too many waiting (overload)', () => sink.status().dropped);
  total('minewarden_events_written_total', 'Events written to the store', () => store.status().written);
  total('minewarden_events_spooled_total', 'Events spooled because the store could not write them', () => store.status().spooled);
  total('minewarden_events_dropped_total', 'Events lost: the spool could not take them either', () => store.status().dropped);
  total('minewarden_events_write_failures_total', 'Failed attempts to write a batch to the store', () => store.status().failures);
  gauge('minewarden_events_pending', 'Events accepted and not yet written (queued, in the writer or spooled)', () => store.status().pending);
  gauge('minewarden_events_spool_pending', 'Events waiting in the spool for the store', () => store.status().spoolPending);
  gauge('minewarden_events_store_failing', '1 while the last write attempt failed and the spool is not empty', () => {
    const s = store.status();
    return s.spoolPending > 0 && s.lastError !== null ? 1 : 0;
  });
}
