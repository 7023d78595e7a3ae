/**
 * The main thread's side of the DNS workers: starts them on the ports it bound, feeds their query
 * log into its own event sink's writer, passes blocked names to the sinkhole, keeps their last
 * counters for /metrics, and sends them every change — configuration on reload, a new matcher
 * or allowlist, a new unit tree — checked once a second.
 */
import { Worker } from 'node:worker_threads';
import type { DnsConfig } from '../../config/index.ts';
import { workerEntry } from '../../core/worker-entry.ts';
import type { Unit } from '../../model/org.ts';
import type { DnsEvent } from '../../model/events.ts';
import type { EventBatch } from '../../store/index.ts';
import type { FromWorker, SharedIntel, ToWorker, WorkerInit, WorkerStats } from './protocol.ts';

/** What the pool reads from the rest of the process. */
export interface WorkerSources {
  /** The matcher and allowlist in shared memory, and their generation. */
  intel(): SharedIntel;
  /** The current unit tree's units; the same array object until the tree changes. */
  units(): readonly Unit[];
  /** Where worker query-log batches go (the event store's writer), and how far behind it is. */
  events: { write(batch: EventBatch): boolean; status(): { pending: number } };
  /** Blocked names answered by a worker (the sinkhole attributes connections with them). */
  blocked?(client: string, name: string): void;
  /** Queries a worker answered that matched an indicator (the detectors see them as the main thread's). */
  matched?(ev: DnsEvent): void;
}

export class DnsWorkers {
  readonly stats = new Map<number, WorkerStats>();
  private readonly workers: Worker[] = [];
  private readonly timer: NodeJS.Timeout;
  private generation: number;
  private units: readonly Unit[];
  private stoppedAll: Promise<void> | null = null;

  private constructor(private readonly sources: WorkerSources, init: Omit<WorkerInit, 'index'>) {
    this.generation = init.intel.generation;
    this.units = init.units;
    this.timer = setInterval(() => this.sync(), 1000);
    this.timer.unref();
  }

  /** Starts `count` workers; resolves when every one listens, rejects (stopping them) if one cannot. */
  static async start(count: number, sources: WorkerSources, base: { config: DnsConfig; udp: WorkerInit['udp']; resolvConf: string }): Promise<DnsWorkers> {
    const init = { ...base, intel: sources.intel(), units: sources.units() };
    const pool = new DnsWorkers(sources, init);
    const w = workerEntry(import.meta.url, 'thread');
    const ready: Array<Promise<void>> = [];
    for (let index = 1; index <= count; index++) {
      const worker = new Worker(w.entry, { eval: w.eval, workerData: { ...init, index } satisfies WorkerInit });
      pool.workers.push(worker);
      ready.push(new Promise<void>((ok, fail) => {
        worker.on('message', (m: FromWorker) => {
          if (m.t === 'ready') ok();
          else if (m.t === 'failed') fail(new Error(`dns worker ${index}: ${m.message}`));
          else pool.onMessage(m);
        });
        worker.once('error', (e) => fail(e));
        worker.once('exit', (code) => fail(new Error(`dns worker ${index} exited (${code})`)));
      }));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'events':
        this.sources.events.write(m.batch);
        break;
      case 'blocked':
        this.sources.blocked?.(m.client, m.name);
        break;
      case 'matched':
        this.sources.matched?.(m.ev);
        break;
      case 'stats':
        this.stats.set(m.index, m.stats);
        break;
      case 'ready':
      case 'failed':
      case 'stopped':
        break; // handled where the worker is started and stopped
    }
  }

  private send(m: ToWorker): void {
    for (const w of this.workers) w.postMessage(m);
  }

  /** A new matcher, allowlist or unit tree reaches every worker within a second. */
  private sync(): void {
    const intel = this.sources.intel();
    if (intel.generation !== this.generation) {
      this.generation = intel.generation;
      this.send({ t: 'intel', intel });
    }
    const units = this.sources.units();
    if (units !== this.units) {
      this.units = units;
      this.send({ t: 'units', units });
    }
    this.send({ t: 'pending', pending: this.sources.events.status().pending });
  }

  reload(config: DnsConfig): void {
    this.send({ t: 'config', config });
  }

  /** Stops every worker; their last query-log batches reach the writer first. */
  close(): Promise<void> {
    clearInterval(this.timer);
    this.stoppedAll ??= Promise.all(this.workers.map((w) => new Promise<void>((ok) => {
      const done = (): void => {
        clearTimeout(kill);
        ok();
      };
      const kill = setTimeout(() => void w.terminate().then(done, done), 3000);
      w.on('message', (m: FromWorker) => {
        if (m.t === 'stopped') void w.terminate().then(done, done);
      });
      w.once('exit', done);
      w.postMessage({ t: 'stop' } satisfies ToWorker);
    }))).then(() => undefined);
    return this.stoppedAll;
  }
}
