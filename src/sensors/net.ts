/**
 * Addresses for every sensor: text straight from packet or record bytes (hand-written rather than
 * ipaddr.js: it runs twice per flow record and must not allocate a byte array first; the sensors
 * layer does not import dns internals, so this is a small copy of the RFC 5952 rules), and the
 * default internal-address test.
 */

/** Dotted quad of the 4 bytes at off (caller has bounds-checked). */
export function ipv4At(b: Uint8Array, off: number): string {
  return `${b[off]!}.${b[off + 1]!}.${b[off + 2]!}.${b[off + 3]!}`;
}

/** RFC 5952 text of the 16 bytes at off: lower case, no leading zeros, longest run (≥2) of zero groups as "::", first one on a tie. */
export function ipv6At(b: Uint8Array, off: number): string {
  let bestAt = -1;
  let bestLen = 1;
  let runAt = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && b[off + 2 * g] === 0 && b[off + 2 * g + 1] === 0;
    if (zero) {
      if (runAt < 0) runAt = g;
    } else if (runAt >= 0) {
      if (g - runAt > bestLen) {
        bestLen = g - runAt;
        bestAt = runAt;
      }
      runAt = -1;
    }
  }
  // RFC 5952 §5: an IPv4-mapped address is written with its IPv4 part dotted.
  if (bestAt === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) return `::ffff:${ipv4At(b, off + 12)}`;
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestAt) {
      s += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    s += ((b[off + 2 * g]! << 8) | b[off + 2 * g + 1]!).toString(16);
    if (g < 7) s += ':';
  }
  return s;
}

/**
 * The default answer to "is this address ours", for choosing a flow's client side: RFC 1918
 * (10/8, 172.16/12, 192.168/16), CGNAT (RFC 6598, 100.64/10), link-local (169.254/16, fe80::/10),
 * loopback, and IPv6 ULA (RFC 4193, fc00::/7). Hand-written instead of ipaddr.js: every sensor asks
 * twice per record, and parsing both addresses with ipaddr.js cost more than the rest of a Zeek
 * conn line's mapping. Works on the text the sensors write (RFC 5952, lower case).
 */
export function isInternalDefault(ip: string): boolean {
  if (ip.indexOf(':') >= 0) {
    if (ip.startsWith('::ffff:') && ip.indexOf('.') > 0) return isInternalDefault(ip.slice(7));
    if (ip === '::1') return true;
    const end = ip.indexOf(':');
    if (end !== 4) return false; // a first group of under 4 digits has its high bits zero
    const h = parseInt(ip.slice(0, 4), 16);
    return (h & 0xfe00) === 0xfc00 || (h & 0xffc0) === 0xfe80;
  }
  const d1 = ip.indexOf('.');
  const d2 = ip.indexOf('.', d1 + 1);
  if (d1 < 1 || d2 < 0) return false;
  const a = octet(ip, 0, d1);
  const b = octet(ip, d1 + 1, d2);
  switch (a) {
    case 10: case 127: return true;
    case 172: return b >= 16 && b <= 31;
    case 192: return b === 168;
    case 100: return b >= 64 && b <= 127;
    case 169: return b === 254;
    default: return false;
  }
}

function octet(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + s.charCodeAt(i) - 48;
  return v;
}
