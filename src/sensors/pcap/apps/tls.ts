/**
 * TLS ClientHello (RFC 8446 §4.1.2; records RFC 8446 §5.1, which lets one handshake message span
 * several records) → SNI (RFC 6066 §3), ALPN (RFC 7301), version, JA3 and JA4.
 *
 * JA3 (salesforce/ja3): MD5 of "version,ciphers,extensions,groups,point formats", decimal values
 * joined by '-', GREASE (RFC 8701) left out.
 * JA4 (FoxIO-LLC/ja4 technical_details/JA4.md): t<ver><d|i><ciphers><exts><alpn>_<sha256 of sorted
 * ciphers>_<sha256 of sorted extensions without SNI/ALPN, '_', signature algorithms in order>.
 * For a first ALPN value with a non-alphanumeric first or last byte we follow the prose (hex
 * characters); FoxIO's Python and Rust tools print '99' for a non-ASCII first byte instead.
 */
import { createHash } from 'node:crypto';

export interface ClientHello {
  sni: string | null;
  alpn: string[];
  /** Highest offered version as written in TlsEvent (TLSv1.3, TLSv1.2, …). */
  version: string;
  ja3: string;
  ja3Text: string;
  ja4: string;
  /** JA4 with the sorted hex lists in clear (ja4_r). */
  ja4Raw: string;
}

/** 'more' = the hello is not complete yet; null = not a TLS ClientHello. */
export type HelloResult = ClientHello | 'more' | null;

const MAX_HELLO = 64 * 1024;

/** Parses the ClientHello at the start of a client stream. */
export function parseClientHello(s: Uint8Array): HelloResult {
  // Gather the handshake bytes from consecutive handshake records (content type 22).
  const parts: Uint8Array[] = [];
  let have = 0;
  let want = -1;
  for (let o = 0; ; ) {
    if (o + 5 > s.length) return 'more';
    if (s[o] !== 22 || s[o + 1] !== 3) return null;
    const len = (s[o + 3]! << 8) | s[o + 4]!;
    if (len === 0) return null;
    const end = o + 5 + Math.min(len, s.length - o - 5);
    parts.push(s.subarray(o + 5, end));
    have += end - o - 5;
    if (want < 0 && have >= 4) {
      const h = parts.length === 1 ? parts[0]! : concat(parts, have);
      if (h[0] !== 1) return null;
      want = 4 + ((h[1]! << 16) | (h[2]! << 8) | h[3]!);
      if (want > MAX_HELLO) return null;
    }
    if (want >= 0 && have >= want) break;
    if (end < o + 5 + len) return 'more';
    o = end;
  }
  const hs = parts.length === 1 ? parts[0]! : concat(parts, have);
  return helloBody(hs.subarray(4, want));
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

function helloBody(b: Uint8Array): ClientHello | null {
  const n = b.length;
  const r16 = (o: number): number => (b[o]! << 8) | b[o + 1]!;
  if (n < 38) return null;
  const legacy = r16(0);
  let o = 34;
  o += 1 + b[o]!; // session id
  if (o + 2 > n) return null;
  const cLen = r16(o);
  o += 2;
  if (cLen % 2 !== 0 || o + cLen > n) return null;
  const ciphers: number[] = [];
  for (let i = 0; i < cLen; i += 2) {
    const c = r16(o + i);
    if (!isGrease(c)) ciphers.push(c);
  }
  o += cLen;
  if (o + 1 > n) return null;
  o += 1 + b[o]!; // compression methods
  if (o > n) return null;
  const exts: number[] = [];
  const groups: number[] = [];
  const formats: number[] = [];
  const sigs: number[] = [];
  const alpn: string[] = [];
  let firstAlpn: Uint8Array | null = null;
  let sni: string | null = null;
  let maxVersion = 0;
  if (o + 2 <= n) {
    const end = Math.min(n, o + 2 + r16(o));
    o += 2;
    while (o + 4 <= end) {
      const type = r16(o);
      const len = r16(o + 2);
      const v = o + 4;
      if (v + len > end) return null;
      o = v + len;
      if (isGrease(type)) continue;
      exts.push(type);
      const e = b.subarray(v, v + len);
      const e16 = (k: number): number => (e[k]! << 8) | e[k + 1]!;
      if (type === 0 && len >= 5 && e[2] === 0) {
        const nl = e16(3);
        if (5 + nl <= len) sni = Buffer.from(e.subarray(5, 5 + nl)).toString('latin1').toLowerCase();
      } else if (type === 16 && len >= 2) {
        for (let k = 2; k < Math.min(len, 2 + e16(0)); ) {
          const pl = e[k]!;
          if (k + 1 + pl > len) break;
          const p = e.subarray(k + 1, k + 1 + pl);
          if (firstAlpn === null) firstAlpn = p;
          alpn.push(Buffer.from(p).toString('latin1'));
          k += 1 + pl;
        }
      } else if (type === 10 && len >= 2) {
        for (let k = 2; k + 1 < Math.min(len, 2 + e16(0)); k += 2) if (!isGrease(e16(k))) groups.push(e16(k));
      } else if (type === 11 && len >= 1) {
        for (let k = 1; k < Math.min(len, 1 + e[0]!); k++) formats.push(e[k]!);
      } else if (type === 13 && len >= 2) {
        for (let k = 2; k + 1 < Math.min(len, 2 + e16(0)); k += 2) if (!isGrease(e16(k))) sigs.push(e16(k));
      } else if (type === 43 && len >= 1) {
        for (let k = 1; k + 1 < Math.min(len, 1 + e[0]!); k += 2) {
          const ver = e16(k);
          if (!isGrease(ver) && ver > maxVersion) maxVersion = ver;
        }
      }
    }
  }
  const version = maxVersion || legacy;
  const ja3Text = [legacy, ciphers.join('-'), exts.join('-'), groups.join('-'), formats.join('-')].join(',');
  const ja3 = createHash('md5').update(ja3Text).digest('hex');
  const head = `t${ja4Version(version)}${sni === null ? 'i' : 'd'}${two(ciphers.length)}${two(exts.length)}${alpnChars(firstAlpn)}`;
  const cipherList = ciphers.map(hex4).sort().join(',');
  // SNI (0x0000) and ALPN (0x0010) are counted in the head but left out of the hash.
  const extList = exts.filter((x) => x !== 0 && x !== 0x10).map(hex4).sort().join(',');
  const extRaw = sigs.length > 0 ? `${extList}_${sigs.map(hex4).join(',')}` : extList;
  const ja4 = `${head}_${cipherList ? sha12(cipherList) : '000000000000'}_${extList ? sha12(extRaw) : '000000000000'}`;
  return { sni, alpn, version: versionName(version), ja3, ja3Text, ja4, ja4Raw: `${head}_${cipherList}_${extRaw}` };
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function two(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

function sha12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

function ja4Version(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

function versionName(v: number): string {
  switch (v) {
    case 0x0304: return 'TLSv1.3';
    case 0x0303: return 'TLSv1.2';
    case 0x0302: return 'TLSv1.1';
    case 0x0301: return 'TLSv1.0';
    case 0x0300: return 'SSLv3';
    default: return `0x${hex4(v)}`;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function alpnChars(p: Uint8Array | null): string {
  if (p === null || p.length === 0) return '00';
  const first = p[0]!;
  const last = p[p.length - 1]!;
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first, last);
  const H = '0123456789abcdef';
  return H[first >> 4]! + H[last & 0x0f]!;
}
