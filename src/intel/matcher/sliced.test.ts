import { describe, it, expect } from 'vitest';
import { IntelMatcherBuilder } from './matcher.ts';
import type { IntelMatcher } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';

const NOW = 1_700_000_000;

/** A deterministic mixed list with duplicates (xorshift32). */
function mixed(n: number): MatcherEntryInput[] {
  let s = 0x9e3779b9;
  const rnd = (k: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % k;
  };
  const out: MatcherEntryInput[] = [];
  for (let i = 0; i < n; i++) {
    const base = { category: `cat${rnd(5)}`, family: `fam${rnd(50)}`, source: `src${rnd(3)}`, confidence: rnd(101), expiresAt: rnd(3) === 0 ? NOW + rnd(100) - 50 : 0, ref: i };
    switch (rnd(6)) {
      case 0:
        out.push({ ...base, type: 'ip', value: `10.${rnd(4)}.${rnd(256)}.${rnd(256)}` });
        break;
      case 1:
        out.push({ ...base, type: 'cidr', value: `10.${rnd(4)}.${rnd(256)}.0/24` });
        break;
      case 2:
        out.push({ ...base, type: 'ip:port', value: `[2001:db8::${rnd(4096).toString(16)}]:${1 + rnd(9)}` });
        break;
      default:
        out.push({ ...base, type: 'domain', value: `${rnd(2000)}.d${rnd(20)}.example` });
    }
  }
  return out;
}

async function* batches(es: MatcherEntryInput[], size: number): AsyncGenerator<MatcherEntryInput[]> {
  for (let i = 0; i < es.length; i += size) {
    await Promise.resolve();
    yield es.slice(i, i + size);
  }
}

function dump(m: IntelMatcher): unknown[] {
  const out: unknown[] = [];
  for (let id = 0; id < m.size; id++) out.push(m.entry(id));
  return out;
}

describe('IntelMatcherBuilder.buildSliced', () => {
  const es = mixed(40_000);
  const b = new IntelMatcherBuilder();
  for (const e of es) b.add(e);
  const built = b.build();

  it('builds the same matcher as build() from async batches', async () => {
    const sliced = await IntelMatcherBuilder.buildSliced(batches(es, 777));
    expect(sliced.size).toBe(built.size);
    expect(sliced.duplicates).toBe(built.duplicates);
    expect(dump(sliced)).toEqual(dump(built));
    expect(sliced.countsByType()).toEqual(built.countsByType());
    for (const e of es.slice(0, 2000)) {
      if (e.type === 'domain') expect(sliced.matchDomain(`www.${e.value}`, NOW)).toBe(built.matchDomain(`www.${e.value}`, NOW));
      if (e.type === 'ip') expect(sliced.matchIp(e.value, NOW)).toBe(built.matchIp(e.value, NOW));
    }
  });

  it('accepts a plain iterable of batches', async () => {
    const sliced = await IntelMatcherBuilder.buildSliced([es.slice(0, 100), es.slice(100, 300)]);
    const b2 = new IntelMatcherBuilder();
    for (const e of es.slice(0, 300)) b2.add(e);
    expect(dump(sliced)).toEqual(dump(b2.build()));
  });

  it('lets other work run between its slices', async () => {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await IntelMatcherBuilder.buildSliced(batches(es, 40_000), { sliceMs: 0.5 });
    running = false;
    expect(turns).toBeGreaterThan(3);
  });
});
