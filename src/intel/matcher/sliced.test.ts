import { describe, it, expect } from 'vitest';
import { IntelMatcherBuilder } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';
import { NOW, dump, mixed } from './matcher.test-util.ts';

async function* batches(es: MatcherEntryInput[], size: number): AsyncGenerator<MatcherEntryInput[]> {
  for (let i = 0; i < es.length; i += size) {
    await Promise.resolve();
    yield es.slice(i, i + size);
  }
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
