/**
 * Newline-delimited JSON-RPC as mining protocols speak it (Stratum v1, XMRig's JSON-RPC 2.0
 * login/job/submit, Ethereum stratum): every complete line that starts with '{' and names a
 * method, a result or the jsonrpc version is handed on as text (UTF-8, trimmed). Nothing is
 * interpreted here.
 *
 * Lines are judged on their bytes and only the ones handed on are decoded: on an application-heavy
 * capture, decoding every line to a string (and copying it into a Buffer first) was most of the
 * app layer's time. The byte test gives the same answer as testing the decoded, trimmed text: the
 * markers are ASCII, UTF-8 decoding keeps ASCII bytes as they are and makes no ASCII out of
 * anything else, and a line whose edge is a non-ASCII byte (perhaps Unicode whitespace that
 * trim() removes) takes the text path.
 */
import type { Stream } from '../reassembly.ts';

/** A line longer than this is not a protocol message we want (the stream is dropped). */
export const MAX_LINE = 16 * 1024;

const MARKERS = ['"method"', '"result"', '"jsonrpc"'];
const MARKER_BYTES = MARKERS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

export function looksLikeJson(b: Uint8Array): boolean | 'more' {
  for (const c of b) {
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) continue;
    return c === 0x7b; // '{'
  }
  return 'more';
}

/** ASCII whitespace as String.prototype.trim() sees it (TAB, LF, VT, FF, CR, space). */
function ws(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Writes the text of every complete JSON-RPC line readable in s into out[0..n) and consumes the
 * lines; returns n. An array reused by the caller rather than a callback (a closure per segment)
 * or a cleared array (setting length is a runtime call).
 */
export function jsonLines(s: Stream, out: string[]): number {
  const len = s.length;
  const raw = s.raw();
  if (raw === null || len === 0) return 0;
  // One Buffer view per call: indexOf is memchr, toString decodes without a copy.
  const b = Buffer.from(raw.buffer, raw.byteOffset, len);
  let start = 0;
  let n = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    if (nl < 0) break;
    const text = lineText(b, start, nl);
    if (text !== null) out[n++] = text;
    start = nl + 1;
  }
  s.consume(start);
  if (s.length > MAX_LINE) s.stop();
  return n;
}

/** The trimmed text of b[from, to) when it is a JSON-RPC message, else null. */
function lineText(b: Buffer, from: number, to: number): string | null {
  let a = from;
  while (a < to && ws(b[a]!)) a++;
  if (a === to) return null;
  const first = b[a]!;
  if (first >= 0x80) return slowLine(b, from, to);
  if (first !== 0x7b) return null;
  let z = to;
  while (ws(b[z - 1]!)) z--;
  if (!hasMarker(b, a, z)) return null;
  const text = utf8(b, a, z);
  // A trailing non-ASCII byte may end Unicode whitespace that trim() would remove.
  return b[z - 1]! >= 0x80 ? text.trimEnd() : text;
}

interface Slicing {
  utf8Slice(start: number, end: number): string;
}

/**
 * Buffer#utf8Slice, what toString('utf8', a, z) ends in, without its argument checks and encoding
 * lookup (measurable at one call per line); present on every Buffer since Node 0.x.
 */
function utf8(b: Buffer, a: number, z: number): string {
  return (b as unknown as Slicing).utf8Slice(a, z);
}

/** The original text path, for lines that start with a non-ASCII byte. */
function slowLine(b: Buffer, from: number, to: number): string | null {
  const text = b.toString('utf8', from, to).trim();
  return text.startsWith('{') && MARKERS.some((m) => text.includes(m)) ? text : null;
}

/** True when one of the markers occurs in b[from, to). */
function hasMarker(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (b[i] !== 0x22) continue; // '"'
    for (const m of MARKER_BYTES) {
      if (i + m.length > to) continue;
      let k = 1;
      while (k < m.length && b[i + k] === m[k]) k++;
      if (k === m.length) return true;
    }
  }
  return false;
}
