/**
 * The sensor contract: every sensor (NetFlow/IPFIX collector, Zeek and Suricata readers, pcap
 * reader, syslog receiver, HTTP ingest) reads what a network already produces, turns each record
 * into an event (../model/events.ts) and records it into an EventOutput. Parsing is kept apart
 * from I/O: a parser is a pure function or generator over bytes or lines, so tests and benchmarks
 * drive it without sockets or files. Bad input is counted in SensorHealth, with a short sample,
 * and skipped; it never throws into the reader.
 */
import type { HostName, MinewardenEvent } from '../model/events.ts';

/** Where a sensor puts what it reads. The EventSink (../events) is one. */
export interface EventOutput {
  /** False when refused or when the writer is behind (a file reader should then await drained()). */
  record(ev: MinewardenEvent): boolean;
  noteHostName(client: string, site: string, name: HostName): void;
  /** Resolves when the writer has caught up (file readers pace themselves with it). */
  drained(): Promise<void>;
}

/** One bad input kept as an example: when, why, and the first bytes of it (printable). */
export interface BadSample {
  at: number;
  reason: string;
  sample: string;
}

export interface SensorHealthView {
  id: string;
  kind: string;
  /** Events produced since start. */
  events: number;
  /** Records, lines or packets skipped as malformed. */
  errors: number;
  /** ms epoch of the last event produced; 0 = none yet. */
  lastEventAt: number;
  /** Events per second over the last minute. */
  rate: number;
  /** Latest bad inputs, newest last (at most 5). */
  samples: BadSample[];
  /** Free text: listening address, file being followed, … */
  detail: string;
}

const SAMPLES = 5;
const SAMPLE_BYTES = 120;

/** Counters a sensor keeps; cheap enough to call per record. */
export class SensorHealth {
  events = 0;
  errors = 0;
  lastEventAt = 0;
  detail = '';
  private readonly samples: BadSample[] = [];
  /** Events per 10 s bucket over the last minute (ring). */
  private readonly buckets = new Float64Array(6);
  private bucketAt = 0;

  constructor(readonly id: string, readonly kind: string) {}

  /** n events produced now. */
  ok(n = 1, now = Date.now()): void {
    this.events += n;
    this.lastEventAt = now;
    this.roll(now);
    this.buckets[Math.floor(now / 10_000) % 6]! += n;
  }

  /** One malformed input: counted, and kept as a sample (truncated, non-printables escaped). */
  bad(reason: string, sample: string | Uint8Array = '', now = Date.now()): void {
    this.errors++;
    this.samples.push({ at: now, reason, sample: printable(sample) });
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  view(now = Date.now()): SensorHealthView {
    this.roll(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return { id: this.id, kind: this.kind, events: this.events, errors: this.errors, lastEventAt: this.lastEventAt, rate: sum / 60, samples: [...this.samples], detail: this.detail };
  }

  private roll(now: number): void {
    const slot = Math.floor(now / 10_000);
    if (this.bucketAt === 0) this.bucketAt = slot;
    for (let s = this.bucketAt + 1; s <= slot && s <= this.bucketAt + 6; s++) this.buckets[s % 6] = 0;
    if (slot > this.bucketAt) this.bucketAt = slot;
  }
}

/** A running sensor: started and stopped by the sensor runtime, its health read by metrics and the CLI. */
export interface Sensor {
  readonly id: string;
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): SensorHealthView;
}

function printable(s: string | Uint8Array): string {
  const text = typeof s === 'string' ? s.slice(0, SAMPLE_BYTES) : Buffer.from(s.subarray(0, SAMPLE_BYTES)).toString('latin1');
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
