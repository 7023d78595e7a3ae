import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import type { Unit } from '../model/org.ts';
import { parseCidr, parseIPv4 } from './cidr.ts';
import { CITY } from './org.test-util.ts';
import { AddressResolver } from './resolve.ts';
import { UnitTree } from './tree.ts';

const resolver = new AddressResolver(UnitTree.build(CITY));

describe('parseIPv4 (hot path)', () => {
  it('parses dotted quads to uint32', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('10.3.7.129')).toBe(0x0a030781);
  });
  it('rejects everything else', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.a', '::1', '1.2.3.']) {
      expect(parseIPv4(bad), bad).toBe(-1);
    }
  });
  it('agrees with ipaddr.js on random addresses', () => {
    fc.assert(
      fc.property(fc.ipV4(), (a) => {
        const bytes = ipaddr.IPv4.parse(a).toByteArray();
        expect(parseIPv4(a)).toBe(bytes.reduce((acc, b) => acc * 256 + b, 0));
      }),
    );
  });
});

describe('AddressResolver', () => {
  it('takes the longest prefix among nested CIDRs', () => {
    expect(resolver.resolve('10.9.9.9')).toEqual({ unitId: 'edu-centre', cidr: '10.0.0.0/8' });
    expect(resolver.resolve('10.3.0.1')).toEqual({ unitId: 'd-north', cidr: '10.3.0.0/16' });
    expect(resolver.resolve('10.3.7.5')).toEqual({ unitId: 's-north-7', cidr: '10.3.7.0/24' });
    expect(resolver.resolve('10.3.7.200')).toEqual({ unitId: 'lab-north-7', cidr: '10.3.7.128/25' });
    expect(resolver.resolve('10.2.5.1')).toEqual({ unitId: 's-west-3', cidr: '10.2.4.0/23' });
  });
  it('resolves overlapping private ranges by site key', () => {
    expect(resolver.resolve('192.168.1.20', 'east-2')?.unitId).toBe('s-east-2');
    expect(resolver.resolve('192.168.1.20', 'west-2')?.unitId).toBe('s-west-2');
    expect(resolver.resolve('192.168.1.20')).toBeNull();
    expect(resolver.resolve('10.1.1.1', 'east-1')).toEqual({ unitId: 's-east-1', cidr: '10.1.1.0/24' });
    expect(resolver.resolve('10.3.7.5', 'east-1')).toBeNull(); // the default site's CIDRs do not apply elsewhere
  });
  it('resolves IPv6, and IPv4-mapped IPv6 as IPv4', () => {
    expect(resolver.resolve('2001:db8:3:7::42')).toEqual({ unitId: 's-north-7', cidr: '2001:db8:3:7::/64' });
    expect(resolver.resolve('2001:db8:3:8::1')).toEqual({ unitId: 'd-north', cidr: '2001:db8:3::/48' });
    expect(resolver.resolve('2001:DB8:ffff::1')).toEqual({ unitId: 'edu-centre', cidr: '2001:db8::/32' });
    expect(resolver.resolve('::ffff:10.3.7.200')).toEqual({ unitId: 'lab-north-7', cidr: '10.3.7.128/25' });
    expect(resolver.resolve('2001:db9::1')).toBeNull();
  });
  it('falls back to egress addresses of any site', () => {
    expect(resolver.resolve('198.51.100.11')).toEqual({ unitId: 's-east-2', cidr: '198.51.100.11' });
    expect(resolver.resolve('198.51.100.13', 'east-1')).toEqual({ unitId: 's-west-2', cidr: '198.51.100.12/31' });
    expect(resolver.resolve('203.0.113.7')).toEqual({ unitId: 'edu-centre', cidr: '203.0.113.0/28' });
  });
  it('answers null for no match and for malformed input, never throwing', () => {
    expect(resolver.resolve('8.8.8.8')).toBeNull();
    for (const bad of ['', 'x', '10.0.0', '10.0.0.256', ':::', 'fe80::1%eth0']) expect(resolver.resolve(bad)).toBeNull();
  });

  it('agrees with a naive scan over all CIDRs (property)', () => {
    // Small address space (10.0.0.0/20, 2001:db8::/116) so random networks nest and overlap.
    const v4net = fc.tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 20, max: 32 })).map(([h, p]) => `10.0.${h >> 8}.${h & 255}/${p}`);
    const v6net = fc.tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 116, max: 128 })).map(([h, p]) => `2001:db8::${h.toString(16)}/${p}`);
    const site = fc.constantFrom('', 'a', 'b');
    const unitsArb = fc.array(fc.record({ site, cidrs: fc.array(fc.oneof(v4net, v6net), { maxLength: 4 }), egress: fc.array(fc.oneof(v4net, v6net), { maxLength: 2 }) }), { maxLength: 12 });
    const addr = fc.oneof(
      fc.integer({ min: 0, max: 0xfff }).map((h) => `10.0.${h >> 8}.${h & 255}`),
      fc.integer({ min: 0, max: 0xfff }).map((h) => `2001:db8::${h.toString(16)}`),
      fc.integer({ min: 0, max: 0xfff }).map((h) => `::ffff:10.0.${h >> 8}.${h & 255}`),
    );
    fc.assert(
      fc.property(unitsArb, fc.array(fc.tuple(addr, site), { minLength: 1, maxLength: 20 }), (raw, queries) => {
        // Drop networks already claimed so the tree accepts the set (ownership is tested elsewhere).
        const claimed = new Set<string>();
        const claim = (key: string): boolean => !claimed.has(key) && claimed.add(key) !== undefined;
        const units: Unit[] = raw.map((r, i) => ({
          id: `u${i}`, name: `U${i}`, parentId: null, site: r.site, contacts: [],
          cidrs: r.cidrs.filter((c) => claim(`${r.site} ${parseCidr(c)?.text}`)),
          egress: r.egress.filter((c) => claim(`egress ${parseCidr(c)?.text}`)),
        }));
        const r = new AddressResolver(UnitTree.build(units));
        for (const [ip, s] of queries) {
          expect(r.resolve(ip, s)).toEqual(naive(units, ip, s));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Reference: scan every CIDR with ipaddr.js, longest internal prefix of the site, then egress. */
function naive(units: Unit[], ip: string, site: string): { unitId: string; cidr: string } | null {
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const best = (pick: (u: Unit) => string[], siteOnly: boolean): { unitId: string; cidr: string } | null => {
    let found: { unitId: string; cidr: string; prefix: number } | null = null;
    for (const u of units) {
      if (siteOnly && u.site !== site) continue;
      for (const text of pick(u)) {
        const c = parseCidr(text);
        if (c === null || (c.family === 4) !== (addr.kind() === 'ipv4')) continue;
        const range = ipaddr.parseCIDR(`${c.address}/${c.prefix}`);
        if (addr.match(range) && (found === null || c.prefix > found.prefix)) found = { unitId: u.id, cidr: c.text, prefix: c.prefix };
      }
    }
    return found && { unitId: found.unitId, cidr: found.cidr };
  };
  return best((u) => u.cidrs, true) ?? best((u) => u.egress, false);
}
