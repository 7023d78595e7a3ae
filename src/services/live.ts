/**
 * Live updates for the console: blocked queries, incidents opened or changed, and a stats tick.
 * Producers publish once; each subscriber gets only what its access lets it see, and blocks are
 * sampled per subscriber (a flood of blocks must not flood a browser).
 */
import type { IncidentSummary } from '../store/index.ts';
import type { LiveBlock, LiveStats } from '../model/live.ts';
import { canSeeUnit, visibleIncident, type Access } from './access.ts';

export type { LiveBlock, LiveStats };

export type LiveMessage =
  | { event: 'block'; data: LiveBlock }
  | { event: 'incident'; data: IncidentSummary }
  | { event: 'stats'; data: LiveStats };

interface Subscriber {
  access: Access;
  send: (m: LiveMessage) => void;
  windowStart: number;
  sentInWindow: number;
}

export class LiveHub {
  private readonly subs = new Set<Subscriber>();

  constructor(private readonly opts: { blocksPerSecond?: number; now?: () => number } = {}) {}

  get size(): number {
    return this.subs.size;
  }

  subscribe(access: Access, send: (m: LiveMessage) => void): () => void {
    const s: Subscriber = { access, send, windowStart: 0, sentInWindow: 0 };
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  block(b: LiveBlock): void {
    if (this.subs.size === 0) return;
    const now = (this.opts.now ?? Date.now)();
    const max = this.opts.blocksPerSecond ?? 20;
    for (const s of this.subs) {
      if (!canSeeUnit(s.access, b.unit)) continue;
      if (now - s.windowStart >= 1000) {
        s.windowStart = now;
        s.sentInWindow = 0;
      }
      if (s.sentInWindow >= max) continue;
      s.sentInWindow++;
      s.send({ event: 'block', data: b });
    }
  }

  incident(i: IncidentSummary): void {
    for (const s of this.subs) {
      const seen = visibleIncident(s.access, i);
      if (seen !== null) s.send({ event: 'incident', data: seen });
    }
  }

  stats(st: LiveStats): void {
    // Network-wide figures: only for those who see the whole network.
    for (const s of this.subs) if (s.access.units === null) s.send({ event: 'stats', data: st });
  }
}
