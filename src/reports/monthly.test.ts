/** The monthly summary over a seeded store: mining cases, pool blocks, threat events, per day and unit, the month before. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { monthlySummary } from './monthly.ts';
import { monthlyText } from './text.ts';
import { alertEvent, dns, feb, incident, mar, seededStore, sinkhole, sources, TZ } from './reports.test-util.ts';

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function seed(): Promise<Store> {
  const events = [
    // March (local): 10 resolved, pool blocks 4 (mining-pool) + 1 (mining-proxy) in north, 2 C2 blocks in south, 3 sinkhole connections.
    ...Array.from({ length: 10 }, (_, i) => dns(mar(1) + i * 1000, i < 6 ? '10.1.0.5' : '10.2.0.7')),
    ...Array.from({ length: 4 }, (_, i) => dns(mar(5, 10) + i * 1000, '10.1.0.5', 'blocked', 'pool.supportxmr.com', 'mining-pool')),
    dns(mar(31, 23), '10.1.0.6', 'blocked', 'proxy.mine.example', 'mining-proxy'),
    dns(mar(6, 10), '10.2.0.7', 'blocked', 'c2.example', 'botnet-c2'), dns(mar(6, 11), '10.2.0.7', 'blocked', 'c2.example', 'botnet-c2'),
    sinkhole(mar(5, 10), '10.1.0.5'), sinkhole(mar(5, 11), '10.1.0.5'), sinkhole(mar(7, 11), '10.2.0.9'),
    alertEvent(mar(5, 10), '10.1.0.5', 'stratum'), alertEvent(mar(5, 11), '10.1.0.6', 'stratum'), alertEvent(mar(6, 10), '10.2.0.7', 'beacon'),
    // February: 2 resolved, 1 pool block, 1 sinkhole; and 1 April block that is not March's.
    dns(feb(3), '10.1.0.5'), dns(feb(3, 1), '10.1.0.5'), dns(feb(28, 23), '10.1.0.5', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
    sinkhole(feb(20), '10.1.0.5'),
    dns(mar(32), '10.1.0.5', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
  ];
  const c2 = { threat: 'c2:203.0.113.7', title: 'Beaconing', severity: 'medium' as const, stage: 'command-and-control' as const };
  const incidents = [
    incident(mar(5, 10), '10.1.0.5', { state: 'resolved' }),
    incident(mar(5, 11), '10.1.0.6'),
    incident(mar(7, 11), '10.2.0.9', { threat: 'mining:monero' }),
    incident(mar(6, 10), '10.2.0.7', c2),
    incident(mar(6, 10), '10.2.0.8', c2),
    incident(mar(6, 10), '10.2.0.7', { ...c2, kind: 'campaign', threat: 'campaign:203.0.113.7', unit: 'centre', hosts: [] }),
    incident(feb(10), '10.1.0.5'),
  ];
  return (await seededStore(events, incidents)).store;
}

describe('monthlySummary', () => {
  it('counts mining cases, pool connections blocked and threat events exactly, against the month before', async () => {
    store = await seed();
    const r = await monthlySummary(sources(store), { month: '2026-03', timeZone: TZ, scope: null, now: mar(32, 9) });
    expect([r.from, r.to]).toEqual([mar(1), mar(32)]);
    expect(r.figures).toEqual({
      month: '2026-03', miningCases: 3, miningResolved: 1, poolBlocks: 8, poolBlocksDns: 5, poolBlocksSinkhole: 3,
      threatEvents: 2, campaigns: 1, queries: 17, blocked: 7,
    });
    expect(r.previous).toEqual({
      month: '2026-02', miningCases: 1, miningResolved: 0, poolBlocks: 2, poolBlocksDns: 1, poolBlocksSinkhole: 1,
      threatEvents: 0, campaigns: 0, queries: 3, blocked: 1,
    });
    expect(r.changes.find((c) => c.metric === 'miningCases')).toEqual({ metric: 'miningCases', current: 3, previous: 1, delta: 2, direction: 'up' });
    expect(r.changes.find((c) => c.metric === 'poolBlocks')).toMatchObject({ delta: 6, direction: 'up' });
    expect(r.series.days).toHaveLength(31);
    expect(r.series.days[4]).toBe('2026-03-05');
    expect([r.series.queries[0], r.series.blocked[4], r.series.blocked[30], r.series.incidents[5]]).toEqual([10, 4, 1, 2]);
    expect(r.series.queries.reduce((a, b) => a + b, 0)).toBe(17);
    expect(r.units).toEqual([
      { id: 'north', name: '北区第七中学', cases: 2, threatEvents: 0, infectedHosts: 2, queries: 11, blocked: 5 },
      { id: 'south', name: 'South school', cases: 1, threatEvents: 2, infectedHosts: 3, queries: 6, blocked: 2 },
    ]);
    expect(r.topInfectedUnits.map((u) => [u.id, u.infectedHosts])).toEqual([['south', 3], ['north', 2]]);
    expect(r.topBlocked[0]).toEqual({ key: 'pool.supportxmr.com', count: 4 });
    expect(r.detectors).toEqual([{ key: 'stratum', count: 2 }, { key: 'beacon', count: 1 }]);
  });

  it('counts only the units in scope', async () => {
    store = await seed();
    const r = await monthlySummary(sources(store), { month: '2026-03', timeZone: TZ, scope: ['south'], now: mar(32, 9) });
    expect(r.figures).toMatchObject({ miningCases: 1, miningResolved: 0, poolBlocks: 1, poolBlocksDns: 0, poolBlocksSinkhole: 1, threatEvents: 2, campaigns: 0, queries: 6, blocked: 2 });
    expect(r.units.map((u) => u.id)).toEqual(['south']);
    expect(r.detectors).toEqual([{ key: 'beacon', count: 1 }]);
    expect(r.previous).toMatchObject({ miningCases: 0, poolBlocks: 0 });
  });

  it('reads as text with the headline figures', async () => {
    store = await seed();
    const r = await monthlySummary(sources(store), { month: '2026-03', timeZone: TZ, scope: null, now: mar(32, 9) });
    const en = monthlyText(r, 'en');
    expect(en).toMatch(/Mining cases +3 +1\n/);
    expect(en).toMatch(/Pool connections blocked +8 +2\n/);
    expect(en).toMatch(/Threat events +2 +0\n/);
    expect(en).toMatch(/2026-03-05 +4 +4 +2\n/);
    expect(monthlyText(r, 'zh')).toMatch(/挖矿案例 +3 +1\n/);
  });
});
