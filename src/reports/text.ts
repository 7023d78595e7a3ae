/** Reports as plain text for a terminal: headline figures, then aligned tables (CJK counts double). */
import { changeSentence, formatAge, formatNumber, labels, type Labels, type Lang } from './labels.ts';
import { localDateTime } from './time.ts';
import type { DailyPatrol, HealthLine, IncidentLine, MonthlySummary, Report, TopLine } from './types.ts';

/** Columns a string takes on a terminal: East Asian wide and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3)
      || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
      || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

const pad = (s: string, n: number, right = false): string => {
  const fill = ' '.repeat(Math.max(0, n - displayWidth(s)));
  return right ? fill + s : s + fill;
};

/** An aligned table; numeric columns right-aligned. */
export function textTable(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string[] {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const width = head.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: readonly string[]): string => r.map((c, i) => pad(c, width[i] ?? 0, numeric[i])).join('  ').trimEnd();
  return [line(head), ...cells.map(line)];
}

function section(out: string[], title: string, body: string[], L: Labels): void {
  out.push('', title, '-'.repeat(displayWidth(title)));
  out.push(...(body.length === 0 ? [`  ${L.none}`] : body.map((l) => `  ${l}`)));
}

const topRows = (rows: readonly TopLine[]): Array<[string, number]> => rows.map((r) => [r.key, r.count]);

function incidentRows(list: readonly IncidentLine[], L: Labels): string[] {
  if (list.length === 0) return [];
  return textTable([L.id, L.severity, L.unit, L.host, L.stage, L.age, L.title],
    list.map((i) => [`#${i.id}`, i.severity, i.unitName ?? '-', i.host, i.stage, formatAge(i.ageMs), i.title]));
}

function healthRows(lines: readonly HealthLine[], tz: string, L: Labels): string[] {
  if (lines.length === 0) return [];
  return textTable([L.kind, L.name, L.events, L.errors, L.lastEvent, L.status, L.detail],
    lines.map((h) => [h.kind, h.name, h.events ?? '-', h.errors ?? '-', h.lastEvent === null ? L.never : localDateTime(h.lastEvent, tz), h.status, h.detail]));
}

function scopeLine(scope: readonly string[] | null, L: Labels): string {
  return `${L.scope}: ${scope === null ? L.allUnits : scope.join(', ')}`;
}

export function dailyText(r: DailyPatrol, lang: Lang): string {
  const L = labels(lang);
  const out = [`${L.product} — ${L.dailyTitle} ${r.date} (${r.timeZone})`, scopeLine(r.scope, L)];
  section(out, `${L.today} / ${L.yesterday}`, textTable(['', L.today, L.yesterday], [
    [L.queries, r.dns.today.queries, r.dns.yesterday.queries],
    [L.blocked, r.dns.today.blocked, r.dns.yesterday.blocked],
    [L.opened, r.incidents.openedToday.length, r.incidents.openedYesterday],
    [L.newHosts, r.infected.today.hosts.length, r.infected.yesterday.hosts],
    [L.affectedUnits, r.infected.today.units.length, r.infected.yesterday.units],
  ]), L);
  section(out, L.changes, r.changes.map((c) => changeSentence(c, L)), L);
  section(out, `${L.openedToday} (${r.incidents.openedToday.length})`, incidentRows(r.incidents.openedToday, L), L);
  section(out, `${L.openIncidents} (${r.incidents.open.length})`, incidentRows(r.incidents.open, L), L);
  section(out, `${L.closedToday} (${r.incidents.closedToday.length})`, incidentRows(r.incidents.closedToday, L), L);
  section(out, L.unitsOpen, r.units.length === 0 ? [] : textTable([L.unit, L.open, L.maxSeverity, L.hosts], r.units.map((u) => [u.name, u.open, u.maxSeverity, u.hosts])), L);
  section(out, L.topBlocked, r.topBlocked.length === 0 ? [] : textTable([L.name, L.count], topRows(r.topBlocked)), L);
  section(out, L.topCategories, r.topCategories.length === 0 ? [] : textTable([L.category, L.count], topRows(r.topCategories)), L);
  section(out, L.health, [...(r.healthNote === null ? [] : [r.healthNote]), ...healthRows(r.health, r.timeZone, L)], L);
  return `${out.join('\n')}\n`;
}

export function monthlyText(r: MonthlySummary, lang: Lang): string {
  const L = labels(lang);
  const f = r.figures;
  const p = r.previous;
  const out = [`${L.product} — ${L.monthlyTitle} ${r.month} (${r.timeZone})`, scopeLine(r.scope, L)];
  section(out, `${L.thisMonth} / ${L.previousMonth} (${p.month})`, textTable(['', L.thisMonth, L.previousMonth], [
    [L.miningCases, f.miningCases, p.miningCases],
    [`  ${L.miningResolved}`, f.miningResolved, p.miningResolved],
    [L.poolBlocks, f.poolBlocks, p.poolBlocks],
    [L.threatEvents, f.threatEvents, p.threatEvents],
    [L.campaigns, f.campaigns, p.campaigns],
    [L.queries, f.queries, p.queries],
    [L.blocked, f.blocked, p.blocked],
  ]), L);
  out.push(`  (${L.poolBlocks}: ${L.poolBlocksDetail}: ${formatNumber(f.poolBlocksDns)} + ${formatNumber(f.poolBlocksSinkhole)})`);
  section(out, L.changesMonth, r.changes.map((c) => changeSentence(c, L)), L);
  const days = r.series.days.map((d, i) => [d, r.series.queries[i] ?? 0, r.series.blocked[i] ?? 0, r.series.incidents[i] ?? 0] as [string, number, number, number])
    .filter((row) => row[1] + row[2] + row[3] > 0);
  section(out, L.perDay, days.length === 0 ? [] : textTable([L.day, L.queries, L.blocked, L.incidents], days), L);
  section(out, L.perUnit, r.units.length === 0 ? [] : textTable([L.unit, L.cases, L.threatEvents, L.infectedHosts, L.queries, L.blocked],
    r.units.map((u) => [u.name, u.cases, u.threatEvents, u.infectedHosts, u.queries, u.blocked])), L);
  section(out, L.topInfected, r.topInfectedUnits.length === 0 ? [] : textTable([L.unit, L.infectedHosts, L.cases],
    r.topInfectedUnits.map((u) => [u.name, u.infectedHosts, u.cases])), L);
  section(out, L.topBlocked, r.topBlocked.length === 0 ? [] : textTable([L.name, L.count], topRows(r.topBlocked)), L);
  section(out, L.detectors, r.detectors.length === 0 ? [] : textTable([L.detector, L.alerts], topRows(r.detectors)), L);
  return `${out.join('\n')}\n`;
}

export function reportText(r: Report, lang: Lang): string {
  return r.kind === 'daily' ? dailyText(r, lang) : monthlyText(r, lang);
}
