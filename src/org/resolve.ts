/**
 * Address → unit: longest-prefix match over the internal CIDRs of one site, then over the egress
 * (NAT) addresses of every site. Runs once per event at ingest.
 *
 * Speed choice: one Map per prefix length actually present, probed longest first, so a lookup
 * costs at most (number of distinct lengths) hash probes — typically 3–6 for an org tree — and
 * IPv4 is parsed by hand to a uint32 with no allocation (`parseIPv4`). Hits return a shared,
 * frozen entry, so an IPv4 lookup allocates nothing. IPv6 builds one string key per probed
 * length; it is rarer at ingest. Not yet measured: a bench belongs in bench/ before any rewrite.
 */
import type { Unit } from '../model/org.ts';
import { parseCidr, parseIPv4, parseIPv6, v4Mask, v6Key } from './cidr.ts';
import type { UnitTree } from './tree.ts';

export interface Resolved {
  readonly unitId: string;
  /** The matching CIDR as normalised in the tree (a bare address for a full-length prefix). */
  readonly cidr: string;
}

class V4Table {
  private lengths: number[] = [];
  private masks: number[] = [];
  private maps: Map<number, Resolved>[] = [];
  private readonly byLength = new Map<number, Map<number, Resolved>>();

  add(net: number, prefix: number, entry: Resolved): void {
    let m = this.byLength.get(prefix);
    if (!m) this.byLength.set(prefix, (m = new Map<number, Resolved>()));
    if (!m.has(net)) m.set(net, entry);
  }

  seal(): void {
    this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    this.masks = this.lengths.map(v4Mask);
    this.maps = this.lengths.map((l) => this.byLength.get(l) ?? new Map<number, Resolved>());
  }

  lookup(ip: number): Resolved | null {
    for (let i = 0; i < this.maps.length; i++) {
      const hit = this.maps[i]?.get((ip & (this.masks[i] ?? 0)) >>> 0);
      if (hit !== undefined) return hit;
    }
    return null;
  }
}

class V6Table {
  private lengths: number[] = [];
  private maps: Map<string, Resolved>[] = [];
  private readonly byLength = new Map<number, Map<string, Resolved>>();

  add(parts: number[], prefix: number, entry: Resolved): void {
    let m = this.byLength.get(prefix);
    if (!m) this.byLength.set(prefix, (m = new Map<string, Resolved>()));
    const key = v6Key(parts, prefix);
    if (!m.has(key)) m.set(key, entry);
  }

  seal(): void {
    this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    this.maps = this.lengths.map((l) => this.byLength.get(l) ?? new Map<string, Resolved>());
  }

  lookup(parts: readonly number[]): Resolved | null {
    for (let i = 0; i < this.maps.length; i++) {
      const hit = this.maps[i]?.get(v6Key(parts, this.lengths[i] ?? 128));
      if (hit !== undefined) return hit;
    }
    return null;
  }
}

class Tables {
  readonly v4 = new V4Table();
  readonly v6 = new V6Table();

  add(unit: Unit, text: string): void {
    const c = parseCidr(text);
    if (c === null) return; // the tree has validated every CIDR
    const entry: Resolved = Object.freeze({ unitId: unit.id, cidr: c.text });
    if (c.family === 4) this.v4.add(c.v4, c.prefix, entry);
    else this.v6.add(c.v6, c.prefix, entry);
  }

  seal(): void {
    this.v4.seal();
    this.v6.seal();
  }
}

/** Immutable: build a new resolver when the tree changes and swap the reference. */
export class AddressResolver {
  private readonly sites = new Map<string, Tables>();
  private readonly egress = new Tables();

  constructor(tree: UnitTree) {
    for (const u of tree.units()) {
      let t = this.sites.get(u.site);
      if (!t) this.sites.set(u.site, (t = new Tables()));
      for (const c of u.cidrs) t.add(u, c);
      for (const c of u.egress) this.egress.add(u, c);
    }
    for (const t of this.sites.values()) t.seal();
    this.egress.seal();
  }

  /**
   * The unit owning `ip` as seen at `site`: longest internal prefix of that site, else the
   * longest egress prefix of any site, else null. Never throws: a malformed address is null.
   * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) resolves as IPv4.
   */
  resolve(ip: string, site = ''): Resolved | null {
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.resolveV4(v4, site);
    if (!ip.includes(':')) return null;
    const parts = parseIPv6(ip);
    if (parts === null) return null;
    if (parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff) {
      return this.resolveV4((((parts[6] ?? 0) << 16) | (parts[7] ?? 0)) >>> 0, site);
    }
    return this.sites.get(site)?.v6.lookup(parts) ?? this.egress.v6.lookup(parts);
  }

  private resolveV4(ip: number, site: string): Resolved | null {
    return this.sites.get(site)?.v4.lookup(ip) ?? this.egress.v4.lookup(ip);
  }
}
