/**
 * Stage 2, access control and rate limit. Sits after identity because the rate limit keys on the
 * real client (identity + site), not on the packet source: a school's NAT address or forwarder
 * carries hundreds of clients and must not be throttled as one.
 * - Only sources in the allowed networks are answered (loopback when nothing is configured):
 *   never an open resolver. Others get REFUSED (RFC 1035 §4.1.1), outcome `refused`.
 * - ANY over UDP gets the RFC 8482 minimal answer (amplification).
 * - A token bucket per client: past the limit the query is refused (`ratelimited`), and past
 *   twice the burst it is dropped without an answer, so a flood cannot be turned into a reflector.
 */
import { CLASS_IN, RCODE, TYPE } from '../wire/index.ts';
import { answer, EDE, type Answer, type MaybeAnswer, type Next, type Query, type Stage } from './types.ts';

export interface AccessOptions {
  /** Who may ask: a membership test and, for describe(), what it holds. */
  allowed: { has(ip: string): boolean; texts: readonly string[] };
  /** Queries per second per client; 0 turns the limit off. */
  rate: number;
  /** Bucket size. */
  burst: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  last: number;
  /** Refusals since the bucket ran dry (past 2 × burst: drop). */
  refused: number;
}

const MAX_BUCKETS = 200_000;

export class AccessStage implements Stage {
  readonly name = 'access';
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly opts: AccessOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  describe(): string {
    const limit = this.opts.rate > 0 ? `${this.opts.rate} q/s per client (burst ${this.opts.burst})` : 'no rate limit';
    return `answers ${this.opts.allowed.texts.join(', ')}; ${limit}`;
  }

  resolve(q: Query, next: Next): MaybeAnswer {
    if (!this.opts.allowed.has(q.source)) {
      return answer('refused', 'acl', RCODE.REFUSED, { ede: { code: EDE.PROHIBITED, text: 'not an allowed network' } });
    }
    if (q.qtype === TYPE.ANY && q.transport === 'udp') return anyOverUdp(q);
    if (this.opts.rate > 0 && !this.take(q.site === '' ? q.client : `${q.site}/${q.client}`)) {
      const b = this.buckets.get(q.site === '' ? q.client : `${q.site}/${q.client}`)!;
      const drop = ++b.refused > this.opts.burst * 2;
      return answer('ratelimited', 'rate-limit', RCODE.REFUSED, { drop });
    }
    return next(q);
  }

  private take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(t);
      b = { tokens: this.opts.burst, last: t, refused: 0 };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.last) / 1000) * this.opts.rate);
      b.last = t;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    b.refused = 0;
    return true;
  }

  /** Forgets buckets that have refilled (idle clients). */
  private prune(t: number): void {
    const full = (this.opts.burst / Math.max(this.opts.rate, 1)) * 1000;
    for (const [k, b] of this.buckets) if (t - b.last > full) this.buckets.delete(k);
  }
}

/**
 * RFC 8482 §4.2: an ANY query over UDP — the classic amplification vector — gets one small
 * synthesised HINFO record ("RFC8482", "") instead of everything the name holds; a client that
 * really wants more asks for the types it needs, or uses TCP.
 */
function anyOverUdp(q: Query): Answer {
  const rdata = Uint8Array.from([7, ...'RFC8482'.split('').map((c) => c.charCodeAt(0)), 0]);
  return answer('refused', 'rfc8482-any', RCODE.NOERROR, {
    answers: [{ name: q.qname, type: 13, class: CLASS_IN, ttl: 3600, data: { kind: 'raw', bytes: rdata } }],
  });
}
