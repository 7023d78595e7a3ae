/**
 * The PDF: a real PDF whose text (pdftotext, Debian poppler-utils) holds the headline figures;
 * Chinese without a CJK font falls back to English and says why, never throws.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { dailyPatrol } from './daily.ts';
import { findCjkFont } from './fonts.ts';
import { reportPdf } from './pdf.ts';
import { dns, incident, mar, seededStore, sources, TZ } from './reports.test-util.ts';
import type { MonthFigures, MonthlySummary } from './types.ts';

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mw-pdf-')), 'r.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

const figures = (month: string, extra: Partial<MonthFigures>): MonthFigures => ({
  month, miningCases: 0, miningResolved: 0, poolBlocks: 0, poolBlocksDns: 0, poolBlocksSinkhole: 0, threatEvents: 0, campaigns: 0, queries: 0, blocked: 0, ...extra,
});

/** What a leadership report says: 13 mining cases, 360,000 pool connections blocked, 17 threat events. */
function month(): MonthlySummary {
  const days = Array.from({ length: 30 }, (_, i) => `2026-04-${String(i + 1).padStart(2, '0')}`);
  return {
    kind: 'monthly', month: '2026-04', timeZone: TZ, from: 0, to: 1, generatedAt: Date.UTC(2026, 4, 1, 1), scope: null,
    figures: figures('2026-04', { miningCases: 13, miningResolved: 11, poolBlocks: 360_000, poolBlocksDns: 359_000, poolBlocksSinkhole: 1000, threatEvents: 17, campaigns: 1, queries: 48_200_000, blocked: 402_113 }),
    previous: figures('2026-03', { miningCases: 9, poolBlocks: 210_000, threatEvents: 20, queries: 45_000_000, blocked: 250_000 }),
    series: {
      days,
      queries: days.map((_, i) => 1_400_000 + ((i * 37_000) % 300_000)),
      blocked: days.map((_, i) => 9000 + ((i * 1300) % 7000)),
      incidents: days.map((_, i) => (i % 4 === 0 ? 2 : i % 3 === 0 ? 1 : 0)),
    },
    units: [
      { id: 'north', name: '北区第七中学', cases: 7, threatEvents: 3, infectedHosts: 9, queries: 9_000_000, blocked: 200_000 },
      { id: 'south', name: 'South school', cases: 6, threatEvents: 14, infectedHosts: 12, queries: 7_000_000, blocked: 150_000 },
    ],
    topInfectedUnits: [{ id: 'south', name: 'South school', cases: 6, threatEvents: 14, infectedHosts: 12, queries: 7_000_000, blocked: 150_000 }],
    topBlocked: [{ key: 'pool.supportxmr.com', count: 200_000 }, { key: 'xmr.2miners.com', count: 90_000 }],
    detectors: [{ key: 'intel-match', count: 420 }, { key: 'mining-protocol', count: 37 }],
    changes: [
      { metric: 'miningCases', current: 13, previous: 9, delta: 4, direction: 'up' },
      { metric: 'threatEvents', current: 17, previous: 20, delta: -3, direction: 'down' },
    ],
  };
}

describe('reportPdf', () => {
  it('writes a monthly PDF whose text holds the headline figures, tables and the chart scale', async () => {
    const pdf = await reportPdf(month(), { lang: 'en' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toMatch(/Monthly summary 2026-04/);
    // The big numbers side by side, their captions under them.
    expect(text).toMatch(/\b13\s+360,000\s+17\n/);
    expect(text).toMatch(/Mining cases\s+Pool connections blocked\s+Threat events/);
    expect(text).toMatch(/48,200,000\s+402,113/);
    expect(text).toMatch(/pool\.supportxmr\.com\s+200,000/);
    expect(text).toMatch(/Threat events: down 3 \(from 20 to 17\)/);
    expect(text).toMatch(/Page 1\/\d/);
  });

  it('writes a daily PDF from a seeded store', async () => {
    const { store: s } = await seededStore(
      [dns(mar(10, 1), '10.2.0.7'), dns(mar(10, 2), '10.2.0.7', 'blocked', 'pool.supportxmr.com', 'mining-pool')],
      [incident(mar(10, 2), '10.2.0.7')],
    );
    store = s;
    const r = await dailyPatrol(sources(s), { date: '2026-03-10', timeZone: TZ, scope: null, now: mar(11, 8) });
    const text = pdfText(await reportPdf(r, { lang: 'en' }));
    expect(text).toMatch(/Daily patrol 2026-03-10/);
    expect(text).toMatch(/#1\s+high\s+South school\s+10\.2\.0\.7/);
    expect(text).toMatch(/pool\.supportxmr\.com\s+1/);
  });

  it('prints a Chinese report in English with a note when there is no CJK font, and never throws', async () => {
    const pdf = await reportPdf(month(), { lang: 'zh', cjkFont: null });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toMatch(/CJK font is needed.*fonts-noto-cjk/);
    expect(text).toMatch(/Mining cases/);
    // The Chinese unit name falls back to its id.
    expect(text).toMatch(/north\s+7/);
    // A font file that does not load is no font either.
    const bad = join(mkdtempSync(join(tmpdir(), 'mw-font-')), 'wqy-zenhei.ttc');
    writeFileSync(bad, 'not a font');
    expect(pdfText(await reportPdf(month(), { lang: 'zh', cjkFont: { path: bad, family: 'WenQuanYiZenHei' } }))).toMatch(/CJK font is needed/);
  });

  it('uses a CJK font when the system has one', async () => {
    const font = findCjkFont();
    if (font === null) return; // Debian fonts-noto-cjk not installed here: the fallback above is what runs.
    const text = pdfText(await reportPdf(month(), { lang: 'zh' }));
    expect(text).toMatch(/挖矿案例/);
    expect(text).toMatch(/北区第七中学/);
  });

  it('finds no CJK font in a folder without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-fonts-'));
    expect(findCjkFont([dir, join(dir, 'missing')])).toBeNull();
    writeFileSync(join(dir, 'wqy-microhei.ttc'), '');
    expect(findCjkFont([dir])).toEqual({ path: join(dir, 'wqy-microhei.ttc'), family: 'WenQuanYiMicroHei' });
    expect(existsSync(dir)).toBe(true);
  });
});
