/**
 * The one writer of events: appends batches to the store one at a time, in order. A batch the
 * store refuses is spooled (./spool.ts) and retried with back-off; while the spool holds anything,
 * new batches queue behind it so that the order is kept. Backend-independent: it only needs
 * `append(batch)`.
 */
import type { WriterStatus } from '../types.ts';
import type { EventBatch } from './batch.ts';
import { Spool, SpoolDamage } from './spool.ts';

export interface BatchTarget {
  append(batch: EventBatch): Promise<void>;
  /** Several batches as one unit of work (all or none); used when the target has it. */
  appendMany?(batches: readonly EventBatch[]): Promise<void>;
}

/** Most events written as one unit of work when batches queue up behind a slow store. */
const GROUP_EVENTS = 131_072;

export type WriterLog = (level: 'info' | 'warn' | 'error', msg: string) => void;

export interface WriterOptions {
  /** Spool directory, or null for memory only. */
  spoolDir: string | null;
  log?: WriterLog;
  /** First retry delay after a failure; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  maxMemoryEvents?: number;
}

export class EventWriter {
  private readonly queue: EventBatch[] = [];
  private running = false;
  private idle: Array<() => void> = [];
  private readonly spool: Spool;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private closed = false;
  private readonly counters = { accepted: 0, written: 0, spooled: 0, dropped: 0, failures: 0 };
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private queuedEvents = 0;
  /** Between a failed write and the spool being empty again (one log line per outage). */
  private outage = false;
  private warnedMemory = false;
  /** Batches handed over, and batches done with (written, spooled or dropped), for flush(). */
  private seqIn = 0;
  private seqDone = 0;
  private flushes: Array<{ seq: number; resolve: () => void }> = [];

  constructor(private readonly target: BatchTarget, private readonly opts: WriterOptions) {
    this.spool = new Spool(opts.spoolDir, opts.maxMemoryEvents);
    this.retryDelay = opts.retryMs ?? 1000;
    if (!this.spool.empty) {
      opts.log?.('warn', `${this.spool.pending} events wait in the spool from an earlier run; writing them to the store`);
      this.scheduleRetry(0);
    }
  }

  write(batch: EventBatch): void {
    if (batch.n === 0) return;
    this.counters.accepted += batch.n;
    this.queuedEvents += batch.n;
    this.seqIn++;
    this.queue.push(batch);
    if (!this.running) void this.drain();
  }

  status(): WriterStatus {
    const spoolPending = this.spool.pending;
    return {
      ...this.counters,
      pending: this.queuedEvents + spoolPending,
      spoolPending,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  /**
   * Resolves when every batch handed over so far is written or spooled; batches handed over
   * after the call are not waited for (under steady ingest the queue is never empty).
   */
  flush(): Promise<void> {
    const seq = this.seqIn;
    if (this.seqDone >= seq) return Promise.resolve();
    return new Promise((resolve) => this.flushes.push({ seq, resolve }));
  }

  /** Resolves when neither drain nor drainSpool runs. */
  private whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private batchDone(): void {
    this.seqDone++;
    if (this.flushes.length === 0) return;
    const ready = this.flushes.filter((f) => f.seq <= this.seqDone);
    if (ready.length === 0) return;
    this.flushes = this.flushes.filter((f) => f.seq > this.seqDone);
    for (const f of ready) f.resolve();
  }

  /** Tries the spool now (tests, and `flush --retry`); resolves when the attempt is over. */
  async retryNow(): Promise<void> {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.flush();
    await this.drainSpool();
  }

  /**
   * Takes queued batches for one unit of work: those waiting at the head of the queue of one kind
   * (so the store commits them with one flush), up to GROUP_EVENTS events.
   */
  private takeGroup(): EventBatch[] {
    const group: EventBatch[] = [];
    let events = 0;
    while (this.queue.length > 0 && (group.length === 0 || (this.queue[0]!.kind === group[0]!.kind && events + this.queue[0]!.n <= GROUP_EVENTS))) {
      const b = this.queue.shift()!;
      events += b.n;
      group.push(b);
      if (this.target.appendMany === undefined) break;
    }
    return group;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let group = this.takeGroup(); group.length > 0; group = this.takeGroup()) {
        const events = group.reduce((a, b) => a + b.n, 0);
        this.queuedEvents -= events;
        try {
          if (!this.spool.empty) {
            for (const b of group) this.toSpool(b);
            continue;
          }
          try {
            if (group.length === 1) await this.target.append(group[0]!);
            else await this.target.appendMany!(group);
            this.counters.written += events;
          } catch (e) {
            this.fail(e);
            const entering = !this.outage;
            this.outage = true;
            let where: 'disk' | 'memory' | null = null;
            for (const b of group) where = this.toSpool(b) ?? where;
            if (entering && where !== null) {
              this.opts.log?.('error', `event store cannot write (${this.lastError ?? 'unknown error'}); events are spooled (${where}) and retried`);
            }
            this.scheduleRetry(this.retryDelay);
          }
        } finally {
          for (let i = 0; i < group.length; i++) this.batchDone();
        }
      }
    } finally {
      this.running = false;
      const waiting = this.idle;
      this.idle = [];
      for (const r of waiting) r();
    }
  }

  private fail(e: unknown): void {
    this.counters.failures++;
    this.lastError = e instanceof Error ? e.message : String(e);
    this.lastErrorAt = Date.now();
  }

  /** Spools a batch; returns where it went, or null when it had to be dropped (logged). */
  private toSpool(batch: EventBatch): 'disk' | 'memory' | null {
    const where = this.spool.put(batch);
    if (where instanceof Error) {
      this.counters.dropped += batch.n;
      this.opts.log?.('error', `event store: ${where.message}`);
      return null;
    }
    this.counters.spooled += batch.n;
    if (where === 'memory' && !this.warnedMemory) {
      this.warnedMemory = true;
      this.opts.log?.('error', 'event store: the spool directory cannot be written either; events wait in memory');
    }
    return where;
  }

  private scheduleRetry(delay: number): void {
    if (this.retryTimer !== null || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drainSpool();
    }, delay);
    this.retryTimer.unref();
  }

  /** Writes spooled batches in order until the spool is empty or the store fails again. */
  private async drainSpool(): Promise<void> {
    while (this.running) await this.whenIdle();
    this.running = true;
    let written = 0;
    try {
      while (!this.spool.empty) {
        let batch: EventBatch | null;
        try {
          batch = this.spool.peek();
        } catch (e) {
          if (e instanceof SpoolDamage) this.counters.dropped += e.lost;
          this.opts.log?.('error', `event store: ${(e as Error).message}`);
          continue;
        }
        if (batch === null) break;
        try {
          await this.target.append(batch);
        } catch (e) {
          this.fail(e);
          const delay = this.retryDelay;
          this.retryDelay = Math.min(this.retryDelay * 2, this.opts.maxRetryMs ?? 30_000);
          this.scheduleRetry(delay);
          return;
        }
        this.spool.shift();
        this.counters.written += batch.n;
        written += batch.n;
      }
      this.retryDelay = this.opts.retryMs ?? 1000;
      this.outage = false;
      if (written > 0) this.opts.log?.('info', `event store writes again: ${written} spooled events written`);
    } finally {
      this.running = false;
      if (this.queue.length > 0) void this.drain();
      else {
        const waiting = this.idle;
        this.idle = [];
        for (const r of waiting) r();
      }
    }
  }

  /** Stops retrying; what is still queued is spooled so that the next start writes it. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
