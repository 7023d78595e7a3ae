/**
 * RPZ IP trigger names (draft-vixie-dnsop-dns-rpz, "Response IP Address" triggers): the prefix
 * length, then the address reversed, under `rpz-ip`. IPv4 reverses its octets
 * (`32.4.3.2.1.rpz-ip`); IPv6 reverses its 16-bit words in hex, with `zz` standing for `::`.
 * We write the canonical form BIND derives back from the address (lib/dns/rpz.c ip2name):
 * RFC 5952 compression, so BIND loads it without an "is not the canonical" complaint.
 */
import ipaddr from 'ipaddr.js';

/**
 * The owner name, relative to the zone origin, for an IP or CIDR; null when RPZ cannot express
 * it (not an address, prefix 0, a zone id). Host bits past the prefix are cleared.
 */
export function rpzIpTrigger(value: string): string | null {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  let prefix: number | undefined;
  if (slash >= 0) {
    const digits = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return null;
    prefix = Number(digits);
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) return ipv4Trigger(ipaddr.IPv4.parse(addr).octets, prefix ?? 32);
  if (addr.includes('%') || !ipaddr.IPv6.isValid(addr)) return null;
  const v6 = ipaddr.IPv6.parse(addr);
  const bits = prefix ?? 128;
  // BIND keys an IPv4-mapped /96 or longer as IPv4 (KEY_IS_IPV4), so write it as IPv4.
  if (v6.isIPv4MappedAddress() && bits >= 96) return ipv4Trigger(v6.toIPv4Address().octets, bits - 96);
  if (bits < 1 || bits > 128) return null;
  return `${bits}.${ipv6RpzLabels(maskWords(v6.parts, 16, bits))}.rpz-ip`;
}

/**
 * The eight 16-bit words of an IPv6 address as RPZ labels: reversed, lower-case hex without
 * leading zeros, and the longest run of two or more zero words (the leftmost in address order
 * on a tie, RFC 5952 §4.2) as one `zz` label. 2001:db8::1 → `1.zz.db8.2001`.
 */
export function ipv6RpzLabels(words: readonly number[]): string {
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) {
    throw new RangeError('an IPv6 address is eight 16-bit words');
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && words[end] === 0) end++;
    if (end - i > bestLen) {
      bestStart = i;
      bestLen = end - i;
    }
    i = end;
  }
  const labels: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      labels.push('zz');
      i += bestLen - 1;
    } else {
      labels.push((words[i] ?? 0).toString(16));
    }
  }
  return labels.reverse().join('.');
}

function ipv4Trigger(octets: readonly number[], bits: number): string | null {
  if (bits < 1 || bits > 32) return null;
  return `${bits}.${maskWords(octets, 8, bits).reverse().join('.')}.rpz-ip`;
}

/** Clears every bit past `bits` in a big-endian array of `width`-bit words. */
function maskWords(words: readonly number[], width: number, bits: number): number[] {
  const full = (1 << width) - 1;
  return words.map((w, i) => {
    const keep = Math.max(0, Math.min(width, bits - i * width));
    return w & ((full << (width - keep)) & full);
  });
}
