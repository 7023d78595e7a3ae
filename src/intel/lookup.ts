/**
 * `intel lookup`: what matched and why, or why not — unknown, allowlisted, held for review,
 * expired or decayed. Not the hot path: it may query the store.
 */
import type { IndicatorType, StoredIndicator } from '../model/indicator.ts';
import { decayedScore } from './decay.ts';
import type { Hit, IntelEngine } from './engine.ts';
import type { IntelMatcher } from './matcher/index.ts';
import { inferType, normalizeValue, normalizeIp } from './normalize.ts';

export type Verdict = 'match' | 'allowlisted' | 'held' | 'expired' | 'decayed' | 'unknown' | 'invalid';

export interface LookupResult {
  query: string;
  type: IndicatorType | null;
  value: string;
  verdict: Verdict;
  reason: string;
  hit: Hit | null;
  /** Every stored record of the matched (or nearest) value, from every source. */
  records: StoredIndicator[];
}

/** The value and, for domains, every parent: the names a query could match on. */
function candidates(type: IndicatorType, value: string): Array<{ type: IndicatorType; value: string }> {
  if (type === 'domain') {
    const out: Array<{ type: IndicatorType; value: string }> = [];
    let v = value;
    for (;;) {
      out.push({ type, value: v });
      const dot = v.indexOf('.');
      if (dot < 0) break;
      v = v.slice(dot + 1);
    }
    return out;
  }
  if (type === 'ip:port') {
    const ip = normalizeIp(value.slice(0, value.lastIndexOf(':')));
    return ip ? [{ type, value }, { type: 'ip', value: ip }] : [{ type, value }];
  }
  return [{ type, value }];
}

function matchId(m: IntelMatcher, type: IndicatorType, value: string, now: number): number {
  switch (type) {
    case 'domain':
      return m.matchDomain(value, now);
    case 'ip':
      return m.matchIp(value, now);
    case 'cidr':
      return -1;
    case 'ip:port': {
      const colon = value.lastIndexOf(':');
      const host = value.slice(0, colon).replace(/^\[|\]$/g, '');
      return m.matchIpPort(host, Number(value.slice(colon + 1)), now);
    }
    case 'url':
      return m.matchUrl(value, now);
    case 'md5':
    case 'sha1':
    case 'sha256':
      return m.matchHash(value, now);
  }
}

function allowId(engine: IntelEngine, type: IndicatorType, value: string): number {
  const a = engine.allowMatcher;
  if (a.size === 0) return -1;
  if (type === 'domain') return a.matchDomain(value, 0);
  if (type === 'ip') return a.matchIp(value, 0);
  if (type === 'url') {
    try {
      const host = new URL(value).hostname;
      const h = normalizeValue(host);
      if (h.ok && h.type === 'domain') return a.matchDomain(h.value, 0);
    } catch {
      return -1;
    }
  }
  return matchId(a, type, value, 0);
}

export async function lookup(engine: IntelEngine, query: string): Promise<LookupResult> {
  const type = inferType(query);
  const norm = normalizeValue(query, type ?? undefined);
  if (!norm.ok) return { query, type, value: query, verdict: 'invalid', reason: norm.error, hit: null, records: [] };
  const now = engine.now();
  const allowed = allowId(engine, norm.type, norm.value);
  const id = matchId(engine.matcher, norm.type, norm.value, now);
  if (id >= 0) {
    const hit = engine.hit(id, norm.value);
    const records = await engine.store.findByValue(hit.type, hit.value);
    if (allowed >= 0) {
      const a = engine.allowMatcher.entry(allowed);
      return { query, type: norm.type, value: norm.value, verdict: 'allowlisted', reason: `would match ${hit.type} ${hit.value} (${hit.category}, ${hit.source}) but the allowlist has ${a.value}`, hit, records };
    }
    const how = hit.how === 'parent' ? `its parent ${hit.value} is listed` : hit.how === 'cidr' ? `it lies in ${hit.value}` : `${hit.value} is listed`;
    return { query, type: norm.type, value: norm.value, verdict: 'match', reason: `${how}: ${hit.category}${hit.family ? `/${hit.family}` : ''} from ${hit.source}, confidence ${hit.confidence}`, hit, records };
  }
  if (allowed >= 0) {
    return { query, type: norm.type, value: norm.value, verdict: 'allowlisted', reason: `allowlisted (${engine.allowMatcher.entry(allowed).value}) and not listed`, hit: null, records: [] };
  }
  for (const c of candidates(norm.type, norm.value)) {
    const records = await engine.store.findByValue(c.type, c.value);
    if (records.length === 0) continue;
    const held = records.find((r) => r.status === 'held');
    if (held) return { query, type: norm.type, value: c.value, verdict: 'held', reason: `${c.value} is held for review: ${held.holdReason} (release it with \`minewarden intel review release ${c.value}\`)`, hit: null, records };
    const expired = records.find((r) => r.validUntil > 0 && r.validUntil <= now);
    if (expired) return { query, type: norm.type, value: c.value, verdict: 'expired', reason: `${c.value} expired at ${new Date(expired.validUntil * 1000).toISOString()} (valid-until from ${expired.source})`, hit: null, records };
    const best = records[0] as StoredIndicator;
    const score = decayedScore(engine.decay, best.type, best.confidence, best.lastSeen, now);
    return { query, type: norm.type, value: c.value, verdict: 'decayed', reason: `${c.value} decayed to score ${score.toFixed(1)} (< ${engine.decay.threshold}) since last seen ${new Date(best.lastSeen * 1000).toISOString()}`, hit: null, records };
  }
  return { query, type: norm.type, value: norm.value, verdict: 'unknown', reason: 'not in any loaded source', hit: null, records: [] };
}
