/**
 * PcapSensor: reads a list of capture files once, one after another, through readPcap. Live
 * capture from an interface is not done here (offline files only).
 */
import { SensorHealth, type EventOutput, type Sensor, type SensorHealthView } from '../types.ts';
import { readPcap, type PcapSummary, type ReadPcapOptions } from './reader.ts';

export interface PcapSensorConfig {
  id?: string;
  paths: string[];
  site?: string;
}

/** What readPcap takes besides the file, the output, the health and the signal. */
export type PcapSensorOptions = Omit<ReadPcapOptions, 'health' | 'signal' | 'site'>;

export class PcapSensor implements Sensor {
  readonly id: string;
  readonly kind = 'pcap';
  /** Resolves when every file has been read (or reading was stopped). */
  done: Promise<void> = Promise.resolve();
  /** One summary per file read, in order. */
  readonly summaries: PcapSummary[] = [];
  private readonly health_: SensorHealth;
  private readonly abort = new AbortController();

  constructor(
    private readonly config: PcapSensorConfig,
    private readonly output: EventOutput,
    private readonly opts: PcapSensorOptions = {},
  ) {
    this.id = config.id ?? `pcap:${config.paths.join(',')}`;
    this.health_ = new SensorHealth(this.id, this.kind);
  }

  start(): Promise<void> {
    this.done = this.run();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    for (const path of this.config.paths) {
      if (this.abort.signal.aborted) return;
      this.health_.detail = `reading ${path}`;
      try {
        const s = await readPcap(path, this.output, { ...this.opts, site: this.config.site, health: this.health_, signal: this.abort.signal });
        this.summaries.push(s);
      } catch (e) {
        // An unreadable file (missing, permissions) is reported and the next one read.
        this.health_.bad(`${path}: ${(e as Error).message}`);
      }
    }
    this.health_.detail = `read ${this.summaries.length}/${this.config.paths.length} files`;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  health(): SensorHealthView {
    return this.health_.view();
  }
}
