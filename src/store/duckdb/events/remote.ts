/**
 * The events store as the main thread sees it in `serve`: every call goes to the writer worker
 * (./worker.ts). write() only transfers the batch's buffers — the appends, the spool and the
 * queries' result building all happen on the worker's thread, so ingest never delays a DNS answer.
 */
import { Worker } from 'node:worker_threads';
import type { Host, StoredEvent } from '../../../model/events.ts';
import type {
  BeaconRow, DnsTunnelRow, FanInQuery, FanInRow, HalfOpenRow, HttpDownloadRow, LongConnectionRow, NameFanInRow, PortProfileRow,
  StrobeRow, TimeWindow,
} from '../../analytics.ts';
import { MinewardenError, type ErrorCode, ERROR_CODES } from '../../../core/errors.ts';
import { workerEntry } from '../../../core/worker-entry.ts';
import type {
  BackupManifest, Bucket, CountRow, EventFilter, EventGroup, EventQuery, EventStats, EventStore, HostNameNote, HostQuery,
  RetentionPolicy, TopRow, WriterStatus,
} from '../../types.ts';
import { transferList, type EventBatch } from '../../events/batch.ts';
import type { WriterLog } from '../../events/writer.ts';
import { DEFAULT_HIGH_WATER, type EventStoreOptions } from './local.ts';
import type { FromWriter, RemoteMethod, ToWriter, WorkerInit } from './protocol.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

const EMPTY: WriterStatus = {
  accepted: 0, written: 0, pending: 0, spooled: 0, spoolPending: 0, dropped: 0, failures: 0, lastError: null, lastErrorAt: null,
};

export class RemoteEventStore implements EventStore {
  private nextId = 1;
  private readonly calls = new Map<number, Pending>();
  private accepted = 0;
  private last: WriterStatus = EMPTY;
  private exited = false;
  private lost = 0;
  private closing: Promise<void> | null = null;

  private constructor(private readonly worker: Worker, private readonly highWater: number, private readonly log: WriterLog | undefined) {
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (e) => this.log?.('error', `event writer thread failed: ${e.message}`));
    worker.on('exit', (code) => {
      this.exited = true;
      const lost = this.accepted - this.last.written - this.last.dropped - this.last.spoolPending;
      if (this.closing === null) {
        this.lost = Math.max(0, lost);
        this.log?.('error', `event writer thread stopped (exit ${code}); ${this.lost} events not written`);
      }
      for (const p of this.calls.values()) p.reject(new MinewardenError('MW_ERR_STORE', 'the event writer thread stopped'));
      this.calls.clear();
    });
  }

  /** Starts the writer worker and waits until its store is open; rejects if it cannot start. */
  static open(opts: EventStoreOptions): Promise<RemoteEventStore> {
    const init: WorkerInit = { path: opts.path, memoryLimit: opts.memoryLimit, spoolDir: opts.spoolDir,
      ...(opts.hostFlushMs === undefined ? {} : { hostFlushMs: opts.hostFlushMs }),
      ...(opts.retryMs === undefined ? {} : { retryMs: opts.retryMs }) };
    const w = workerEntry(import.meta.url, 'worker');
    const worker = new Worker(w.entry, { eval: w.eval, workerData: init });
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromWriter): void => {
        if (m.t === 'log') opts.log?.(m.level, m.msg);
        if (m.t === 'ready') {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          resolve(new RemoteEventStore(worker, opts.highWater ?? DEFAULT_HIGH_WATER, opts.log));
        } else if (m.t === 'failed') {
          worker.off('message', onMessage);
          void worker.terminate();
          reject(new MinewardenError(isCode(m.code) ? m.code : 'MW_ERR_STORE', m.message));
        }
      };
      const onExit = (code: number): void => reject(new MinewardenError('MW_ERR_STORE', `the event writer thread exited (${code}) before it was ready`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  }

  private onMessage(m: FromWriter): void {
    switch (m.t) {
      case 'status':
        this.last = m.status;
        return;
      case 'log':
        this.log?.(m.level, m.msg);
        return;
      case 'result': {
        this.last = m.status;
        const p = this.calls.get(m.id);
        if (p === undefined) return;
        this.calls.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new MinewardenError(isCode(m.code) ? m.code : 'MW_ERR_STORE', m.message));
        return;
      }
      case 'ready':
      case 'failed':
      case 'closed':
        return;
    }
  }

  private send(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private call<T>(method: RemoteMethod, ...args: unknown[]): Promise<T> {
    if (this.exited) return Promise.reject(new MinewardenError('MW_ERR_STORE', 'the event writer thread is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ t: 'call', id, method, args });
    });
  }

  write(batch: EventBatch): boolean {
    if (batch.n === 0) return true;
    if (this.exited) {
      this.lost += batch.n;
      this.accepted += batch.n;
      return false;
    }
    this.accepted += batch.n;
    this.send({ t: 'write', batch }, transferList(batch));
    return this.status().pending < this.highWater;
  }

  noteHostNames(notes: readonly HostNameNote[]): void {
    if (!this.exited && notes.length > 0) this.send({ t: 'names', notes: [...notes] });
  }

  flush(): Promise<void> {
    return this.call<void>('flush');
  }

  retryNow(): Promise<void> {
    return this.call<void>('retryNow');
  }

  status(): WriterStatus {
    const s = this.last;
    const dropped = s.dropped + this.lost;
    return { ...s, accepted: this.accepted, dropped, pending: Math.max(0, this.accepted - s.written - dropped) };
  }

  query(q: EventQuery): Promise<StoredEvent[]> {
    return this.call('query', q);
  }

  counts(f: EventFilter, bucket: Bucket, by?: EventGroup): Promise<CountRow[]> {
    return this.call('counts', f, bucket, by);
  }

  top(f: EventFilter, by: EventGroup, n: number): Promise<TopRow[]> {
    return this.call('top', f, by, n);
  }

  hosts(q: HostQuery): Promise<Host[]> {
    return this.call('hosts', q);
  }

  findHost(client: string, site?: string): Promise<Host | null> {
    return this.call('findHost', client, site);
  }

  applyRetention(now: number, policy: RetentionPolicy): Promise<Record<string, number>> {
    return this.call('applyRetention', now, policy);
  }

  rollup(): Promise<{ hours: number; days: number }> {
    return this.call('rollup');
  }

  compact(now: number): Promise<{ days: number; rows: number }> {
    return this.call('compact', now);
  }

  stats(): Promise<EventStats> {
    return this.call('stats');
  }

  backup(dir: string): Promise<Pick<BackupManifest, 'events' | 'hosts'>> {
    return this.call('backup', dir);
  }

  // ---- the detectors' windowed analytics (../../analytics.ts)

  fanIn(q: FanInQuery): Promise<FanInRow[]> {
    return this.call('fanIn', q);
  }

  fanInNames(q: FanInQuery): Promise<NameFanInRow[]> {
    return this.call('fanInNames', q);
  }

  portProfile(q: TimeWindow & { dst: string }): Promise<PortProfileRow[]> {
    return this.call('portProfile', q);
  }

  halfOpen(q: TimeWindow & { minAttempts: number; limit?: number }): Promise<HalfOpenRow[]> {
    return this.call('halfOpen', q);
  }

  beaconCandidates(q: TimeWindow & { minConnections: number; limit: number }): Promise<BeaconRow[]> {
    return this.call('beaconCandidates', q);
  }

  longConnections(q: TimeWindow & { minDurationMs: number; limit?: number }): Promise<LongConnectionRow[]> {
    return this.call('longConnections', q);
  }

  strobes(q: TimeWindow & { minPorts: number; limit?: number }): Promise<StrobeRow[]> {
    return this.call('strobes', q);
  }

  dnsTunnelCandidates(q: TimeWindow & { minUnique: number; limit?: number }): Promise<DnsTunnelRow[]> {
    return this.call('dnsTunnelCandidates', q);
  }

  rareHttpDownloads(q: TimeWindow & { limit?: number }): Promise<HttpDownloadRow[]> {
    return this.call('rareHttpDownloads', q);
  }

  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.exited) {
        resolve();
        return;
      }
      this.worker.once('exit', () => resolve());
      this.send({ t: 'close' });
    });
    return this.closing;
  }
}

function isCode(c: string | undefined): c is ErrorCode {
  return c !== undefined && c in ERROR_CODES;
}
