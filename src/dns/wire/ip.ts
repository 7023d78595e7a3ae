/** Address RDATA: A (RFC 1035 §3.4.1) and AAAA (RFC 3596 §2.2) to and from text. */
import { WireError } from './errors.ts';
import type { Writer } from './writer.ts';

export function formatA(buf: Uint8Array, off: number): string {
  return `${buf[off]!}.${buf[off + 1]!}.${buf[off + 2]!}.${buf[off + 3]!}`;
}

const groups = new Uint16Array(8);

/**
 * RFC 5952 §4 canonical text: lower-case hex without leading zeros, the longest run of two or
 * more zero groups (the first on a tie) as '::'. IPv4-mapped addresses stay in hex (§5's mixed
 * form is only RECOMMENDED), as Node's URL and net modules print them.
 */
export function formatAAAA(buf: Uint8Array, off: number): string {
  let bestAt = -1;
  let bestLen = 1;
  let runAt = -1;
  for (let i = 0; i < 8; i++) {
    const g = (buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!;
    groups[i] = g;
    if (g === 0) {
      if (runAt < 0) runAt = i;
      if (i - runAt + 1 > bestLen) {
        bestLen = i - runAt + 1;
        bestAt = runAt;
      }
    } else {
      runAt = -1;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += groups[i]!.toString(16);
  }
  return s;
}

function bad(text: string, what: string): WireError {
  return new WireError('bad-rdata', `not an ${what} address: ${JSON.stringify(text)}`);
}

/** Parses dotted-quad text (1–3 decimal digits per part, each ≤ 255) into `out` at `at`. */
function parseV4(text: string, from: number, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = from; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

export function writeA(w: Writer, text: string): void {
  w.ensure(4);
  if (!parseV4(text, 0, w.buf, w.pos)) throw bad(text, 'IPv4');
  w.pos += 4;
}

const v6 = new Uint8Array(16);

/** Any RFC 4291 §2.2 text form: hex groups, one '::', an optional trailing dotted quad. */
function parseV6(text: string): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return false;
  const head = gap >= 0 ? text.slice(0, gap) : text;
  const tail = gap >= 0 ? text.slice(gap + 2) : '';
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const parts = gap >= 0 ? t : h;
  let v4 = false;
  if (parts.length > 0 && parts[parts.length - 1]!.includes('.')) {
    if (!parseV4(parts[parts.length - 1]!, 0, v6, 12)) return false;
    parts.pop();
    v4 = true;
  }
  const total = h.length + (gap >= 0 ? t.length : 0) + (v4 ? 2 : 0);
  if (gap >= 0 ? total > 7 : total !== 8) return false;
  v6.fill(0, 0, v4 ? 12 : 16);
  const put = (list: string[], start: number): boolean => {
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
      const g = parseInt(p, 16);
      v6[2 * (start + i)] = g >>> 8;
      v6[2 * (start + i) + 1] = g & 0xff;
    }
    return true;
  };
  if (!put(h, 0)) return false;
  return gap < 0 || put(t, (v4 ? 6 : 8) - t.length);
}

export function writeAAAA(w: Writer, text: string): void {
  if (!parseV6(text)) throw bad(text, 'IPv6');
  w.bytes(v6);
}
