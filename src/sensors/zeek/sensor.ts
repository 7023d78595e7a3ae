/**
 * The Zeek sensor: reads Zeek's logs (files or log directories, TSV or JSON, plain or gzip) once or
 * following them, and records what they say into an EventOutput, pacing itself with drained().
 */
import { hostname } from 'node:os';
import { readLines, type FilePosition } from '../files/index.ts';
import { SensorHealth, type EventOutput, type Sensor, type SensorHealthView } from '../types.ts';
import type { FileSeen } from './enrich.ts';
import type { WeirdSeen } from './map.ts';
import { ZeekLineReader } from './reader.ts';

export interface ZeekSensorConfig {
  /** Log files or directories (Zeek's `logs/current`, an archive day). */
  paths: string[];
  /** Follow like `tail -F`; otherwise read what is there and finish. */
  follow: boolean;
  site?: string;
  /** Names the sensor: id and events' `sensor` are `zeek:<name>` (default: this host's name). */
  name?: string;
  /** Follow only: read what the files already hold first (default false: from their end). */
  fromStart?: boolean;
  pollMs?: number;
  isInternal?: (ip: string) => boolean;
  onFile?: (f: FileSeen) => void;
  onWeird?: (w: WeirdSeen) => void;
}

export class ZeekSensor implements Sensor {
  readonly id: string;
  readonly kind = 'zeek';
  private readonly stats: SensorHealth;
  private readonly reader: ZeekLineReader;
  /** Where each followed file was read up to: a stop and start resumes there. */
  private readonly positions = new Map<string, FilePosition>();
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly config: ZeekSensorConfig, private readonly out: EventOutput) {
    this.id = `zeek:${config.name ?? hostname()}`;
    this.stats = new SensorHealth(this.id, this.kind);
    this.stats.detail = `${config.follow ? 'following' : 'reading'} ${config.paths.join(', ')}`;
    this.reader = new ZeekLineReader(out, this.stats, {
      sensor: this.id, site: config.site, isInternal: config.isInternal, onFile: config.onFile, onWeird: config.onWeird,
    });
  }

  start(): Promise<void> {
    if (this.running === null) {
      this.abort = new AbortController();
      this.running = this.run(this.abort.signal);
    }
    return Promise.resolve();
  }

  /** Resolves when reading ends: at the end of the files when not following, else after stop(). */
  done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = null;
    this.abort = null;
  }

  health(): SensorHealthView {
    const v = this.stats.view();
    const unknown = [...this.reader.unknownTypes.keys()];
    const weird = [...this.reader.weirds.values()].reduce((a, b) => a + b, 0);
    const extra = [unknown.length > 0 ? `skipped log types: ${unknown.join(', ')} (${this.reader.skipped} lines)` : '', weird > 0 ? `weird: ${weird}` : '']
      .filter((s) => s !== '');
    return { ...v, detail: [v.detail, ...extra].join('; ') };
  }

  private async run(signal: AbortSignal): Promise<void> {
    const lines = readLines(this.config.paths, {
      follow: this.config.follow, signal, fromStart: this.config.fromStart, pollMs: this.config.pollMs, positions: this.positions,
      isHeader: (l) => l.charCodeAt(0) === 35,
      onError: (file, e) => this.stats.bad(`cannot read ${file}: ${e.message}`),
    });
    try {
      for await (const chunk of lines) {
        if (!this.reader.feed(chunk)) await this.out.drained();
        if (signal.aborted) break;
      }
    } catch (e) {
      this.stats.bad(`reading stopped: ${(e as Error).message}`);
    } finally {
      this.reader.flush();
    }
  }
}
