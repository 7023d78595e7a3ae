/**
 * Small tables and helpers shared by the EVE mapper and the syslog parsers: DNS type and rcode
 * names → numbers, IP protocol names → numbers, TCP flag letters, and the default "is this address
 * ours" test that decides a flow's client. (Candidates for a shared sensors module at integration.)
 */

/** RR type mnemonics → numbers (IANA DNS parameters registry; the ones logs actually show). */
const QTYPES: Record<string, number> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18, SIG: 24, KEY: 25,
  AAAA: 28, LOC: 29, SRV: 33, NAPTR: 35, KX: 36, CERT: 37, DNAME: 39, OPT: 41, APL: 42, DS: 43, SSHFP: 44,
  IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53,
  HIP: 55, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99,
  NULL: 10, WKS: 11, MINFO: 14, TKEY: 249, TSIG: 250, IXFR: 251, AXFR: 252, ANY: 255, URI: 256, CAA: 257,
};

/** Type name (or RFC 3597 `TYPE123`, or a bare number) → number; -1 when unknown. */
export function qtypeNumber(name: string): number {
  const up = name.toUpperCase();
  const n = QTYPES[up];
  if (n !== undefined) return n;
  const m = /^(?:TYPE)?(\d{1,5})$/.exec(up);
  return m && Number(m[1]) <= 65535 ? Number(m[1]) : -1;
}

/** RCODE mnemonics (RFC 1035 §4.1.1, RFC 2136, RFC 6895) → numbers. */
const RCODES: Record<string, number> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6, YXRRSET: 7,
  NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, DSOTYPENI: 11, BADVERS: 16, BADSIG: 16, BADKEY: 17, BADTIME: 18,
  BADMODE: 19, BADNAME: 20, BADALG: 21, BADTRUNC: 22, BADCOOKIE: 23,
};

/** Rcode name (or `RCODE12`, or a number) → number; -1 when unknown. */
export function rcodeNumber(name: string): number {
  const up = name.toUpperCase();
  const n = RCODES[up];
  if (n !== undefined) return n;
  const m = /^(?:RCODE)?(\d{1,4})$/.exec(up);
  return m ? Number(m[1]) : -1;
}

const PROTOS: Record<string, number> = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, GRE: 47, ESP: 50, AH: 51, 'IPV6-ICMP': 58, ICMPV6: 58, SCTP: 132, UDPLITE: 136 };

/** IP protocol as Suricata or netfilter writes it (name or decimal) → number; -1 when unknown. */
export function protoNumber(p: string): number {
  if (p === 'TCP') return 6;
  if (p === 'UDP') return 17;
  const n = PROTOS[p.toUpperCase()];
  if (n !== undefined) return n;
  return /^\d{1,3}$/.test(p) && Number(p) <= 255 ? Number(p) : -1;
}

/**
 * TCP flag bits (RFC 9293 §3.1) → the letters seen, in a fixed order: S A P R F U E C
 * (so 0x1b → "SAPF"). Zeek-style states come from Zeek; this is the "flags seen" form.
 */
const FLAG_ORDER: readonly [number, string][] = [[0x02, 'S'], [0x10, 'A'], [0x08, 'P'], [0x04, 'R'], [0x01, 'F'], [0x20, 'U'], [0x40, 'E'], [0x80, 'C']];
export function tcpFlagLetters(bits: number): string {
  let s = '';
  for (const [bit, letter] of FLAG_ORDER) if (bits & bit) s += letter;
  return s;
}

/**
 * Suricata's timestamp `2024-01-01T10:00:00.123456+0000` (also `Z`, `+00:00`, no fraction) → ms,
 * sub-millisecond digits truncated; NaN when it is not that shape. Hand-written: Date.parse
 * was a visible share of the per-flow cost.
 */
export function parseSuricataTime(s: string): number {
  // One implementation, over bytes (the flow fast path reads times in place in the line's bytes).
  // A non-ASCII character fails a digit or sign test either way, so bytes and chars agree.
  const b = s.length <= TIME_SCRATCH.length / 3 ? TIME_SCRATCH : Buffer.from(s);
  const n = b === TIME_SCRATCH ? ENCODER.encodeInto(s, b).written : b.length;
  return parseSuricataTimeAt(b, 0, n);
}

const TIME_SCRATCH = new Uint8Array(192);
const ENCODER = new TextEncoder();

/** parseSuricataTime of the UTF-8 bytes b[from, to). */
export function parseSuricataTimeAt(s: Uint8Array, from: number, to: number): number {
  const o = from;
  if (to - o < 19 || s[o + 4] !== 0x2d || s[o + 7] !== 0x2d || s[o + 13] !== 0x3a || s[o + 16] !== 0x3a) return NaN;
  const t = s[o + 10];
  if (t !== 0x54 && t !== 0x20) return NaN;
  const y = digits(s, o, 4), mo = digits(s, o + 5, 2), d = digits(s, o + 8, 2), h = digits(s, o + 11, 2), mi = digits(s, o + 14, 2), sec = digits(s, o + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return NaN;
  let i = o + 19;
  let ms = 0;
  if (i < to && s[i] === 0x2e) {
    i++;
    let scale = 100;
    const first = i;
    for (; i < to; i++) {
      const c = s[i]! - 0x30;
      if (c < 0 || c > 9) break;
      // Integer arithmetic on the first three digits only: the rest is below a millisecond.
      if (scale >= 1) ms += c * scale;
      scale = scale === 100 ? 10 : scale === 10 ? 1 : 0;
    }
    if (i === first) return NaN;
  }
  let off = 0;
  if (i < to) {
    const sign = s[i];
    if (sign === 0x5a && i === to - 1) off = 0;
    else if (sign === 0x2b || sign === 0x2d) {
      const rest = to - i - 1;
      const oh = digits(s, i + 1, 2);
      const om = rest === 4 ? digits(s, i + 3, 2) : rest === 5 && s[i + 3] === 0x3a ? digits(s, i + 4, 2) : -1;
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
      off = (oh * 60 + om) * 60_000 * (sign === 0x2d ? -1 : 1);
    } else return NaN;
  }
  return dayStart(y, mo, d) + ((h * 60 + mi) * 60 + sec) * 1000 + ms - off;
}

/** The last day seen, as ms at its midnight: Date.UTC per timestamp showed in the flow profile. */
let lastDayKey = -1;
let lastDayMs = 0;
function dayStart(y: number, mo: number, d: number): number {
  const key = (y * 16 + mo) * 32 + d;
  if (key !== lastDayKey) {
    lastDayMs = Date.UTC(y, mo - 1, d);
    // Date.UTC rolls 2024-02-31 over to March; Suricata never writes such a date, but say NaN for it.
    if (new Date(lastDayMs).getUTCDate() !== d) return NaN;
    lastDayKey = key;
  }
  return lastDayMs;
}

function digits(s: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
