import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IntelMatcherBuilder } from './matcher.ts';
import type { IntelMatcher } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';

const NOW = 1_700_000_000;

// Few, short labels so that random names often are parents of one another.
// (one label longer than the 20 bytes a table slot holds, see types.ts StringTable)
const label = fc.constantFrom('a', 'b', 'xn--p1ai', 'pool', 'eu1', 'c-d', '7', 'a-label-longer-than-a-slot');
const domain = fc
  .tuple(fc.array(label, { minLength: 0, maxLength: 4 }), fc.constantFrom('com', 'net', 'co.uk'))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const expiry = fc.constantFrom(0, NOW - 10, NOW, NOW + 10);
const input = fc.record({ value: domain, confidence: fc.integer({ min: 0, max: 100 }), expiresAt: expiry });

function entries(rows: { value: string; confidence: number; expiresAt: number }[]): MatcherEntryInput[] {
  return rows.map((r, i) => ({ type: 'domain', category: 'c', family: 'f', source: 's', ref: i, ...r }));
}

/** The obvious implementation: a Map per value with the duplicate rule, and a parent walk. */
function reference(es: MatcherEntryInput[]): (name: string, now: number) => number {
  const best = new Map<string, MatcherEntryInput>();
  for (const e of es) {
    const old = best.get(e.value);
    const exp = (x: MatcherEntryInput): number => x.expiresAt || Infinity;
    if (old === undefined || e.confidence > old.confidence || (e.confidence === old.confidence && exp(e) >= exp(old))) best.set(e.value, e);
  }
  return (name, now) => {
    for (let n = name; ; n = n.slice(n.indexOf('.') + 1)) {
      const e = best.get(n);
      if (e !== undefined && (e.expiresAt === 0 || now <= e.expiresAt)) return e.ref;
      if (!n.includes('.')) return -1;
    }
  };
}

function refOf(m: IntelMatcher, id: number): number {
  return id < 0 ? -1 : m.entry(id).ref;
}

describe('matchDomain against a naive reference', () => {
  it('agrees on random lists, names and times', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), fc.array(domain, { maxLength: 30 }), expiry, (rows, names, now) => {
        const es = entries(rows);
        const b = new IntelMatcherBuilder();
        for (const e of es) b.add(e);
        const m = b.build();
        const ref = reference(es);
        for (const name of [...names, ...rows.map((r) => r.value)]) {
          expect(refOf(m, m.matchDomain(name, now))).toBe(ref(name, now));
          expect(refOf(m, m.matchDomain(`x.${name}`, now))).toBe(ref(`x.${name}`, now));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('IPv4 CIDR longest prefix against a naive reference', () => {
  it('agrees on random prefixes and addresses', () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }), (nets, addrs) => {
        const mask = (a: number, len: number): number => (len === 0 ? 0 : (a & (-1 << (32 - len))) >>> 0);
        const text = (a: number): string => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
        const b = new IntelMatcherBuilder();
        nets.forEach(([a, len], i) => {
          b.add({ type: len === 32 ? 'ip' : 'cidr', value: len === 32 ? text(a) : `${text(mask(a, len))}/${len}`, category: 'c', family: 'f', source: 's', confidence: 50, expiresAt: 0, ref: i });
        });
        const m = b.build();
        // Probe near the listed networks too, not only at random.
        for (const a of [...addrs, ...nets.map(([n]) => n)]) {
          let bestLen = -1;
          for (const [n, len] of nets) if (mask(n, len) === mask(a, len) && len > bestLen) bestLen = len;
          const id = m.matchIp(text(a), NOW);
          if (bestLen < 0) expect(id).toBe(-1);
          else expect(m.entry(id).value).toBe(bestLen === 32 ? text(a) : `${text(mask(a, bestLen))}/${bestLen}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
