import { describe, it, expect } from 'vitest';
import { INDICATOR_TYPES } from '../../model/indicator.ts';
import type { IndicatorType } from '../../model/indicator.ts';
import { IntelMatcher, IntelMatcherBuilder } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';

const NOW = 1_700_000_000;

function entry(type: IndicatorType, value: string, extra: Partial<MatcherEntryInput> = {}): MatcherEntryInput {
  return { type, value, category: 'mining-pool', family: 'xmrig', source: 'test', confidence: 80, expiresAt: 0, ref: 1, ...extra };
}

function build(entries: MatcherEntryInput[]): IntelMatcher {
  const b = new IntelMatcherBuilder();
  for (const e of entries) b.add(e);
  return b.build();
}

function valueOf(m: IntelMatcher, id: number): string | null {
  return id < 0 ? null : m.entry(id).value;
}

describe('IntelMatcher domains', () => {
  const m = build([
    entry('domain', 'pool.example'),
    entry('domain', 'eu1.pool.example', { ref: 2 }),
    entry('domain', 'expired.pool.example', { expiresAt: NOW - 1 }),
    entry('domain', 'later.example', { expiresAt: NOW + 60 }),
    entry('domain', 'com.example'),
  ]);

  it('matches a listed name exactly', () => {
    const id = m.matchDomain('pool.example', NOW);
    expect(valueOf(m, id)).toBe('pool.example');
    expect(m.how(id, 'pool.example')).toBe('exact');
  });

  it('matches subdomains of a listed name through their parent', () => {
    const id = m.matchDomain('a.b.pool.example', NOW);
    expect(valueOf(m, id)).toBe('pool.example');
    expect(m.how(id, 'a.b.pool.example')).toBe('parent');
  });

  it('prefers the most specific listed name', () => {
    expect(valueOf(m, m.matchDomain('x.eu1.pool.example', NOW))).toBe('eu1.pool.example');
    expect(valueOf(m, m.matchDomain('eu1.pool.example', NOW))).toBe('eu1.pool.example');
  });

  it('skips an expired entry and falls back to its parent', () => {
    expect(valueOf(m, m.matchDomain('expired.pool.example', NOW))).toBe('pool.example');
    expect(valueOf(m, m.matchDomain('expired.pool.example', NOW - 1))).toBe('expired.pool.example');
  });

  it('matches until expiresAt and not after', () => {
    expect(valueOf(m, m.matchDomain('later.example', NOW + 60))).toBe('later.example');
    expect(m.matchDomain('later.example', NOW + 61)).toBe(-1);
  });

  it('does not match on a label that is only a string suffix', () => {
    expect(m.matchDomain('xpool.example', NOW)).toBe(-1);
    expect(m.matchDomain('example', NOW)).toBe(-1);
    expect(m.matchDomain('pool.example.org', NOW)).toBe(-1);
  });

  it('ignores ASCII case and one trailing dot', () => {
    expect(valueOf(m, m.matchDomain('EU1.Pool.Example.', NOW))).toBe('eu1.pool.example');
  });

  it('checks every byte of names longer than a table slot holds', () => {
    // 20 bytes sit in the slot, longer values continue in the value buffer (types.ts StringTable).
    const names = ['abcdefghij.example', 'abcdefghijk.example', 'abcdefghijkl.example', 'abcdefghijklm.example', `${'x'.repeat(60)}.${'y'.repeat(60)}.example`];
    const long = build(names.map((v, i) => entry('domain', v, { ref: i })));
    names.forEach((v, i) => {
      expect(long.entry(long.matchDomain(v, NOW)).ref).toBe(i);
      expect(long.entry(long.matchDomain(`a.b.${v.toUpperCase()}`, NOW)).ref).toBe(i);
      // Same length, one byte different, first and last.
      expect(long.matchDomain(`q${v.slice(1)}`, NOW)).toBe(-1);
      expect(long.matchDomain(`${v.slice(0, -1)}x`, NOW)).toBe(-1);
    });
  });

  it('returns -1 for empty and over-long names', () => {
    expect(m.matchDomain('', NOW)).toBe(-1);
    expect(m.matchDomain('.', NOW)).toBe(-1);
    expect(m.matchDomain(`${'a.'.repeat(200)}pool.example`, NOW)).toBe(-1);
  });

  it('reports entry details', () => {
    const e = m.entry(m.matchDomain('eu1.pool.example', NOW));
    expect(e).toEqual({ type: 'domain', value: 'eu1.pool.example', category: 'mining-pool', family: 'xmrig', source: 'test', confidence: 80, expiresAt: 0, ref: 2 });
    expect(() => m.entry(99)).toThrow(RangeError);
  });
});

describe('IntelMatcher IPs', () => {
  const m = build([
    entry('ip', '198.51.100.7'),
    entry('cidr', '198.51.100.0/24'),
    entry('cidr', '198.51.0.0/16'),
    entry('cidr', '203.0.113.0/24', { expiresAt: NOW - 1 }),
    entry('cidr', '203.0.0.0/16'),
    entry('cidr', '0.0.0.0/0', { category: 'everything', expiresAt: 1 }),
    entry('ip', '2001:db8::1'),
    entry('cidr', '2001:db8::/32'),
    entry('cidr', '2001:db8:abcd::/48'),
    entry('cidr', '2001:db8:abcd:12::/64', { expiresAt: NOW - 1 }),
    entry('ip:port', '192.0.2.10:3333'),
    entry('ip', '192.0.2.10'),
    entry('ip:port', '[2001:db8::1]:14444'),
    entry('ip:port', '192.0.2.99:5555'),
  ]);

  it('prefers the exact IP, then the longest IPv4 prefix', () => {
    const id = m.matchIp('198.51.100.7', NOW);
    expect(valueOf(m, id)).toBe('198.51.100.7');
    expect(m.how(id, '198.51.100.7')).toBe('exact');
    const c = m.matchIp('198.51.100.8', NOW);
    expect(valueOf(m, c)).toBe('198.51.100.0/24');
    expect(m.how(c, '198.51.100.8')).toBe('cidr');
    expect(valueOf(m, m.matchIp('198.51.7.1', NOW))).toBe('198.51.0.0/16');
    expect(m.matchIp('198.52.0.1', NOW)).toBe(-1);
  });

  it('skips an expired prefix for a shorter live one', () => {
    expect(valueOf(m, m.matchIp('203.0.113.5', NOW))).toBe('203.0.0.0/16');
  });

  it('honours the longest IPv6 prefix', () => {
    expect(valueOf(m, m.matchIp('2001:db8::1', NOW))).toBe('2001:db8::1');
    expect(valueOf(m, m.matchIp('2001:db8:abcd:1::9', NOW))).toBe('2001:db8:abcd::/48');
    expect(valueOf(m, m.matchIp('2001:db8:abcd:12::9', NOW))).toBe('2001:db8:abcd::/48');
    expect(valueOf(m, m.matchIp('2001:0DB8:0:0:0:0:0:2', NOW))).toBe('2001:db8::/32');
    expect(m.matchIp('2001:db9::1', NOW)).toBe(-1);
  });

  it('reads an IPv4-mapped IPv6 address as IPv4', () => {
    expect(valueOf(m, m.matchIp('::ffff:198.51.100.7', NOW))).toBe('198.51.100.7');
  });

  it('matches ip:port, then falls back to the address', () => {
    const id = m.matchIpPort('192.0.2.10', 3333, NOW);
    expect(valueOf(m, id)).toBe('192.0.2.10:3333');
    expect(m.how(id, '192.0.2.10:3333')).toBe('ip-port');
    expect(valueOf(m, m.matchIpPort('192.0.2.10', 80, NOW))).toBe('192.0.2.10');
    expect(valueOf(m, m.matchIpPort('2001:db8::1', 14444, NOW))).toBe('[2001:db8::1]:14444');
    expect(valueOf(m, m.matchIpPort('2001:db8::1', 80, NOW))).toBe('2001:db8::1');
    expect(m.matchIpPort('192.0.2.99', 80, NOW)).toBe(-1);
    expect(m.matchIp('192.0.2.99', NOW)).toBe(-1);
  });

  it('returns -1 for what is not an address', () => {
    for (const bad of ['', 'example.com', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1::2::3', 'fe80::1%eth0']) {
      expect(m.matchIp(bad, NOW)).toBe(-1);
    }
  });
});

describe('IntelMatcher URLs and hashes', () => {
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const m = build([entry('url', 'http://evil.example/Miner.js'), entry('md5', md5), entry('sha256', sha256)]);

  it('matches a URL exactly, path case included', () => {
    const id = m.matchUrl('http://evil.example/Miner.js', NOW);
    expect(valueOf(m, id)).toBe('http://evil.example/Miner.js');
    expect(m.how(id, 'http://evil.example/Miner.js')).toBe('url');
    expect(m.matchUrl('http://evil.example/miner.js', NOW)).toBe(-1);
  });

  it('checks every byte of a long URL', () => {
    const url = `http://evil.example/${'a'.repeat(100)}.js`;
    const long = build([entry('url', url)]);
    expect(long.matchUrl(url, NOW)).toBe(0);
    expect(long.matchUrl(url.replace('aaa.js', 'aab.js'), NOW)).toBe(-1);
    expect(long.entry(0).value).toBe(url);
  });

  it('matches hashes in any hex case', () => {
    expect(valueOf(m, m.matchHash(md5.toUpperCase(), NOW))).toBe(md5);
    expect(valueOf(m, m.matchHash(sha256, NOW))).toBe(sha256);
    expect(m.matchHash(sha256.slice(1), NOW)).toBe(-1);
  });
});

describe('IntelMatcherBuilder', () => {
  it('keeps the duplicate with the higher confidence, then the later expiry (0 = never)', () => {
    const m = build([
      entry('domain', 'a.example', { confidence: 50, ref: 1 }),
      entry('domain', 'a.example', { confidence: 90, ref: 2, expiresAt: NOW + 10 }),
      entry('domain', 'a.example', { confidence: 70, ref: 3 }),
      entry('domain', 'b.example', { ref: 4, expiresAt: 0 }),
      entry('domain', 'b.example', { ref: 5, expiresAt: NOW + 1000 }),
      entry('domain', 'c.example', { ref: 6, expiresAt: NOW + 5 }),
      entry('domain', 'c.example', { ref: 7, expiresAt: NOW + 50 }),
      entry('cidr', '10.0.0.0/8', { ref: 8, confidence: 60 }),
      entry('cidr', '10.0.0.0/8', { ref: 9, confidence: 40 }),
    ]);
    expect(m.size).toBe(4);
    expect(m.duplicates).toBe(5);
    expect(m.entry(m.matchDomain('a.example', NOW)).ref).toBe(2);
    expect(m.entry(m.matchDomain('b.example', NOW)).ref).toBe(4);
    expect(m.entry(m.matchDomain('c.example', NOW)).ref).toBe(7);
    expect(m.entry(m.matchIp('10.1.2.3', NOW)).ref).toBe(8);
  });

  it('numbers entries 0..size-1 in input order and counts them by type', () => {
    const m = build([entry('domain', 'x.example'), entry('ip', '192.0.2.1'), entry('sha1', 'a'.repeat(40)), entry('domain', 'x.example', { confidence: 10 })]);
    expect([0, 1, 2].map((id) => m.entry(id).value)).toEqual(['x.example', '192.0.2.1', 'a'.repeat(40)]);
    const counts = m.countsByType();
    expect(Object.keys(counts).sort()).toEqual([...INDICATOR_TYPES].sort());
    expect(counts).toMatchObject({ domain: 1, ip: 1, sha1: 1, url: 0 });
  });

  it('counts and skips values that do not parse for their type', () => {
    const m = build([entry('ip', 'not-an-ip'), entry('cidr', '10.0.0.0/33'), entry('ip:port', '1.2.3.4:0'), entry('domain', ''), entry('domain', 'ok.example')]);
    expect(m.size).toBe(1);
    expect(m.rejected).toBe(4);
    expect(m.rejectedSamples[0]).toMatchObject({ type: 'ip', value: 'not-an-ip' });
  });

  it('clears host bits of a CIDR written with them set', () => {
    const m = build([entry('cidr', '10.1.2.3/8')]);
    expect(m.matchIp('10.200.0.1', NOW)).toBe(0);
  });

  it('is empty and reusable after build', () => {
    const b = new IntelMatcherBuilder();
    b.add(entry('domain', 'a.example'));
    expect(b.build().size).toBe(1);
    expect(b.size).toBe(0);
    expect(b.build().size).toBe(0);
  });
});

describe('IntelMatcher.empty', () => {
  it('matches nothing', () => {
    const m = IntelMatcher.empty();
    expect(m.size).toBe(0);
    expect(m.matchDomain('a.example', NOW)).toBe(-1);
    expect(m.matchIp('1.2.3.4', NOW)).toBe(-1);
    expect(m.matchIp('::1', NOW)).toBe(-1);
    expect(m.matchIpPort('1.2.3.4', 80, NOW)).toBe(-1);
    expect(m.matchUrl('http://a.example/', NOW)).toBe(-1);
    expect(m.matchHash('a'.repeat(32), NOW)).toBe(-1);
    expect(Object.values(m.countsByType()).every((n) => n === 0)).toBe(true);
  });
});
