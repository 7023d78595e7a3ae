/**
 * CIDR normalisation for org units (off the hot path, ipaddr.js) and the hand-written IPv4
 * parser the resolver uses on the hot path. Kept separate from intel's normaliser on purpose:
 * org may not import intel (ARCHITECTURE.md, layers).
 */
import ipaddr from 'ipaddr.js';

export interface Cidr {
  family: 4 | 6;
  /** Network address, host bits cleared; IPv6 in RFC 5952 form. */
  address: string;
  prefix: number;
  /** Canonical text: `address/prefix`, or the bare address for a full-length prefix. */
  text: string;
  /** IPv4 network as a uint32 (family 4 only, else 0). */
  v4: number;
  /** IPv6 network as eight 16-bit groups (family 6 only, else empty). */
  v6: number[];
}

const PREFIX = /^\d{1,3}$/;

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n`. IPv4-mapped IPv6 (`::ffff:a.b.c.d`,
 * prefix ≥ 96) becomes IPv4. Host bits are cleared. Returns null for anything else (zone ids,
 * short IPv4 forms like `10.1`, octal-looking octets).
 */
export function parseCidr(input: string): Cidr | null {
  const s = input.trim();
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const prefixText = slash < 0 ? undefined : s.slice(slash + 1);
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(addrText)) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) return null;
    return v4Cidr(ipaddr.IPv4.parse(addrText).toByteArray(), prefix);
  }
  if (addrText.includes('%') || !ipaddr.IPv6.isValid(addrText)) return null;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (prefix > 128) return null;
  const v6 = ipaddr.IPv6.parse(addrText);
  if (v6.isIPv4MappedAddress() && prefix >= 96) return v4Cidr(v6.toIPv4Address().toByteArray(), prefix - 96);
  const parts = maskV6(v6.parts, prefix);
  const address = new ipaddr.IPv6(parts).toRFC5952String();
  return { family: 6, address, prefix, text: prefix === 128 ? address : `${address}/${prefix}`, v4: 0, v6: parts };
}

function v4Cidr(bytes: number[], prefix: number): Cidr {
  const ip = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  const net = (ip & v4Mask(prefix)) >>> 0;
  const address = `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}`;
  return { family: 4, address, prefix, text: prefix === 32 ? address : `${address}/${prefix}`, v4: net, v6: [] };
}

/** The netmask of an IPv4 prefix length as a uint32. */
export function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Eight 16-bit groups with the bits past `prefix` cleared. */
export function maskV6(parts: readonly number[], prefix: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < 8; g++) {
    const keep = Math.max(0, Math.min(16, prefix - g * 16));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    out.push((parts[g] ?? 0) & mask);
  }
  return out;
}

/** Map key of an IPv6 network: the masked groups in hex. Build and lookup must agree on it. */
export function v6Key(parts: readonly number[], prefix: number): string {
  return maskV6(parts, prefix)
    .map((p) => p.toString(16))
    .join(':');
}

/**
 * Dotted-quad IPv4 to a uint32, or -1. Hand-written, no allocation: the resolver runs once per
 * event at ingest. Rejects leading zeros (`01.2.3.4`), as ipaddr.js's four-part-decimal check does.
 */
export function parseIPv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** IPv6 text to eight groups, or null. Uses ipaddr.js: IPv6 is rarer at ingest than IPv4. */
export function parseIPv6(s: string): number[] | null {
  if (s.includes('%') || !ipaddr.IPv6.isValid(s)) return null;
  return ipaddr.IPv6.parse(s).parts;
}
