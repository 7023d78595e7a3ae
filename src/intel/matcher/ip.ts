/**
 * Hand-written IP parsing for the lookup path: no allocation, no regular expression, no
 * library call. The hot path (IntelMatcher.matchIp) parses every answer address the DNS
 * gateway checks; ipaddr.js allocates an object and an array per parse (see bench/intel-match.ts).
 * Accepts the canonical forms the normaliser writes and also upper-case hex, non-compressed
 * IPv6 and an embedded dotted quad; rejects octets with leading zeros (inet_aton would read
 * them as octal), zone ids and brackets.
 */
import type { IndicatorType } from '../../model/indicator.ts';

/** Which IP table a key belongs to. */
export const KIND_V4 = 0;
export const KIND_V6 = 1;
export const KIND_V4_PORT = 2;
export const KIND_V6_PORT = 3;

/** uint32 of a dotted quad in s[start, end), or -1. */
export function parseV4(s: string, start: number, end: number): number {
  let addr = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      addr = addr * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return addr * 256 + octet;
}

const groups = new Int32Array(8);

/** Parses an IPv6 address in s[start, end) into out[0..3] (big-endian words). */
export function parseV6(s: string, start: number, end: number, out: Uint32Array): boolean {
  let ng = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let v = 0;
    let n = 0;
    while (i < end && n < 5) {
      const c = s.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      v = v * 16 + d;
      n++;
      i++;
    }
    if (n === 0 || n > 4) return false;
    if (i < end && s.charCodeAt(i) === 46) {
      // Embedded dotted quad (::ffff:1.2.3.4): the last 32 bits.
      if (ng > 6) return false;
      const a = parseV4(s, groupStart, end);
      if (a < 0) return false;
      groups[ng++] = a >>> 16;
      groups[ng++] = a & 0xffff;
      break;
    }
    if (ng === 8) return false;
    groups[ng++] = v;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === end) return false;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = ng;
      i++;
    }
  }
  if (gap < 0 ? ng !== 8 : ng > 7) return false;
  // Expand "::" in place: groups after the gap move to the end.
  const tail = gap < 0 ? 0 : ng - gap;
  for (let w = 0; w < 4; w++) {
    out[w] = ((group(2 * w, gap, tail, ng) << 16) | group(2 * w + 1, gap, tail, ng)) >>> 0;
  }
  return true;
}

function group(k: number, gap: number, tail: number, ng: number): number {
  if (gap < 0 || k < gap) return groups[k]!;
  if (k >= 8 - tail) return groups[ng - (8 - k)]!;
  return 0;
}

/** True when out[0..3] (from parseV6) is ::ffff:a.b.c.d, which the normaliser treats as IPv4. */
export function isV4Mapped(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/** The first `len` bits of a v4 address. */
export function maskV4(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (-1 << (32 - len))) >>> 0;
}

/** The first `bits` (0–32) bits of one 32-bit word. */
export function maskWord(word: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return word;
  return (word & (-1 << (32 - bits))) >>> 0;
}

const words = new Uint32Array(4);

function parsePrefixLength(s: string, start: number, max: number): number {
  if (start >= s.length || s.length - start > 3) return -1;
  let n = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n <= max ? n : -1;
}

/**
 * Build side: the table key of an ip / cidr / ip:port value, written into `key`; returns the
 * KIND_* of its table or -1 when the value does not parse. Host bits of a CIDR are cleared.
 */
export function ipKey(type: IndicatorType, value: string, key: Uint32Array): number {
  let addrEnd = value.length;
  let addrStart = 0;
  let extra = -1;
  if (type === 'cidr') {
    addrEnd = value.indexOf('/');
    if (addrEnd < 0) return -1;
  } else if (type === 'ip:port') {
    if (value.charCodeAt(0) === 91) {
      addrStart = 1;
      addrEnd = value.indexOf(']:');
      if (addrEnd < 0) return -1;
      extra = parsePort(value, addrEnd + 2);
    } else {
      addrEnd = value.lastIndexOf(':');
      if (addrEnd < 0) return -1;
      extra = parsePort(value, addrEnd + 1);
    }
    if (extra < 0) return -1;
  } else if (type !== 'ip') {
    return -1;
  }
  let v4 = parseV4(value, addrStart, addrEnd);
  if (v4 < 0) {
    if (!parseV6(value, addrStart, addrEnd, words)) return -1;
    // ::ffff:a.b.c.d is IPv4 for the normaliser; a mapped CIDR stays IPv6 (matchIp checks both).
    if (isV4Mapped(words) && type !== 'cidr') v4 = words[3]!;
  }
  if (type === 'ip:port') {
    if (v4 >= 0) {
      key[0] = v4;
      key[1] = extra;
      return KIND_V4_PORT;
    }
    key.set(words);
    key[4] = extra;
    return KIND_V6_PORT;
  }
  if (v4 >= 0) {
    const len = type === 'cidr' ? parsePrefixLength(value, addrEnd + 1, 32) : 32;
    if (len < 0) return -1;
    key[0] = maskV4(v4, len);
    key[1] = len;
    return KIND_V4;
  }
  const len = type === 'cidr' ? parsePrefixLength(value, addrEnd + 1, 128) : 128;
  if (len < 0) return -1;
  for (let w = 0; w < 4; w++) key[w] = maskWord(words[w]!, len - 32 * w);
  key[4] = len;
  return KIND_V6;
}

function parsePort(s: string, start: number): number {
  if (start >= s.length || s.length - start > 5) return -1;
  let n = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n >= 1 && n <= 65535 ? n : -1;
}
