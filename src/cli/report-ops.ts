/**
 * The report operations of OPS: the daily patrol and the monthly summary, built where the data
 * is (the running server through the control socket, or the data directory), rendered there too;
 * a PDF travels as base64 over the socket. Params arrive as JSON, so each is checked here.
 */
import { MinewardenError } from '../core/errors.ts';
import {
  checkTimeZone, dailyPatrol, monthlySummary, parseLang, reportPdf, reportText, type Report, type ReportSources,
} from '../reports/index.ts';
import type { App, Where } from './app.ts';
import { healthLines } from './health.ts';

export type ReportFormat = 'text' | 'json' | 'pdf';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'pdf'];

export interface ReportParams {
  kind: 'daily' | 'monthly';
  /** daily: YYYY-MM-DD; monthly: YYYY-MM. */
  period: string;
  timeZone: string;
  lang: string;
  format: ReportFormat;
}

export interface ReportResult {
  report: Report;
  /** format text. */
  text?: string;
  /** format pdf, base64. */
  pdf?: string;
}


/** Sensors of the running server (when this is it) and the feeds' last refresh, as health lines. */

export const REPORT_OPS = {
  'reports.build': async (app: App, p: ReportParams, where: Where = 'local'): Promise<ReportResult> => {
    if (p.kind !== 'daily' && p.kind !== 'monthly') throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown report "${String(p.kind)}" (daily or monthly)`);
    if (!REPORT_FORMATS.includes(p.format)) throw new MinewardenError('MW_ERR_BAD_INPUT', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
    const lang = parseLang(String(p.lang));
    checkTimeZone(String(p.timeZone));
    // What the sink holds is part of the day too.
    await app.sink.flush();
    const now = Date.now();
    const src: ReportSources = {
      events: app.store.events,
      incidents: app.store.incidents,
      units: (ids) => {
        const all = [...app.org.tree().units()];
        return ids === undefined ? all : all.filter((u) => ids.includes(u.id));
      },
      health: () => healthLines(app),
    };
    // The CLI is the operator on the box: every unit.
    const base = { timeZone: p.timeZone, scope: null, now };
    const report = p.kind === 'daily'
      ? await dailyPatrol(src, { ...base, date: String(p.period), ...(where === 'server' ? {} : { healthNote: 'no server running: sensor health is shown while minewarden serve runs' }) })
      : await monthlySummary(src, { ...base, month: String(p.period) });
    if (p.format === 'text') return { report, text: reportText(report, lang) };
    if (p.format === 'pdf') return { report, pdf: (await reportPdf(report, { lang })).toString('base64') };
    return { report };
  },
} as const;
