/**
 * The one way events enter Minewarden: `record(event)` from the DNS gateway, sensors and
 * detectors. On the producer's thread it only maps the address to its unit (longest prefix, the
 * org resolver) and fills a columnar batch; full batches — and partial ones every flushInterval —
 * go to the store's writer, which appends them on its own thread.
 *
 * A bad event (unknown outcome, say) is counted and skipped with a sample of the reason; it never
 * throws into the caller's path.
 */
import type { EventKind, HostName, MinewardenEvent } from '../model/events.ts';
import { EVENT_KINDS } from '../model/events.ts';
import { errorMessage } from '../core/errors.ts';
import { BatchBuilder, type EventStore, type HostNameNote } from '../store/index.ts';

/** What the sink needs of the organisation: address (+ site) → unit id. */
export interface UnitResolver {
  resolve(ip: string, site?: string): { unitId: string } | null;
}

/**
 * What the sink hands batches to: the event store's writer, or (in a DNS worker thread) a port to
 * the main thread's writer.
 */
export type BatchWriter = Pick<EventStore, 'write' | 'noteHostNames' | 'flush'> & { status(): { pending: number } };

export interface SinkOptions {
  /** Events per batch (the writer appends whole batches). */
  batchSize?: number;
  /** Longest time (ms) an event waits in a partial batch. */
  flushMs?: number;
  /**
   * Events the writer may have waiting before new ones are dropped (counted, never silently):
   * the bound that keeps an overloaded store from eating the gateway's memory.
   */
  maxPending?: number;
}

export interface SinkStatus {
  /** Events taken by record(). */
  recorded: number;
  /** Events refused by record() (bad fields); see lastRejection. */
  rejected: number;
  lastRejection: string | null;
  /** Times the writer said it was behind (the caller may slow down). */
  backpressure: number;
  /** Events dropped because the writer had maxPending events waiting. */
  dropped: number;
}

export class EventSink {
  private readonly builders = new Map<EventKind, BatchBuilder>();
  private names: HostNameNote[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly counters: SinkStatus = { recorded: 0, rejected: 0, lastRejection: null, backpressure: 0, dropped: 0 };
  private overloaded = false;
  private behind = false;

  constructor(
    private readonly store: BatchWriter,
    private readonly units: UnitResolver,
    private readonly opts: SinkOptions = {},
  ) {
    for (const kind of EVENT_KINDS) this.builders.set(kind, new BatchBuilder(kind, opts.batchSize ?? 4096));
    this.timer = setInterval(() => this.send(), opts.flushMs ?? 250);
    this.timer.unref();
  }

  /**
   * Takes one event. Fills `unit` from the address when the caller left it undefined. Returns
   * false when the event was refused, or when the writer is behind (the event is kept; a file
   * reader should then wait for `drained()` before it reads on).
   */
  record(ev: MinewardenEvent): boolean {
    if (this.overloaded) {
      this.counters.dropped++;
      return false;
    }
    if (ev.unit === undefined) ev.unit = this.units.resolve(ev.client, ev.site ?? '')?.unitId ?? null;
    const b = this.builders.get(ev.kind);
    if (b === undefined) return this.reject(`unknown event kind ${String((ev as { kind: unknown }).kind)}`);
    try {
      b.add(ev);
    } catch (e) {
      return this.reject(errorMessage(e));
    }
    this.counters.recorded++;
    if (b.full) {
      this.behind = !this.store.write(b.take()) || this.behind;
      this.checkOverload();
    }
    if (this.behind) {
      this.counters.backpressure++;
      return false;
    }
    return true;
  }

  private reject(why: string): false {
    this.counters.rejected++;
    this.counters.lastRejection = why;
    return false;
  }

  /** Drops new events while the writer holds more than maxPending; resumes below half of it. */
  private checkOverload(): void {
    const max = this.opts.maxPending ?? 2_000_000;
    const pending = this.store.status().pending;
    if (!this.overloaded && pending > max) this.overloaded = true;
    else if (this.overloaded && pending < max / 2) this.overloaded = false;
  }

  /** A name learned for a host (DHCP lease, reverse DNS, Zeek). */
  noteHostName(client: string, site: string, name: HostName): void {
    this.names.push({ client, site, name: name.name, source: name.source, ts: name.ts });
  }

  /** Hands every partial batch to the writer now. */
  send(): void {
    this.checkOverload();
    let ok = true;
    for (const b of this.builders.values()) if (b.size > 0) ok = this.store.write(b.take()) && ok;
    if (this.names.length > 0) {
      this.store.noteHostNames(this.names);
      this.names = [];
    }
    this.behind = !ok;
  }

  /** Resolves when everything recorded so far is in the store (or its spool). */
  async flush(): Promise<void> {
    this.send();
    await this.store.flush();
    this.behind = false;
  }

  /** For readers of files: waits until the writer has caught up when it said it was behind. */
  async drained(): Promise<void> {
    if (!this.behind) return;
    await this.flush();
  }

  status(): SinkStatus {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
