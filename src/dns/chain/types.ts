/**
 * The resolver chain's vocabulary: a query as the chain sees it, the answer every stage returns,
 * and the stage interface (../../../shared/STYLE.md: one interface, one small file per stage; a
 * stage answers or passes to the next).
 */
import type { DnsOutcome } from '../../model/events.ts';
import type { Edns, ResourceRecord } from '../wire/index.ts';

export type Transport = 'udp' | 'tcp' | 'dot' | 'doh';

export interface Query {
  id: number;
  /** Query name as asked (case kept), presentation form without the trailing dot. */
  qname: string;
  /** Lower-case name: what matching, policy and the cache use. */
  name: string;
  qtype: number;
  qclass: number;
  rd: boolean;
  cd: boolean;
  /** The query's EDNS, with identity options already removed by the identity stage. */
  edns: Edns | null;
  transport: Transport;
  /** Where the packet came from (a client, or a site forwarder / NAT). */
  source: string;
  sourcePort: number;
  /** The host the query is attributed to: the source, or the real client a trusted forwarder named. */
  client: string;
  /** Site key ('' by default; a forwarder names its site). */
  site: string;
  unit: string | null;
  /** When the query arrived (performance.now() ms). */
  start: number;
  /** Set by the policy stage for the stages after it. */
  policy?: Effective;
  /** The name is on the unit's allow list: intelligence never blocks it. */
  allowListed?: boolean;
}

export type CategoryAction = 'block' | 'monitor' | 'allow';
export type BlockAction = 'nxdomain' | 'nodata' | 'refused' | 'sinkhole';

/** The policy that applies to one unit (policy stage), resolved once per unit. */
export interface Effective {
  allow: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  action(category: string): CategoryAction;
  /** How a block is answered for this unit (the nearest unit that sets it, then global); unset: dns.block.action. */
  blockAction?: BlockAction;
}

export interface Answer {
  outcome: DnsOutcome;
  /** Why, in a word or two: `indicator`, `policy:deny-list`, `acl`, `rate-limit`, `upstream-timeout`, … */
  reason: string;
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
  /** Authoritative answer bit (local answers: block pages, sinkhole). */
  aa?: boolean;
  /** RFC 4035 AD bit as the upstream set it. */
  ad?: boolean;
  /** RFC 8914 Extended DNS Error to attach. */
  ede?: { code: number; text: string };
  /** The indicator value that matched, and its category. */
  indicator?: string;
  category?: string;
  /** Send nothing at all (a rate-limited flood); explicit, never an accident. */
  drop?: boolean;
  /**
   * Seconds to take off every record's TTL when the answer is sent (a cache hit keeps its stored
   * records as they are, uncopied), or a fixed TTL for all of them (a stale answer).
   */
  age?: number;
  fixedTtl?: number;
  /** A cache entry's encoded responses, reused for the next hits (see server/handler.ts). */
  wire?: WireCache;
  /**
   * A block answer's shape (action and record kind): every block of that shape is the same bytes
   * but for the question and the EDE text, so the handler keeps one encoding of each.
   */
  blockShape?: string;
}

/** Encoded responses of one cache entry, one per response shape (no EDNS / EDNS / EDNS+DO). */
export interface WireCache {
  templates: Map<number, { bytes: Uint8Array; ttlOffsets: Uint32Array; ttls: Uint32Array; questionEnd: number }>;
  /** The intel stage's verdict on the records, for one intelligence generation (see chain/intel.ts). */
  intel?: { generation: number; hits: ReadonlyArray<{ hit: { value: string; category: string; source: string }; where: 'cname' | 'answer-ip' }> };
}

/**
 * An answer now, or later. A stage that can answer at once (a cache hit, a block, a refusal)
 * returns the Answer itself: a Promise per stage per query cost a cache hit several microtask
 * hops and their garbage (bench:dns profile), so only stages that wait (upstream) return one.
 */
export type MaybeAnswer = Answer | Promise<Answer>;

export type Next = (q: Query) => MaybeAnswer;

export interface Stage {
  readonly name: string;
  /** One line for `minewarden gateway --explain` and logs. */
  describe(): string;
  resolve(q: Query, next: Next): MaybeAnswer;
}

/** RFC 8914 §4 info codes used here. */
export const EDE = { OTHER: 0, STALE_ANSWER: 3, PROHIBITED: 18, BLOCKED: 15, CENSORED: 16, FILTERED: 17, NOT_READY: 14, NETWORK_ERROR: 23 } as const;

export function answer(outcome: DnsOutcome, reason: string, rcode: number, extra: Partial<Answer> = {}): Answer {
  return { outcome, reason, rcode, answers: [], authorities: [], additionals: [], ...extra };
}
