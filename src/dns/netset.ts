/**
 * A set of networks (CIDRs) with a membership test per query: who may use the gateway, which
 * sources are trusted forwarders. IPv4 is tested without allocation (parseIPv4 → uint32 and one
 * mask per prefix length present); IPv6 is rarer and goes through the group parser.
 */
import { MinewardenError } from '../core/errors.ts';
import { maskV6, parseCidr, parseIPv4, parseIPv6, v4Mask } from '../org/index.ts';

export class NetSet {
  private readonly v4 = new Map<number, Set<number>>();
  private readonly v6 = new Map<number, Set<string>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  readonly texts: string[] = [];

  constructor(cidrs: readonly string[], what = 'network') {
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (c === null) throw new MinewardenError('MW_ERR_CONFIG', `${what} "${text}" is not an address or CIDR`);
      this.texts.push(c.text);
      if (c.family === 4) {
        let s = this.v4.get(c.prefix);
        if (s === undefined) this.v4.set(c.prefix, (s = new Set()));
        s.add(c.v4 >>> 0);
      } else {
        let s = this.v6.get(c.prefix);
        if (s === undefined) this.v6.set(c.prefix, (s = new Set()));
        s.add(maskV6(c.v6, c.prefix).join(':'));
      }
    }
    this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
  }

  get size(): number {
    return this.texts.length;
  }

  has(ip: string): boolean {
    const a = parseIPv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    if (a >= 0) {
      for (const len of this.v4Lengths) if (this.v4.get(len)!.has((a & v4Mask(len)) >>> 0)) return true;
      return false;
    }
    if (this.v6Lengths.length === 0) return false;
    const parts = parseIPv6(ip);
    if (parts === null) return false;
    for (const len of this.v6Lengths) if (this.v6.get(len)!.has(maskV6(parts, len).join(':'))) return true;
    return false;
  }
}
