/**
 * What a blocked query gets back (the policy's block action): NXDOMAIN or NODATA with a
 * synthesised SOA so the client caches the negative answer for the short block TTL (RFC 2308 §5),
 * REFUSED, or the sinkhole's addresses for A/AAAA (NODATA for other types) — always with an
 * Extended DNS Error (RFC 8914 §4.16 "Blocked", §4.18 "Filtered") saying why.
 * The action is the query's unit policy's (`q.policy.blockAction`, set by the policy stage) when it
 * has one, else the gateway's `dns.block.action`: every stage that blocks gets it from here.
 */
import type { DnsOutcome } from '../../model/events.ts';
import { CLASS_IN, RCODE, TYPE, type ResourceRecord } from '../wire/index.ts';
import { answer, EDE, type Answer, type BlockAction, type Query } from './types.ts';

export type { BlockAction };

export interface BlockOptions {
  action: BlockAction;
  /** TTL of block answers (seconds): short, so unblocking takes effect soon. */
  ttl: number;
  sinkholeV4: string;
  sinkholeV6: string;
}

export interface BlockReason {
  outcome: DnsOutcome;
  reason: string;
  indicator?: string;
  category?: string;
  /** EDE text: what matched, for the person reading `dig` output. */
  text: string;
  /** Blocked by a person's list (Filtered) rather than by intelligence (Blocked). */
  filtered?: boolean;
}

function soa(owner: string, ttl: number): ResourceRecord {
  return {
    name: owner, type: TYPE.SOA, class: CLASS_IN, ttl,
    data: { kind: 'soa', mname: 'blocked.minewarden.invalid', rname: 'hostmaster.minewarden.invalid', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: ttl },
  };
}

export function blockAnswer(q: Query, opts: BlockOptions, why: BlockReason): Answer {
  const ede = { code: why.filtered === true ? EDE.FILTERED : EDE.BLOCKED, text: why.text };
  const action = q.policy?.blockAction ?? opts.action;
  const kind = action === 'sinkhole' ? (q.qtype === TYPE.A ? 'a' : q.qtype === TYPE.AAAA ? 'aaaa' : 'other') : '';
  // The handler keys its encoded block templates on this shape, so it must name the action used.
  const base = { indicator: why.indicator, category: why.category, ede, aa: true, blockShape: `${action}|${kind}|${opts.ttl}` };
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Partial<Answer>;
  switch (action) {
    case 'refused':
      return answer(why.outcome, why.reason, RCODE.REFUSED, clean);
    case 'nxdomain':
      return answer(why.outcome, why.reason, RCODE.NXDOMAIN, { ...clean, authorities: [soa(q.qname, opts.ttl)] });
    case 'nodata':
      return answer(why.outcome, why.reason, RCODE.NOERROR, { ...clean, authorities: [soa(q.qname, opts.ttl)] });
    case 'sinkhole': {
      if (q.qtype === TYPE.A) {
        return answer(why.outcome, why.reason, RCODE.NOERROR, { ...clean, answers: [{ name: q.qname, type: TYPE.A, class: CLASS_IN, ttl: opts.ttl, data: { kind: 'a', address: opts.sinkholeV4 } }] });
      }
      if (q.qtype === TYPE.AAAA) {
        return answer(why.outcome, why.reason, RCODE.NOERROR, { ...clean, answers: [{ name: q.qname, type: TYPE.AAAA, class: CLASS_IN, ttl: opts.ttl, data: { kind: 'aaaa', address: opts.sinkholeV6 } }] });
      }
      return answer(why.outcome, why.reason, RCODE.NOERROR, { ...clean, authorities: [soa(q.qname, opts.ttl)] });
    }
  }
}
