/**
 * Calendar windows in a time zone, with Intl alone (no date library): a report's day is
 * [00:00, 24:00) local time, which is 23 or 25 hours long on a DST change.
 */
import { MinewardenError } from '../core/errors.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch {
      throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown time zone "${timeZone}"`);
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** Checks a time zone name (throws MW_ERR_BAD_INPUT). */
export function checkTimeZone(timeZone: string): void {
  format(timeZone);
}

interface Wall {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
}

function wall(ms: number, timeZone: string): Wall {
  const p: Record<string, number> = {};
  for (const part of format(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year ?? 0, m: p.month ?? 1, d: p.day ?? 1, h: p.hour ?? 0, min: p.minute ?? 0, s: p.second ?? 0 };
}

/** Local wall time minus UTC at `ms`, in ms. */
function offset(ms: number, timeZone: string): number {
  const w = wall(ms, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of local midnight starting the day y-m-d (month 1–12; day may overflow). */
export function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offset(guess, timeZone);
  // Second pass: the offset at the answer, which differs from the guess's across a DST change.
  return guess - offset(first, timeZone);
}

/** 'YYYY-MM-DD' of the local day `ms` falls in. */
export function localDate(ms: number, timeZone: string): string {
  const w = wall(ms, timeZone);
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

export interface Window {
  from: number;
  /** Exclusive. */
  to: number;
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ok = m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31;
  if (!ok) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${date}" is not a date (YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${date}" is not a date`);
  return [y, mo, d];
}

function parseMonth(month: string): [number, number] {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 12) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${month}" is not a month (YYYY-MM)`);
  return [Number(m[1]), Number(m[2])];
}

const ymd = (y: number, m: number, d: number): string => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** The local day `date` (YYYY-MM-DD), and the day before it. */
export function dayWindow(date: string, timeZone: string): Window & { date: string; previous: Window & { date: string } } {
  const [y, m, d] = parseDate(date);
  const from = localMidnight(y, m, d, timeZone);
  const to = localMidnight(y, m, d + 1, timeZone);
  return { date, from, to, previous: { date: ymd(y, m, d - 1), from: localMidnight(y, m, d - 1, timeZone), to: from } };
}

/** The local month `month` (YYYY-MM), its days, and the month before. */
export function monthWindow(month: string, timeZone: string): Window & { month: string; days: Array<Window & { date: string }>; previous: Window & { month: string } } {
  const [y, m] = parseMonth(month);
  const from = localMidnight(y, m, 1, timeZone);
  const to = localMidnight(y, m + 1, 1, timeZone);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const days = Array.from({ length: n }, (_, i) => ({ date: ymd(y, m, i + 1), from: localMidnight(y, m, i + 1, timeZone), to: localMidnight(y, m, i + 2, timeZone) }));
  return { month, from, to, days, previous: { month: ymd(y, m - 1, 1).slice(0, 7), from: localMidnight(y, m - 1, 1, timeZone), to: from } };
}

/** Yesterday's local date at `now`. */
export function yesterday(now: number, timeZone: string): string {
  const [y, m, d] = parseDate(localDate(now, timeZone));
  return ymd(y, m, d - 1);
}

/** Last month's YYYY-MM at `now`. */
export function lastMonth(now: number, timeZone: string): string {
  const [y, m] = parseDate(localDate(now, timeZone));
  return ymd(y, m - 1, 1).slice(0, 7);
}

/** 'YYYY-MM-DD HH:MM' local to the time zone. */
export function localDateTime(ms: number, timeZone: string): string {
  const w = wall(ms, timeZone);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${localDate(ms, timeZone)} ${p2(w.h)}:${p2(w.min)}`;
}
