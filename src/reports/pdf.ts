/**
 * Reports as PDF (pdfkit): a header band, the headline figures as big numbers, a per-day bar
 * chart drawn with vector paths, and tables that continue on the next page. Chinese needs a CJK
 * font from the system; without one the report is printed in English with a line saying so.
 */
import PDFDocument from 'pdfkit';
import { findCjkFont, needsUnicodeFont, type CjkFont } from './fonts.ts';
import { changeSentence, formatAge, formatNumber, labels, type Labels, type Lang } from './labels.ts';
import { localDateTime } from './time.ts';
import type { DailyPatrol, IncidentLine, MonthlySummary, Report } from './types.ts';

export interface PdfOptions {
  lang: Lang;
  /** A CJK font to use; default: looked up on the system. null: none (forces the fallback). */
  cjkFont?: CjkFont | null;
}

type Doc = PDFKit.PDFDocument;

const M = 40;
const INK = '#1f2933';
const MUTED = '#6b7785';
const ACCENT = '#b42318';
const BAND = '#0f3d5e';
const LIGHT = '#c9d6e3';
const RULE = '#d5dbe1';

interface Fonts {
  regular: string;
  bold: string;
  /** Replaces what the fonts cannot show (no CJK font): the alternative, or '?' per character. */
  show: (s: string, alt?: string | null) => string;
}

function setupFonts(doc: Doc, wantCjk: boolean, font: CjkFont | null): Fonts | null {
  if (!wantCjk || font === null) {
    return {
      regular: 'Helvetica', bold: 'Helvetica-Bold',
      show: (s, alt) => (!needsUnicodeFont(s) ? s : alt != null && !needsUnicodeFont(alt) ? alt : s.replace(/[^\u0000-\u00ff]/g, '?')), // eslint-disable-line no-control-regex
    };
  }
  try {
    doc.registerFont('cjk', font.path, font.family);
    doc.font('cjk');
    return { regular: 'cjk', bold: 'cjk', show: (s) => s };
  } catch {
    return null;
  }
}

interface Column {
  head: string;
  width: number;
  align?: 'left' | 'right';
}

class Writer {
  y = M;
  /** A line printed under the title band (e.g. why the report is not in Chinese). */
  notice: string | null = null;
  constructor(readonly doc: Doc, readonly f: Fonts, readonly L: Labels) {}

  get width(): number {
    return this.doc.page.width - 2 * M;
  }

  private get bottom(): number {
    return this.doc.page.height - M - 20;
  }

  need(h: number): void {
    if (this.y + h > this.bottom) {
      this.doc.addPage();
      this.y = M;
    }
  }

  text(s: string, size: number, opts: { bold?: boolean; color?: string; x?: number; width?: number; align?: 'left' | 'right' | 'center' } = {}): void {
    const { doc } = this;
    doc.font(opts.bold === true ? this.f.bold : this.f.regular).fontSize(size).fillColor(opts.color ?? INK);
    const width = opts.width ?? this.width;
    const h = doc.heightOfString(this.f.show(s), { width });
    this.need(h);
    doc.text(this.f.show(s), opts.x ?? M, this.y, { width, align: opts.align ?? 'left' });
    this.y += h;
  }

  heading(s: string): void {
    // A heading never ends a page alone: room for it and a few lines or rows.
    this.need(70);
    this.y += 12;
    this.text(s, 12, { bold: true, color: BAND });
    this.doc.moveTo(M, this.y + 2).lineTo(M + this.width, this.y + 2).lineWidth(0.5).strokeColor(RULE).stroke();
    this.y += 6;
  }

  /** Text clipped to a width, with an ellipsis. */
  fit(s: string, width: number): string {
    const { doc } = this;
    if (doc.widthOfString(s) <= width) return s;
    let t = s;
    while (t.length > 1 && doc.widthOfString(`${t}…`) > width) t = t.slice(0, -1);
    return `${t}…`;
  }

  table(cols: readonly Column[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
    const { doc } = this;
    if (rows.length === 0) {
      this.text(this.L.none, 9, { color: MUTED });
      return;
    }
    const total = cols.reduce((a, c) => a + c.width, 0);
    const scale = this.width / total;
    const rowH = 14;
    const align = cols.map((c, i) => c.align ?? (rows.every((r) => typeof r[i] === 'number') ? 'right' : 'left'));
    const header = (): void => {
      this.need(rowH * 2);
      doc.rect(M, this.y, this.width, rowH).fill('#eef2f6');
      doc.font(this.f.bold).fontSize(8).fillColor(INK);
      let x = M;
      cols.forEach((c, i) => {
        const w = c.width * scale;
        doc.text(this.fit(this.f.show(c.head), w - 6), x + 3, this.y + 3, { width: w - 6, align: align[i] ?? 'left', lineBreak: false });
        x += w;
      });
      this.y += rowH;
    };
    header();
    for (const r of rows) {
      if (this.y + rowH > this.bottom) {
        doc.addPage();
        this.y = M;
        header();
      }
      doc.font(this.f.regular).fontSize(8).fillColor(INK);
      let x = M;
      cols.forEach((c, i) => {
        const w = c.width * scale;
        const v = r[i];
        const s = typeof v === 'number' ? formatNumber(v) : this.f.show(v ?? '');
        doc.text(this.fit(s, w - 6), x + 3, this.y + 3, { width: w - 6, align: align[i] ?? 'left', lineBreak: false });
        x += w;
      });
      doc.moveTo(M, this.y + rowH).lineTo(M + this.width, this.y + rowH).lineWidth(0.3).strokeColor(RULE).stroke();
      this.y += rowH;
    }
  }

  /** The title band at the top of page 1. */
  band(title: string, sub: string): void {
    const { doc } = this;
    doc.rect(0, 0, doc.page.width, 92).fill(BAND);
    doc.font(this.f.regular).fontSize(10).fillColor(LIGHT).text(this.L.product.toUpperCase(), M, 22, { characterSpacing: 2 });
    doc.font(this.f.bold).fontSize(22).fillColor('#ffffff').text(this.f.show(title), M, 38);
    doc.font(this.f.regular).fontSize(9).fillColor(LIGHT).text(this.f.show(sub), M, 68, { width: this.width });
    this.y = 104;
    if (this.notice !== null) this.text(this.notice, 9, { color: ACCENT });
    this.y += 4;
  }

  /** Headline figures: big numbers in boxes, with a caption and a note under each. */
  bigNumbers(items: ReadonlyArray<{ value: number; label: string; note?: string; accent?: boolean }>): void {
    const { doc } = this;
    const gap = 10;
    const w = (this.width - gap * (items.length - 1)) / items.length;
    const h = 78;
    this.need(h + 10);
    items.forEach((it, i) => {
      const x = M + i * (w + gap);
      doc.roundedRect(x, this.y, w, h, 4).lineWidth(0.8).strokeColor(RULE).stroke();
      doc.rect(x, this.y, 3, h).fill(it.accent === true ? ACCENT : BAND);
      doc.font(this.f.bold).fontSize(formatNumber(it.value).length > 9 ? 18 : 24).fillColor(it.accent === true ? ACCENT : INK)
        .text(formatNumber(it.value), x + 10, this.y + 10, { width: w - 16, lineBreak: false });
      doc.font(this.f.regular).fontSize(8.5).fillColor(INK).text(this.fit(this.f.show(it.label), w - 16), x + 10, this.y + 44, { width: w - 16, lineBreak: false });
      if (it.note !== undefined) doc.fontSize(7.5).fillColor(MUTED).text(this.fit(this.f.show(it.note), w - 16), x + 10, this.y + 58, { width: w - 16, lineBreak: false });
    });
    this.y += h + 8;
  }

  /** Bars per day: each series side by side in its colour, one scale, a few gridlines and day labels. */
  barChart(days: readonly string[], series: ReadonlyArray<{ label: string; values: readonly number[]; color: string }>, height = 130): void {
    const { doc } = this;
    this.need(height + 40);
    const x0 = M + 44;
    const w = this.width - 44;
    const top = this.y + 14;
    const max = Math.max(1, ...series.flatMap((s) => s.values));
    const step = Math.max(1, niceStep(max)); // counts: no gridline at 0.5
    const yMax = Math.ceil(max / step) * step;
    // Legend.
    let lx = x0;
    for (const s of series) {
      doc.rect(lx, this.y + 2, 8, 8).fill(s.color);
      doc.font(this.f.regular).fontSize(8).fillColor(INK).text(this.f.show(s.label), lx + 11, this.y + 2, { lineBreak: false });
      lx += 16 + doc.widthOfString(this.f.show(s.label)) + 12;
    }
    // Gridlines and the scale.
    for (let v = 0; v <= yMax; v += step) {
      const y = top + height - (v / yMax) * height;
      doc.moveTo(x0, y).lineTo(x0 + w, y).lineWidth(0.3).strokeColor(RULE).stroke();
      doc.fontSize(7).fillColor(MUTED).text(compact(v), M, y - 3, { width: 40, align: 'right', lineBreak: false });
    }
    const slot = w / Math.max(1, days.length);
    const bar = Math.max(1, (slot * 0.8) / series.length);
    days.forEach((d, i) => {
      series.forEach((s, k) => {
        const v = s.values[i] ?? 0;
        if (v <= 0) return;
        const h = Math.max(0.8, (v / yMax) * height);
        doc.rect(x0 + i * slot + slot * 0.1 + k * bar, top + height - h, bar, h).fill(s.color);
      });
      if (days.length <= 12 || i % Math.ceil(days.length / 16) === 0) {
        doc.fontSize(6.5).fillColor(MUTED).text(d.slice(-2), x0 + i * slot, top + height + 3, { width: slot, align: 'center', lineBreak: false });
      }
    });
    this.y = top + height + 16;
  }

  footer(text: string): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      doc.font(this.f.regular).fontSize(7).fillColor(MUTED)
        .text(`${this.f.show(text)}  ·  ${this.L.page} ${i + 1}/${range.count}`, M, doc.page.height - M + 8, { width: this.width, align: 'right', lineBreak: false });
    }
  }
}

function niceStep(max: number): number {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

function compact(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return formatNumber(v);
}

const scopeText = (scope: readonly string[] | null, L: Labels): string => `${L.scope}: ${scope === null ? L.allUnits : scope.join(', ')}`;

function incidentTable(w: Writer, list: readonly IncidentLine[]): void {
  const L = w.L;
  w.table([
    { head: L.id, width: 34 }, { head: L.severity, width: 48 }, { head: L.unit, width: 80 }, { head: L.host, width: 78 },
    { head: L.stage, width: 70 }, { head: L.age, width: 34, align: 'right' }, { head: L.title, width: 170 },
  ], list.map((i) => [`#${i.id}`, i.severity, w.f.show(i.unitName ?? '-', i.unit), i.host, i.stage, formatAge(i.ageMs), i.title]));
}

function daily(w: Writer, r: DailyPatrol): void {
  const L = w.L;
  w.band(`${L.dailyTitle} ${r.date}`, `${scopeText(r.scope, L)}  ·  ${L.timeZone}: ${r.timeZone}  ·  ${L.generated}: ${localDateTime(r.generatedAt, r.timeZone)}`);
  w.bigNumbers([
    { value: r.dns.today.queries, label: L.queries, note: `${L.yesterday}: ${formatNumber(r.dns.yesterday.queries)}` },
    { value: r.dns.today.blocked, label: L.blocked, note: `${L.yesterday}: ${formatNumber(r.dns.yesterday.blocked)}` },
    { value: r.incidents.openedToday.length, label: L.opened, note: `${L.yesterday}: ${r.incidents.openedYesterday}`, accent: true },
    { value: r.incidents.open.length, label: L.openIncidents, accent: true },
    { value: r.infected.today.hosts.length, label: L.newHosts, note: `${L.affectedUnits}: ${r.infected.today.units.length}` },
  ]);
  w.heading(L.changes);
  for (const c of r.changes) w.text(`•  ${changeSentence(c, L)}`, 9);
  w.heading(`${L.openedToday} (${r.incidents.openedToday.length})`);
  incidentTable(w, r.incidents.openedToday);
  w.heading(`${L.openIncidents} (${r.incidents.open.length})`);
  incidentTable(w, r.incidents.open);
  w.heading(`${L.closedToday} (${r.incidents.closedToday.length})`);
  incidentTable(w, r.incidents.closedToday);
  w.heading(L.unitsOpen);
  w.table([{ head: L.unit, width: 220 }, { head: L.open, width: 60, align: 'right' }, { head: L.maxSeverity, width: 90 }, { head: L.hosts, width: 60, align: 'right' }],
    r.units.map((u) => [w.f.show(u.name, u.id), u.open, u.maxSeverity, u.hosts]));
  w.heading(L.topBlocked);
  w.table([{ head: L.name, width: 300 }, { head: L.count, width: 80, align: 'right' }], r.topBlocked.map((t) => [t.key, t.count]));
  w.heading(L.topCategories);
  w.table([{ head: L.category, width: 300 }, { head: L.count, width: 80, align: 'right' }], r.topCategories.map((t) => [t.key, t.count]));
  w.heading(L.health);
  if (r.healthNote !== null || r.health.length === 0) w.text(r.healthNote ?? L.none, 9, { color: MUTED });
  if (r.health.length > 0) {
    w.table([
      { head: L.kind, width: 40 }, { head: L.name, width: 110 }, { head: L.events, width: 55, align: 'right' }, { head: L.errors, width: 45, align: 'right' },
      { head: L.lastEvent, width: 85 }, { head: L.status, width: 45 }, { head: L.detail, width: 130 },
    ], r.health.map((h) => [h.kind, h.name, h.events ?? '-', h.errors ?? '-', h.lastEvent === null ? L.never : localDateTime(h.lastEvent, r.timeZone), h.status, h.detail]));
  }
}

function monthly(w: Writer, r: MonthlySummary): void {
  const L = w.L;
  const f = r.figures;
  w.band(`${L.monthlyTitle} ${r.month}`, `${scopeText(r.scope, L)}  ·  ${L.timeZone}: ${r.timeZone}  ·  ${L.generated}: ${localDateTime(r.generatedAt, r.timeZone)}`);
  w.bigNumbers([
    { value: f.miningCases, label: L.miningCases, note: `${formatNumber(f.miningResolved)} ${L.miningResolved}`, accent: true },
    { value: f.poolBlocks, label: L.poolBlocks, note: `DNS ${formatNumber(f.poolBlocksDns)} + sinkhole ${formatNumber(f.poolBlocksSinkhole)}` },
    { value: f.threatEvents, label: L.threatEvents, note: `${L.campaigns}: ${f.campaigns}`, accent: true },
  ]);
  w.bigNumbers([
    { value: f.queries, label: L.queries, note: `${L.previousMonth}: ${formatNumber(r.previous.queries)}` },
    { value: f.blocked, label: L.blocked, note: `${L.previousMonth}: ${formatNumber(r.previous.blocked)}` },
    { value: r.units.filter((u) => u.infectedHosts > 0).length, label: L.affectedUnits },
  ]);
  w.heading(`${L.changesMonth} (${r.previous.month})`);
  for (const c of r.changes) w.text(`•  ${changeSentence(c, L)}`, 9);
  // One chart per figure: blocked queries are a few per mille of all queries, invisible on one scale.
  w.heading(L.perDay);
  w.barChart(r.series.days, [{ label: L.blocked, values: r.series.blocked, color: ACCENT }], 80);
  w.barChart(r.series.days, [{ label: L.incidents, values: r.series.incidents, color: BAND }], 60);
  w.barChart(r.series.days, [{ label: L.queries, values: r.series.queries, color: '#8fb3d1' }], 60);
  w.heading(L.perUnit);
  w.table([
    { head: L.unit, width: 170 }, { head: L.cases, width: 50 }, { head: L.threatEvents, width: 65 }, { head: L.infectedHosts, width: 65 },
    { head: L.queries, width: 80 }, { head: L.blocked, width: 70 },
  ], r.units.map((u) => [w.f.show(u.name, u.id), u.cases, u.threatEvents, u.infectedHosts, u.queries, u.blocked]));
  w.heading(L.topInfected);
  w.table([{ head: L.unit, width: 260 }, { head: L.infectedHosts, width: 80 }, { head: L.cases, width: 80 }],
    r.topInfectedUnits.map((u) => [w.f.show(u.name, u.id), u.infectedHosts, u.cases]));
  w.heading(L.topBlocked);
  w.table([{ head: L.name, width: 300 }, { head: L.count, width: 80, align: 'right' }], r.topBlocked.map((t) => [t.key, t.count]));
  w.heading(L.detectors);
  w.table([{ head: L.detector, width: 300 }, { head: L.alerts, width: 80, align: 'right' }], r.detectors.map((t) => [t.key, t.count]));
}

/** The report as a PDF. Never fails for want of a font: Chinese without a CJK font prints in English. */
export async function reportPdf(r: Report, opts: PdfOptions): Promise<Buffer> {
  const title = r.kind === 'daily' ? `Daily patrol ${r.date}` : `Monthly summary ${r.month}`;
  const doc = new PDFDocument({ size: 'A4', margin: M, bufferPages: true, info: { Title: title, Creator: 'Minewarden' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // A CJK font is wanted for Chinese labels, and for Chinese unit names in any language.
  const names = JSON.stringify(r.kind === 'daily' ? [r.units, r.incidents] : [r.units, r.topInfectedUnits]);
  const wantCjk = opts.lang === 'zh' || needsUnicodeFont(names);
  const font = wantCjk ? (opts.cjkFont === undefined ? findCjkFont() : opts.cjkFont) : null;
  const fonts = setupFonts(doc, wantCjk, font) ?? setupFonts(doc, false, null);
  const cjk = fonts !== null && fonts.regular === 'cjk';
  const lang: Lang = opts.lang === 'zh' && cjk ? 'zh' : 'en';
  const w = new Writer(doc, fonts ?? { regular: 'Helvetica', bold: 'Helvetica-Bold', show: (s) => s }, labels(lang));
  if (opts.lang === 'zh' && !cjk) w.notice = labels('en').cjkMissing;
  if (r.kind === 'daily') daily(w, r);
  else monthly(w, r);
  w.footer(`Minewarden · ${title}`);
  doc.end();
  return done;
}
