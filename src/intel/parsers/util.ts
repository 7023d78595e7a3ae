/**
 * Small helpers shared by the feed parsers: line iteration, defensive JSON access, time
 * parsing, and the vocabulary maps that several abuse.ch-style formats share.
 */
import type { Category, IndicatorType, RawIndicator } from '../../model/indicator.ts';
import { clip } from '../normalize.ts';
import type { ParseItem } from './types.ts';

/** Physical lines, 1-based, without the line terminator (LF or CRLF) and without a leading BOM. */
export function* lines(text: string): Generator<[number, string]> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let no = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    no++;
    const raw = text.slice(start, end);
    yield [no, raw.endsWith('\r') ? raw.slice(0, -1) : raw];
    start = end + 1;
  }
}

export function rejected(line: number, error: string, sample: string): ParseItem {
  return { kind: 'rejected', line, error, sample: clip(sample.trim()) };
}

export function skipped(line: number, reason: string): ParseItem {
  return { kind: 'skipped', line, reason };
}

/** Longest value accepted; URLs in URLhaus reach a few KB, nothing else comes close. */
const MAX_VALUE = 8192;
// eslint-disable-next-line no-control-regex -- the range is the test itself
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Shapes of the types a format can declare: cheap, and only to catch what is clearly not one. */
const SHAPES: Partial<Record<IndicatorType, RegExp>> = {
  domain: /^[^/\\:@?#"'<>|^]+$/,
  // A host without whitespace; a path may hold spaces (the normaliser percent-encodes them).
  url: /^([a-z][a-z0-9+.-]*:\/\/)?[^\s/?#]+([/?#].*)?$/is,
  ip: /^\[?[0-9a-f:.]+\]?(%[\w.-]+)?$/i,
  cidr: /^[0-9a-f:.]+\/\d{1,3}$/i,
  'ip:port': /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\]):\d{1,5}$/i,
  md5: /^[0-9a-f]{32}$/i,
  sha1: /^[0-9a-f]{40}$/i,
  sha256: /^[0-9a-f]{64}$/i,
};

/**
 * Why a value is clearly garbage, or null. This is deliberately not the normaliser: the engine
 * normalises every value anyway (and reports failures with the indicator's line), and running
 * it here too cost 1.3–2.3 µs per value — more than the rest of a line's parsing — measured on
 * 300k values per type. So the parser rejects only what no format could mean: empty, control
 * characters, whitespace (but inside a URL), absurd length, or not the shape of the declared type.
 */
export function garbage(value: string, type?: IndicatorType): string | null {
  if (value.length === 0) return 'empty value';
  if (value.length > MAX_VALUE) return `value longer than ${MAX_VALUE} characters`;
  if (CONTROL.test(value)) return 'control character in value';
  if (type !== 'url' && /\s/.test(value)) return 'whitespace in value';
  const shape = type === undefined ? undefined : SHAPES[type];
  if (shape !== undefined && !shape.test(value)) return `not a ${type}`;
  return null;
}

/** The item for one value: an indicator with the metadata that is present, or a rejection. */
export function indicatorItem(value: string, line: number, meta: Omit<RawIndicator, 'value' | 'line'> = {}): ParseItem {
  const v = value.trim();
  const bad = garbage(v, meta.type);
  if (bad !== null) return rejected(line, bad, value);
  // Field by field, leaving absent metadata out (no undefined, '' or [] written).
  const i: RawIndicator = { value: v, line };
  if (meta.type !== undefined) i.type = meta.type;
  if (meta.category !== undefined && meta.category !== '') i.category = meta.category;
  if (meta.family !== undefined && meta.family !== '') i.family = meta.family;
  if (meta.confidence !== undefined) i.confidence = meta.confidence;
  if (meta.firstSeen !== undefined) i.firstSeen = meta.firstSeen;
  if (meta.lastSeen !== undefined) i.lastSeen = meta.lastSeen;
  if (meta.validUntil !== undefined) i.validUntil = meta.validUntil;
  // Parsers share one tag list across a pulse or a trail file; each indicator gets its own copy.
  if (meta.tags !== undefined && meta.tags.length > 0) i.tags = [...meta.tags];
  if (meta.reference !== undefined && meta.reference !== '') i.reference = meta.reference;
  if (meta.blocking !== undefined) i.blocking = meta.blocking;
  return { kind: 'indicator', indicator: i };
}

// ---- JSON ------------------------------------------------------------------------------

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, trimmed; numbers are accepted and written out (feeds mix the two). */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Text for the sample of a rejected JSON value (clipped by rejected()). */
export function sampleOf(v: unknown): string {
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v) as string | undefined;
  return s ?? String(v);
}

export function arr(o: JsonObject, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

/** Tags as an array of strings, from an array or a comma-separated string ("None" = none). */
export function tagList(v: unknown): string[] {
  const raw = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  const out: string[] = [];
  for (const t of raw) {
    if (typeof t !== 'string') continue;
    const s = t.trim();
    if (s !== '' && s.toLowerCase() !== 'none' && !out.includes(s)) out.push(s);
  }
  return out;
}

/** A 0–100 confidence from a number or numeric string; anything else is dropped. */
export function confidenceOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; item: ParseItem };

/** JSON.parse that reports failure as one rejected item at line 1, never an exception. */
export function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, item: rejected(1, `invalid JSON: ${clip(msg, 120)}`, text) };
  }
}

/**
 * The start every JSON feed parser shares: nothing for blank text, one rejected item for text
 * that is not JSON. Use as `const doc = yield* readJson(text); if (doc === undefined) return;`.
 */
export function* readJson(text: string): Generator<ParseItem, unknown> {
  if (isBlank(text)) return undefined;
  const json = parseJson(text);
  if (!json.ok) {
    yield json.item;
    return undefined;
  }
  return json.value;
}

/** True when the text is empty or only whitespace (every parser yields nothing for it). */
export function isBlank(text: string): boolean {
  return !/\S/.test(text);
}

// ---- time ------------------------------------------------------------------------------

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const SPACE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:\s*(?:UTC|GMT|Z))?$/i;

/**
 * Seconds since the epoch from what feeds write: epoch seconds (number or digits), ISO 8601,
 * `2024-04-04 10:11:12` and `… UTC` (abuse.ch), a bare date. Times without a zone are UTC,
 * as abuse.ch, OTX and MISP document. Anything unreadable is undefined, not an error.
 */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '' || /^(none|null|n\/a|-)$/i.test(s)) return undefined;
  if (/^\d{9,11}$/.test(s)) return Number(s);
  let iso = s;
  if (DATE_ONLY.test(s)) iso = `${s}T00:00:00Z`;
  else {
    const m = SPACE_TIME.exec(s);
    if (m) iso = `${m[1]}T${m[2]}Z`;
  }
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : undefined;
}

// ---- shared vocabularies (abuse.ch ThreatFox / URLhaus) ---------------------------------

const THREATFOX_TYPES: Record<string, IndicatorType> = {
  'ip:port': 'ip:port',
  domain: 'domain',
  url: 'url',
  md5_hash: 'md5',
  sha1_hash: 'sha1',
  sha256_hash: 'sha256',
};

/** The model type for a ThreatFox ioc_type, or undefined for types this product does not use. */
export function threatfoxType(t: string | undefined): IndicatorType | undefined {
  return t === undefined ? undefined : THREATFOX_TYPES[t.toLowerCase()];
}

const THREAT_CATEGORIES: Record<string, Category> = {
  botnet_cc: 'botnet-c2',
  payload_delivery: 'malware-delivery',
  malware_download: 'malware-delivery',
  payload: 'malware',
};

/** Category for abuse.ch threat words (ThreatFox threat_type, URLhaus threat). */
export function threatCategory(t: string | undefined): Category | undefined {
  return t === undefined ? undefined : THREAT_CATEGORIES[t.toLowerCase()];
}

/** Optional text: '', 'None' and 'null' (as abuse.ch writes absent values) become undefined. */
export function optional(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return t === '' || /^(none|null)$/i.test(t) ? undefined : t;
}
