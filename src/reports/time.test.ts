/** Local days and months as instants, across DST changes and zone offsets. */
import { describe, expect, it } from 'vitest';
import { dayWindow, lastMonth, localDate, monthWindow, yesterday } from './time.ts';

const H = 3_600_000;

describe('report windows', () => {
  it('starts a day at local midnight and lets it be 23 or 25 hours long on a DST change', () => {
    const sh = dayWindow('2026-03-10', 'Asia/Shanghai');
    expect([sh.from, sh.to - sh.from, sh.previous.date, sh.previous.to]).toEqual([Date.UTC(2026, 2, 9, 16), 24 * H, '2026-03-09', sh.from]);
    const spring = dayWindow('2026-03-08', 'America/New_York');
    expect([spring.from, spring.to - spring.from]).toEqual([Date.UTC(2026, 2, 8, 5), 23 * H]);
    const fall = dayWindow('2026-11-01', 'America/New_York');
    expect(fall.to - fall.from).toBe(25 * H);
    expect(dayWindow('2026-06-01', 'Asia/Kolkata').from).toBe(Date.UTC(2026, 4, 31, 18, 30));
  });

  it('splits a month into its local days, and knows the month before', () => {
    const m = monthWindow('2026-01', 'UTC');
    expect([m.from, m.to, m.days.length, m.days[30]?.date, m.previous.month]).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1), 31, '2026-01-31', '2025-12']);
    expect(monthWindow('2028-02', 'Europe/Berlin').days).toHaveLength(29);
    expect(() => monthWindow('2026-13', 'UTC')).toThrow(/not a month/);
  });

  it('names yesterday and last month as the zone sees them', () => {
    const now = Date.UTC(2026, 0, 1, 20); // 2026-01-02 04:00 in Shanghai
    expect(localDate(now, 'Asia/Shanghai')).toBe('2026-01-02');
    expect([yesterday(now, 'UTC'), yesterday(now, 'Asia/Shanghai')]).toEqual(['2025-12-31', '2026-01-01']);
    expect([lastMonth(now, 'UTC'), lastMonth(now, 'Asia/Shanghai')]).toEqual(['2025-12', '2025-12']);
  });
});
