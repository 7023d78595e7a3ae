/** Shared fixtures of the matcher tests. */
import type { IntelMatcher } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';

export const NOW = 1_700_000_000;

/** Every indicator type, duplicates, expiries, values longer than a table slot (xorshift32). */
export function mixed(n: number): MatcherEntryInput[] {
  let s = 0x2545f491;
  const rnd = (k: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % k;
  };
  const out: MatcherEntryInput[] = [];
  for (let i = 0; i < n; i++) {
    const base = { category: `cat${rnd(5)}`, family: `fam${rnd(50)}`, source: `src${rnd(3)}`, confidence: rnd(101), expiresAt: rnd(3) === 0 ? NOW + rnd(100) - 50 : 0, ref: i };
    const r = rnd(9);
    if (r === 0) out.push({ ...base, type: 'ip', value: `10.${rnd(4)}.${rnd(256)}.${rnd(256)}` });
    else if (r === 1) out.push({ ...base, type: 'cidr', value: rnd(2) === 0 ? `10.${rnd(4)}.${rnd(256)}.0/24` : `2001:db8:${rnd(64).toString(16)}::/48` });
    else if (r === 2) out.push({ ...base, type: 'ip:port', value: rnd(2) === 0 ? `[2001:db8::${rnd(4096).toString(16)}]:${1 + rnd(9)}` : `10.0.${rnd(256)}.1:${1 + rnd(9)}` });
    else if (r === 3) out.push({ ...base, type: 'url', value: `http://h${rnd(500)}.example/p/${rnd(100)}` });
    else if (r === 4) out.push({ ...base, type: 'sha256', value: rnd(1000).toString(16).padStart(64, 'a') });
    else out.push({ ...base, type: 'domain', value: `${rnd(2000)}.${rnd(2) === 0 ? 'd' : 'a-label-longer-than-a-slot'}${rnd(20)}.example` });
  }
  return out;
}

/** Every entry of a matcher, for whole-matcher equality. */
export function dump(m: IntelMatcher): unknown[] {
  const out: unknown[] = [];
  for (let id = 0; id < m.size; id++) out.push(m.entry(id));
  return out;
}
