/**
 * Zeek's log formats, parsed without I/O: the ASCII (TSV) writer with its `#` header, and the JSON
 * writer (one object per line). Both are read through one Row view, so a log type is mapped once
 * whatever the format. Fields are found by name (`#fields`, JSON keys), never by position.
 *
 * The TSV row is the hot path (conn.log runs to millions of lines an hour): a line is scanned once
 * for its separators into two Int32Arrays, and only the columns a mapper asks for become strings;
 * counts are read digit by digit without slicing. No object is made per line.
 */

/** A log line's fields, read by the mapper's own field numbers (see bind()). */
export interface Row {
  /** Text, escapes decoded; undefined when unset or absent. */
  str(i: number): string | undefined;
  /** A number; undefined when unset or absent, NaN when not a number. */
  num(i: number): number | undefined;
  /** A set or vector; [] when empty. */
  list(i: number): string[] | undefined;
  /** A `time` field as ms since the epoch; undefined when unset, NaN when not a time. */
  time(i: number): number | undefined;
}

/** The state a TSV header sets; starts with Zeek's defaults. */
export interface TsvHeader {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  /** `#path`: the log type ('' until seen). */
  path: string;
  fields: string[];
  types: string[];
}

export function newHeader(): TsvHeader {
  return { separator: '\t', setSeparator: ',', emptyField: '(empty)', unsetField: '-', path: '', fields: [], types: [] };
}

/**
 * A `#` line into the header. `#separator` is followed by a space (the separator is not known yet);
 * the others by the separator. Unknown directives (`#open`, `#close`, comments) are ignored.
 * Returns the directive name.
 */
export function headerLine(h: TsvHeader, line: string): string {
  if (line.startsWith('#separator ')) {
    h.separator = rawBytes(line.slice(11)) || '\t';
    return 'separator';
  }
  const cut = line.indexOf(h.separator);
  const key = cut < 0 ? line.slice(1) : line.slice(1, cut);
  const value = cut < 0 ? '' : line.slice(cut + h.separator.length);
  switch (key) {
    case 'set_separator': h.setSeparator = rawBytes(value) || ','; break;
    case 'empty_field': h.emptyField = rawBytes(value); break;
    case 'unset_field': h.unsetField = rawBytes(value); break;
    case 'path': h.path = unescapeZeek(value); break;
    case 'fields': h.fields = value.split(h.separator); break;
    case 'types': h.types = value.split(h.separator); break;
    default: break;
  }
  return key;
}

const MAX_COLUMNS = 1024;

export class TsvRow implements Row {
  line = '';
  /** Columns in the current line. */
  count = 0;
  private readonly starts = new Int32Array(MAX_COLUMNS);
  private readonly ends = new Int32Array(MAX_COLUMNS);
  /** Mapper field number → column, -1 when the log lacks it. */
  private idx = new Int32Array(0);

  constructor(public header: TsvHeader) {}

  /** Resolve a mapper's field names against `#fields` (once per header, not per line). */
  bind(names: readonly string[]): void {
    this.idx = Int32Array.from(names, (n) => this.header.fields.indexOf(n));
  }

  /** Take a line; returns its column count (compare with header.fields.length). */
  set(line: string): number {
    const sep = this.header.separator;
    const step = sep.length;
    let n = 0;
    let from = 0;
    for (;;) {
      const at = line.indexOf(sep, from);
      if (n >= MAX_COLUMNS) return (this.count = MAX_COLUMNS + 1);
      this.starts[n] = from;
      this.ends[n] = at < 0 ? line.length : at;
      n++;
      if (at < 0) break;
      from = at + step;
    }
    this.line = line;
    return (this.count = n);
  }

  /** Column of field i, or -1 when absent or unset. */
  private col(i: number): number {
    const c = this.idx[i] ?? -1;
    if (c < 0 || c >= this.count) return -1;
    const u = this.header.unsetField;
    const s = this.starts[c]!;
    return this.ends[c]! - s === u.length && this.line.startsWith(u, s) ? -1 : c;
  }

  str(i: number): string | undefined {
    const c = this.col(i);
    if (c < 0) return undefined;
    const raw = this.line.slice(this.starts[c], this.ends[c]);
    if (raw === this.header.emptyField) return '';
    return raw.indexOf('\\') < 0 ? raw : unescapeZeek(raw);
  }

  num(i: number): number | undefined {
    const c = this.col(i);
    if (c < 0) return undefined;
    const line = this.line;
    const s = this.starts[c]!;
    const e = this.ends[c]!;
    // Counts and ports, digit by digit; anything else (a float, a sign) through Number().
    let v = 0;
    for (let k = s; k < e; k++) {
      const d = line.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return s === e ? NaN : Number(line.slice(s, e));
      v = v * 10 + d;
    }
    return s === e ? NaN : v;
  }

  list(i: number): string[] | undefined {
    const v = this.str(i);
    if (v === undefined) return undefined;
    if (v === '') return [];
    // Split before unescaping: a separator inside an element is written escaped (\x2c).
    const c = this.idx[i]!;
    return this.line.slice(this.starts[c], this.ends[c]).split(this.header.setSeparator).map(unescapeZeek);
  }

  time(i: number): number | undefined {
    const v = this.num(i);
    return v === undefined ? undefined : v * 1000;
  }
}

/** A JSON log line, read by the same field numbers. */
export class JsonRow implements Row {
  obj: Record<string, unknown> = {};

  constructor(private readonly names: readonly string[]) {}

  private get(i: number): unknown {
    const name = this.names[i]!;
    const v = this.obj[name];
    // Some shippers nest ids (`"id": {"orig_h": …}`) instead of Zeek's flat `id.orig_h`.
    if (v === undefined && name.startsWith('id.')) {
      const id = this.obj.id;
      if (typeof id === 'object' && id !== null) return (id as Record<string, unknown>)[name.slice(3)];
    }
    return v;
  }

  str(i: number): string | undefined {
    const v = this.get(i);
    if (typeof v === 'string') return cleanText(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  num(i: number): number | undefined {
    const v = this.get(i);
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return v === '-' ? undefined : v === '' ? NaN : Number(v);
    return v === undefined || v === null ? undefined : NaN;
  }

  list(i: number): string[] | undefined {
    const v = this.get(i);
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? cleanText(x) : String(x)));
    return typeof v === 'string' ? [cleanText(v)] : undefined;
  }

  time(i: number): number | undefined {
    const v = this.get(i);
    return v === undefined || v === null ? undefined : jsonTime(v);
  }
}

/**
 * `LogAscii::json_timestamps`: JSON::TS_EPOCH (seconds, the default), TS_MILLIS (integer ms) or
 * TS_ISO8601 (a string). Seconds and ms are told apart by size: 1e11 s is the year 5138.
 */
export function jsonTime(v: unknown): number {
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000;
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? jsonTime(Number(v)) : Date.parse(v);
  return NaN;
}

/** A JSON line → its object, or the reason it is not one. */
export function parseJsonLine(line: string): Record<string, unknown> | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'not a JSON object';
}

/** The log type a file name says: conn.log, conn.00:00:00-01:00:00.log.gz, dns.2024-01-01.json → conn, dns. */
export function logTypeFromName(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.indexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Zeek's ASCII escapes decoded: `\\` is a backslash, `\xNN` a byte. Bytes that are printable, or
 * valid UTF-8 together, become text; control and stray bytes stay written as `\xNN`, which is
 * what Zeek's JSON writer gives for them — so a log read as TSV or as JSON yields the same string,
 * and no control byte reaches the store or a console.
 */
export function unescapeZeek(s: string): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = '';
  let from = 0;
  while (i >= 0) {
    out += s.slice(from, i);
    if (s.charCodeAt(i + 1) === 92) {
      out += '\\';
      from = i + 2;
    } else if (isHexEscape(s, i)) {
      const bytes: number[] = [];
      let j = i;
      while (isHexEscape(s, j)) {
        bytes.push(parseInt(s.slice(j + 2, j + 4), 16));
        j += 4;
      }
      out += bytesToText(bytes);
      from = j;
    } else {
      out += '\\';
      from = i + 1;
    }
    i = s.indexOf('\\', from);
  }
  return out + s.slice(from);
}

/** Header values: `\xNN` is that byte, control or not (`#separator \x09` is a tab). */
function rawBytes(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function isHexEscape(s: string, i: number): boolean {
  return s.charCodeAt(i) === 92 && s.charCodeAt(i + 1) === 120 && isHex(s.charCodeAt(i + 2)) && isHex(s.charCodeAt(i + 3));
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function bytesToText(bytes: number[]): string {
  if (bytes.some((b) => b >= 0x80)) {
    try {
      return cleanText(utf8.decode(Uint8Array.from(bytes)));
    } catch {
      // not UTF-8: byte by byte below
    }
  }
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : hexByte(b);
  return out;
}

function hexByte(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\x00-\x1f\x7f]/g;
// eslint-disable-next-line no-control-regex -- as above; a /g regex keeps state across test() calls
const HAS_CONTROL = /[\x00-\x1f\x7f]/;

/** Control characters written as `\xNN`, as Zeek does. */
export function cleanText(s: string): string {
  return HAS_CONTROL.test(s) ? s.replace(CONTROL, (c) => hexByte(c.charCodeAt(0))) : s;
}
