/**
 * The address encoding of RPZ IP triggers (draft-vixie-dnsop-dns-rpz §4.3, BIND ARM "Response
 * Policy Zone"): the prefix length, then the address labels in reverse order — IPv4 octets in
 * decimal, IPv6 16-bit groups in hex with the longest run of zero groups written `zz`.
 *   192.0.2.0/24   ↔ 24.0.2.0.192        2001:db8::1 ↔ 128.1.zz.db8.2001
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type RpzIp = { ok: true; type: 'ip' | 'cidr'; value: string } | { ok: false; error: string };

function result(addr: string, prefix: number, max: number): RpzIp {
  return prefix === max ? { ok: true, type: 'ip', value: addr } : { ok: true, type: 'cidr', value: `${addr}/${prefix}` };
}

/** Decodes the labels before `.rpz-ip` (or `.rpz-nsip`, `.rpz-client-ip`), e.g. `32.4.3.2.1`. */
export function decodeRpzIp(labels: string): RpzIp {
  const parts = labels.toLowerCase().split('.');
  const [prefixText, ...rev] = parts;
  if (prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return { ok: false, error: 'rpz-ip trigger without a prefix length' };
  const prefix = Number(prefixText);
  const groups = rev.reverse();
  if (groups.length === 4 && groups.every((g) => /^\d{1,3}$/.test(g))) {
    const addr = groups.map(Number).join('.');
    if (isIP(addr) !== 4 || groups.some((g) => Number(g) > 255)) return { ok: false, error: 'rpz-ip trigger with a bad IPv4 address' };
    if (prefix < 1 || prefix > 32) return { ok: false, error: 'rpz-ip IPv4 prefix length must be 1–32' };
    return result(addr, prefix, 32);
  }
  const zz = groups.indexOf('zz');
  if (zz !== groups.lastIndexOf('zz')) return { ok: false, error: 'rpz-ip trigger with more than one zz' };
  if (!groups.every((g) => g === 'zz' || /^[0-9a-f]{1,4}$/.test(g))) return { ok: false, error: 'rpz-ip trigger with a bad IPv6 group' };
  let addr: string;
  if (zz < 0) {
    if (groups.length !== 8) return { ok: false, error: 'rpz-ip IPv6 trigger needs 8 groups or zz' };
    addr = groups.join(':');
  } else {
    if (groups.length > 8) return { ok: false, error: 'rpz-ip IPv6 trigger with too many groups' };
    addr = `${groups.slice(0, zz).join(':')}::${groups.slice(zz + 1).join(':')}`;
  }
  if (isIP(addr) !== 6) return { ok: false, error: 'rpz-ip trigger with a bad IPv6 address' };
  if (prefix < 1 || prefix > 128) return { ok: false, error: 'rpz-ip IPv6 prefix length must be 1–128' };
  return result(addr, prefix, 128);
}

/** Encodes an IP or CIDR as the labels of an rpz-ip owner name (without `.rpz-ip`), or null. */
export function encodeRpzIp(value: string): string | null {
  const slash = value.indexOf('/');
  const addrText = slash >= 0 ? value.slice(0, slash) : value;
  const family = isIP(addrText);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = slash >= 0 ? Number(value.slice(slash + 1)) : max;
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > max) return null;
  if (family === 4) return [String(prefix), ...addrText.split('.').map(Number).reverse()].join('.');
  // RFC 5952 text already names the longest zero run with '::'; RPZ writes it as zz.
  const text = ipaddr.IPv6.parse(addrText).toRFC5952String();
  const [left = '', right] = text.split('::');
  const groups = right === undefined ? left.split(':') : [...(left === '' ? [] : left.split(':')), 'zz', ...(right === '' ? [] : right.split(':'))];
  return [String(prefix), ...groups.reverse()].join('.');
}
