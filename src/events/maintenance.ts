/**
 * Scheduled upkeep of the event store while `serve` runs: roll-ups of the hours that received
 * events (every rollupInterval); retention per kind and the rewrite of closed days in host order
 * (at start, then every retentionInterval).
 * A failed run is logged and tried again at the next tick; it never stops the process.
 */
import type { Logger } from '../core/log.ts';
import { errorMessage } from '../core/errors.ts';
import type { EventStore, RetentionPolicy } from '../store/index.ts';

export interface MaintenanceOptions {
  rollupMs: number;
  retentionMs: number;
  /** Retention per kind in days. */
  policy: RetentionPolicy;
  now?: () => number;
}

export class EventMaintenance {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: EventStore, private readonly log: Logger, private readonly opts: MaintenanceOptions) {}

  start(): void {
    this.schedule(() => this.rollupOnce(), this.opts.rollupMs);
    this.schedule(() => this.retentionOnce(), this.opts.retentionMs);
    void this.enqueue(() => this.retentionOnce());
    void this.enqueue(() => this.rollupOnce());
  }

  private schedule(fn: () => Promise<unknown>, every: number): void {
    const t = setInterval(() => void this.enqueue(fn), every);
    t.unref();
    this.timers.push(t);
  }

  /** One task at a time, so a slow retention never overlaps a roll-up. */
  private enqueue(fn: () => Promise<unknown>): Promise<unknown> {
    this.running = this.running.then(fn, fn);
    return this.running;
  }

  async rollupOnce(): Promise<void> {
    try {
      const r = await this.store.rollup();
      if (r.hours > 0) this.log.debug(r, 'event roll-ups updated');
    } catch (e) {
      this.log.warn(`event roll-ups failed, tried again in ${Math.round(this.opts.rollupMs / 1000)} s: ${errorMessage(e)}`);
    }
  }

  async retentionOnce(): Promise<void> {
    try {
      const now = (this.opts.now ?? Date.now)();
      const deleted = await this.store.applyRetention(now, this.opts.policy);
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) this.log.info({ deleted }, 'event retention applied');
      // Closed days rewritten in host order (after retention, so deleted days are not rewritten).
      const c = await this.store.compact(now);
      if (c.days > 0) this.log.info(c, 'closed days of events rewritten in host order');
    } catch (e) {
      this.log.warn(`event retention failed, tried again later: ${errorMessage(e)}`);
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
  }
}

/** Config retention (seconds per kind) → the store's policy (days per kind). */
export function retentionPolicy(seconds: Record<keyof RetentionPolicy, number>): RetentionPolicy {
  const out = {} as RetentionPolicy;
  for (const [k, v] of Object.entries(seconds) as Array<[keyof RetentionPolicy, number]>) out[k] = v / 86400;
  return out;
}
