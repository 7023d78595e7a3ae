/** The daily patrol over a seeded store: exact figures for a day in Asia/Shanghai, and scope. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { dailyPatrol } from './daily.ts';
import { dailyText } from './text.ts';
import { alertEvent, dns, incident, mar, seededStore, sources, TZ } from './reports.test-util.ts';
import type { HealthLine } from './types.ts';

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

const MIN = 60_000;

/** 2026-03-10 local is the day; 03-09 the day before. */
async function seed(): Promise<Store> {
  const events = [
    // Today: north 5 resolved + 3 blocked pool names; south 4 resolved + 2 blocked C2 names.
    ...Array.from({ length: 5 }, (_, i) => dns(mar(10, 1) + i * MIN, '10.1.0.5')),
    dns(mar(10, 2), '10.1.0.5', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
    dns(mar(10, 3), '10.1.0.6', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
    dns(mar(10, 23) + 59 * MIN, '10.1.0.5', 'blocked', 'xmr.pool.example', 'mining-pool'),
    ...Array.from({ length: 4 }, (_, i) => dns(mar(10, 9) + i * MIN, '10.2.0.7')),
    dns(mar(10, 10), '10.2.0.7', 'blocked', 'c2.example', 'botnet-c2'),
    dns(mar(10), '10.2.0.7', 'blocked', 'c2.example', 'botnet-c2'),
    // Yesterday (the last minute of it, too) and tomorrow's first instant: outside "today".
    dns(mar(9, 12), '10.1.0.5'), dns(mar(10) - 1, '10.1.0.5'),
    dns(mar(9, 13), '10.1.0.9', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
    dns(mar(11), '10.1.0.5', 'blocked', 'pool.supportxmr.com', 'mining-pool'),
    alertEvent(mar(10, 2), '10.1.0.5', 'stratum'),
  ];
  const incidents = [
    incident(mar(10, 2), '10.1.0.5', { severity: 'high' }),
    incident(mar(10, 10), '10.2.0.7', { threat: 'c2:203.0.113.7', title: 'Beaconing to 203.0.113.7', severity: 'medium', stage: 'command-and-control' }),
    incident(mar(9, 13), '10.1.0.9', { severity: 'low' }),
    incident(mar(9, 13) - 20 * 86_400_000, '10.2.0.8', { severity: 'critical', lastSeen: mar(9, 23) }),
  ];
  const r = await seededStore(events, incidents);
  // The one from yesterday was resolved this morning.
  await r.store.incidents.setState(r.saved[2]!.id, 'resolved', 'ana', 'reimaged', mar(10, 8));
  return r.store;
}

const HEALTH: HealthLine[] = [{ kind: 'sensor', name: 'zeek', events: 120, errors: 0, lastEvent: mar(10, 23), status: 'ok', detail: 'follow /opt/zeek' }];

describe('dailyPatrol', () => {
  it('counts the day against the day before, in the time zone, with incidents, new hosts, top lists, units and health', async () => {
    store = await seed();
    const r = await dailyPatrol(sources(store, () => Promise.resolve(HEALTH)), { date: '2026-03-10', timeZone: TZ, scope: null, now: mar(11, 8) });
    expect([r.from, r.to]).toEqual([mar(10), mar(11)]);
    expect(r.dns).toEqual({ today: { queries: 14, blocked: 5 }, yesterday: { queries: 3, blocked: 1 } });
    expect(r.incidents.openedToday.map((i) => i.host)).toEqual(['10.1.0.5', '10.2.0.7']);
    expect(r.incidents.openedToday[0]).toMatchObject({ unit: 'north', unitName: '北区第七中学', severity: 'high', stage: 'mining', ageMs: 22 * 3_600_000 });
    expect(r.incidents.openedYesterday).toBe(1);
    expect(r.incidents.open.map((i) => [i.host, i.severity])).toEqual([['10.2.0.8', 'critical'], ['10.1.0.5', 'high'], ['10.2.0.7', 'medium']]);
    expect(r.incidents.closedToday).toMatchObject([{ host: '10.1.0.9', state: 'resolved', closedAt: mar(10, 8) }]);
    expect(r.infected).toEqual({ today: { hosts: ['10.1.0.5', '10.2.0.7'], units: ['north', 'south'] }, yesterday: { hosts: 1, units: 1 } });
    expect(r.topBlocked).toEqual([{ key: 'c2.example', count: 2 }, { key: 'pool.supportxmr.com', count: 2 }, { key: 'xmr.pool.example', count: 1 }]);
    expect(r.topCategories).toEqual([{ key: 'mining-pool', count: 3 }, { key: 'botnet-c2', count: 2 }]);
    expect(r.units).toEqual([
      { id: 'south', name: 'South school', open: 2, maxSeverity: 'critical', hosts: 2 },
      { id: 'north', name: '北区第七中学', open: 1, maxSeverity: 'high', hosts: 1 },
    ]);
    expect(r.health).toEqual(HEALTH);
    expect(r.healthNote).toBeNull();
    expect(r.changes).toEqual([
      { metric: 'queries', current: 14, previous: 3, delta: 11, direction: 'up' },
      { metric: 'blocked', current: 5, previous: 1, delta: 4, direction: 'up' },
      { metric: 'opened', current: 2, previous: 1, delta: 1, direction: 'up' },
      { metric: 'newHosts', current: 2, previous: 1, delta: 1, direction: 'up' },
      { metric: 'affectedUnits', current: 2, previous: 1, delta: 1, direction: 'up' },
    ]);
  });

  it('leaves out another unit\'s incidents, blocks and hosts when scoped', async () => {
    store = await seed();
    const r = await dailyPatrol(sources(store), { date: '2026-03-10', timeZone: TZ, scope: ['north'], now: mar(11, 8), healthNote: 'no server running' });
    expect(r.dns).toEqual({ today: { queries: 8, blocked: 3 }, yesterday: { queries: 3, blocked: 1 } });
    expect(r.incidents.openedToday.map((i) => i.host)).toEqual(['10.1.0.5']);
    expect(r.incidents.open.map((i) => i.host)).toEqual(['10.1.0.5']);
    expect(r.topCategories).toEqual([{ key: 'mining-pool', count: 3 }]);
    expect(r.topBlocked.map((t) => t.key)).not.toContain('c2.example');
    expect(r.units.map((u) => u.id)).toEqual(['north']);
    expect(r.infected.today).toEqual({ hosts: ['10.1.0.5'], units: ['north'] });
    expect(r.healthNote).toBe('no server running');
    const none = await dailyPatrol(sources(store), { date: '2026-03-10', timeZone: TZ, scope: [], now: mar(11, 8) });
    expect([none.dns.today.queries, none.incidents.open.length, none.topBlocked.length]).toEqual([0, 0, 0]);
  });

  it('reads as aligned text in English and Chinese', async () => {
    store = await seed();
    const r = await dailyPatrol(sources(store), { date: '2026-03-10', timeZone: TZ, scope: null, now: mar(11, 8) });
    const en = dailyText(r, 'en');
    expect(en).toMatch(/Daily patrol 2026-03-10 \(Asia\/Shanghai\)/);
    expect(en).toMatch(/DNS queries +14 +3\n/);
    expect(en).toMatch(/Blocked: up 4 \(from 1 to 5\)/);
    expect(en).toMatch(/#1 +high +北区第七中学 +10\.1\.0\.5 +mining +22h +Monero mining/);
    expect(en).toMatch(/no health source/);
    const zh = dailyText(r, 'zh');
    expect(zh).toMatch(/每日巡检 2026-03-10/);
    expect(zh).toMatch(/已拦截: 上升 4 \(由 1 至 5\)/);
  });

  it('refuses a bad date or time zone', async () => {
    store = await seed();
    await expect(dailyPatrol(sources(store), { date: '2026-02-30', timeZone: TZ, scope: null })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    await expect(dailyPatrol(sources(store), { date: '2026-03-10', timeZone: 'Mars/Olympus', scope: null })).rejects.toThrow(/unknown time zone/);
  });
});
