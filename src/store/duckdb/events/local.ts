/**
 * The events store on the calling thread: the DuckDB repo behind the one writer (with its spool).
 * One-shot CLI commands and tests use it directly; in `serve` it runs inside the writer worker
 * (./worker.ts), so that appends never take time from the event loop that answers DNS.
 */
import type { Host, StoredEvent } from '../../../model/events.ts';
import type {
  BeaconRow, DnsTunnelRow, FanInQuery, FanInRow, HalfOpenRow, HttpDownloadRow, LongConnectionRow, NameFanInRow, PortProfileRow,
  StrobeRow, TimeWindow,
} from '../../analytics.ts';
import type {
  BackupManifest, Bucket, CountRow, EventFilter, EventGroup, EventQuery, EventStats, EventStore, HostNameNote, HostQuery,
  RetentionPolicy, TopRow, WriterStatus,
} from '../../types.ts';
import type { EventBatch } from '../../events/batch.ts';
import { EventWriter, type WriterLog } from '../../events/writer.ts';
import { DuckDbEventRepo } from './repo.ts';

export interface EventStoreOptions {
  /** Events database file, or ':memory:'. */
  path: string;
  memoryLimit: string;
  /** Spool directory; null keeps refused batches in memory only. */
  spoolDir: string | null;
  log?: WriterLog;
  /** Events waiting beyond which write() returns false. */
  highWater?: number;
  /** How often changed hosts (last seen, names) are written. */
  hostFlushMs?: number;
  retryMs?: number;
}

export const DEFAULT_HIGH_WATER = 500_000;

export class LocalEventStore implements EventStore {
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly repo: DuckDbEventRepo,
    readonly writer: EventWriter,
    private readonly highWater: number,
    hostFlushMs: number,
    private readonly log: WriterLog | undefined,
  ) {
    this.timer = setInterval(() => {
      this.repo.flushHosts().catch((e: unknown) => this.log?.('warn', `hosts not written yet: ${(e as Error).message}`));
    }, hostFlushMs);
    this.timer.unref();
  }

  static async open(opts: EventStoreOptions): Promise<LocalEventStore> {
    const repo = await DuckDbEventRepo.open({ path: opts.path, memoryLimit: opts.memoryLimit });
    const writer = new EventWriter(repo, {
      spoolDir: opts.spoolDir,
      ...(opts.log === undefined ? {} : { log: opts.log }),
      ...(opts.retryMs === undefined ? {} : { retryMs: opts.retryMs }),
    });
    return new LocalEventStore(repo, writer, opts.highWater ?? DEFAULT_HIGH_WATER, opts.hostFlushMs ?? 5000, opts.log);
  }

  write(batch: EventBatch): boolean {
    this.writer.write(batch);
    return this.writer.status().pending < this.highWater;
  }

  noteHostNames(notes: readonly HostNameNote[]): void {
    this.repo.noteHostNames(notes);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  status(): WriterStatus {
    return this.writer.status();
  }

  /** Tries the spool now instead of waiting for the next retry. */
  retryNow(): Promise<void> {
    return this.writer.retryNow();
  }

  query(q: EventQuery): Promise<StoredEvent[]> {
    return this.repo.query(q);
  }

  counts(f: EventFilter, bucket: Bucket, by?: EventGroup): Promise<CountRow[]> {
    return this.repo.counts(f, bucket, by);
  }

  top(f: EventFilter, by: EventGroup, n: number): Promise<TopRow[]> {
    return this.repo.top(f, by, n);
  }

  hosts(q: HostQuery): Promise<Host[]> {
    return Promise.resolve(this.repo.listHosts(q));
  }

  findHost(client: string, site?: string): Promise<Host | null> {
    return Promise.resolve(this.repo.findHost(client, site));
  }

  applyRetention(now: number, policy: RetentionPolicy): Promise<Record<string, number>> {
    return this.repo.applyRetention(now, policy);
  }

  rollup(): Promise<{ hours: number; days: number }> {
    return this.repo.rollup();
  }

  compact(now: number): Promise<{ days: number; rows: number }> {
    return this.repo.compact(now);
  }

  async stats(): Promise<EventStats> {
    await this.writer.flush();
    await this.repo.flushHosts();
    await this.repo.checkpoint();
    return this.repo.stats();
  }

  async backup(dir: string): Promise<Pick<BackupManifest, 'events' | 'hosts'>> {
    await this.writer.flush();
    return this.repo.backup(dir);
  }

  // ---- the detectors' windowed analytics (../../analytics.ts)

  fanIn(q: FanInQuery): Promise<FanInRow[]> {
    return this.repo.analytics.fanIn(q);
  }

  fanInNames(q: FanInQuery): Promise<NameFanInRow[]> {
    return this.repo.analytics.fanInNames(q);
  }

  portProfile(q: TimeWindow & { dst: string }): Promise<PortProfileRow[]> {
    return this.repo.analytics.portProfile(q);
  }

  halfOpen(q: TimeWindow & { minAttempts: number; limit?: number }): Promise<HalfOpenRow[]> {
    return this.repo.analytics.halfOpen(q);
  }

  beaconCandidates(q: TimeWindow & { minConnections: number; limit: number }): Promise<BeaconRow[]> {
    return this.repo.analytics.beaconCandidates(q);
  }

  longConnections(q: TimeWindow & { minDurationMs: number; limit?: number }): Promise<LongConnectionRow[]> {
    return this.repo.analytics.longConnections(q);
  }

  strobes(q: TimeWindow & { minPorts: number; limit?: number }): Promise<StrobeRow[]> {
    return this.repo.analytics.strobes(q);
  }

  dnsTunnelCandidates(q: TimeWindow & { minUnique: number; limit?: number }): Promise<DnsTunnelRow[]> {
    return this.repo.analytics.dnsTunnelCandidates(q);
  }

  rareHttpDownloads(q: TimeWindow & { limit?: number }): Promise<HttpDownloadRow[]> {
    return this.repo.analytics.rareHttpDownloads(q);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writer.close();
    await this.repo.close();
  }
}
