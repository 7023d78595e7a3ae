/**
 * Front door of reports: the daily patrol and the monthly summary as data, and their text and
 * PDF renderings. Reports read the store through interfaces and are handed sensor health by the
 * caller (they may not import sensors).
 */
export { dailyPatrol, type DailyOptions } from './daily.ts';
export { monthlySummary, MINING_CATEGORIES, type MonthlyOptions } from './monthly.ts';
export { reportText, dailyText, monthlyText } from './text.ts';
export { reportPdf, type PdfOptions } from './pdf.ts';
export { findCjkFont, type CjkFont } from './fonts.ts';
export { LANGS, labels, parseLang, type Lang, type Labels } from './labels.ts';
export { dayWindow, monthWindow, yesterday, lastMonth, localDate, checkTimeZone } from './time.ts';
export type {
  Change, DailyPatrol, DnsFigures, HealthLine, IncidentLine, MonthFigures, MonthlySummary, MonthUnitLine, Report, ReportOptions, ReportSources,
  TopLine, UnitLine,
} from './types.ts';
