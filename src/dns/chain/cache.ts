/**
 * Stage 5, cache. Answers are kept for their TTL and served with the TTL counted down (RFC 1035
 * §3.2.1 / RFC 2181 §8); negative answers (NXDOMAIN, NODATA) for the SOA's min(TTL, MINIMUM)
 * (RFC 2308 §5), and not at all without a SOA. When the upstreams fail, an expired answer up to
 * `staleSeconds` old is served with TTL 30 and EDE 3 "Stale Answer" (RFC 8767 §4). A popular
 * entry close to expiry is refreshed in the background (prefetch), so it rarely expires at all.
 * Eviction is first-in first-out at `maxEntries`: cheaper than LRU on every hit, and a popular
 * name is re-inserted on its next miss anyway.
 */
import type { DnsOutcome } from '../../model/events.ts';
import { RCODE, TYPE } from '../wire/index.ts';
import type { ResourceRecord } from '../wire/index.ts';
import { answer, EDE, type Answer, type MaybeAnswer, type Next, type Query, type Stage, type WireCache } from './types.ts';

export interface CacheOptions {
  maxEntries: number;
  /** Longest TTL kept (seconds). */
  maxTtl: number;
  /** How long past expiry an answer may still be served when upstreams fail (seconds); 0: never. */
  staleSeconds: number;
  /** Refresh an entry hit at least this often when less than 10 % of its TTL is left; 0: never. */
  prefetchHits: number;
  now?: () => number;
}

interface Entry {
  wire: WireCache;
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  ad: boolean;
  /** ms */
  storedAt: number;
  ttl: number;
  expires: number;
  hits: number;
  prefetching: boolean;
}

const CACHEABLE: ReadonlySet<DnsOutcome> = new Set(['resolved']);

export class CacheStage implements Stage {
  readonly name = 'cache';
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  readonly stats = { hits: 0, misses: 0, stale: 0, prefetches: 0 };

  constructor(private readonly opts: CacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  describe(): string {
    return `up to ${this.opts.maxEntries.toLocaleString('en')} answers, TTL ≤ ${this.opts.maxTtl} s, serve-stale ${this.opts.staleSeconds} s, prefetch after ${this.opts.prefetchHits} hits`;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private key(q: Query): string {
    return `${q.name}\u0000${q.qtype}\u0000${q.qclass}\u0000${q.cd ? 1 : 0}${q.edns?.dnssecOk === true ? 1 : 0}`;
  }

  resolve(q: Query, next: Next): MaybeAnswer {
    const key = this.key(q);
    const t = this.now();
    const e = this.entries.get(key);
    if (e !== undefined && e.expires > t) {
      this.stats.hits++;
      e.hits++;
      if (this.opts.prefetchHits > 0 && !e.prefetching && e.hits >= this.opts.prefetchHits && e.expires - t < e.ttl * 100) {
        e.prefetching = true;
        this.stats.prefetches++;
        void Promise.resolve(next({ ...q })).then((a) => this.store(key, a), () => undefined).finally(() => (e.prefetching = false));
      }
      return this.serve(e, t, 'cached', 'cache');
    }
    this.stats.misses++;
    const a = next(q);
    return a instanceof Promise ? a.then((x) => this.settle(key, t, e, x)) : this.settle(key, t, e, a);
  }

  /** A miss answered: stale instead of a failure when there is one, else stored. */
  private settle(key: string, t: number, e: Entry | undefined, a: Answer): Answer {
    if (a.outcome === 'servfail' && e !== undefined && t - e.expires <= this.opts.staleSeconds * 1000) {
      this.stats.stale++;
      const s = this.serve(e, t, 'stale', `stale:${a.reason}`, 30);
      return { ...s, ede: { code: EDE.STALE_ANSWER, text: `upstreams failed (${a.reason})` } };
    }
    this.store(key, a);
    return a;
  }

  private store(key: string, a: Answer): void {
    if (!CACHEABLE.has(a.outcome)) return;
    const ttl = this.ttlOf(a);
    if (ttl <= 0) return;
    const t = this.now();
    if (this.entries.size >= this.opts.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, {
      wire: { templates: new Map() },
      rcode: a.rcode, answers: a.answers, authorities: a.authorities, ad: a.ad === true,
      storedAt: t, ttl, expires: t + ttl * 1000, hits: 0, prefetching: false,
    });
  }

  /** Seconds to keep an answer: the smallest answer TTL; for a negative answer the SOA rule. */
  private ttlOf(a: Answer): number {
    if (a.rcode === RCODE.NOERROR && a.answers.length > 0) {
      let min = this.opts.maxTtl;
      for (const rr of a.answers) min = Math.min(min, rr.ttl);
      return min;
    }
    if (a.rcode === RCODE.NXDOMAIN || (a.rcode === RCODE.NOERROR && a.answers.length === 0)) {
      const soa = a.authorities.find((rr) => rr.type === TYPE.SOA);
      if (soa === undefined || soa.data.kind !== 'soa') return 0;
      return Math.min(soa.ttl, soa.data.minimum, this.opts.maxTtl);
    }
    return 0;
  }

  /**
   * The stored records themselves (no copy per hit) with their age, which the response encoder
   * subtracts from every TTL; a stale answer gets a fixed TTL instead. Fresh hits carry the entry's
   * encoded responses for reuse.
   */
  private serve(e: Entry, t: number, outcome: DnsOutcome, reason: string, fixedTtl?: number): Answer {
    const age = Math.floor((t - e.storedAt) / 1000);
    return answer(outcome, reason, e.rcode, {
      answers: e.answers, authorities: e.authorities, ad: e.ad, age,
      ...(fixedTtl === undefined ? { wire: e.wire } : { fixedTtl }),
    });
  }
}
