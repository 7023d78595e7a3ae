import { readFileSync } from 'node:fs';
import type * as Fs from 'node:fs';
import { getDomain } from 'tldts';
import { describe, expect, it, vi } from 'vitest';
import { HELD_NETWORKS, HOLD_REASONS, PopularityGuard, loadBuiltInTopSites, parseTopSitesList } from './guard.ts';
import { normalizeDomain, normalizeUrl } from './normalize.ts';

const guard = PopularityGuard.withBuiltInList();
const LOAD = { action: 'load' };
const held = (reason: string) => ({ action: 'hold', reason });

describe('domains', () => {
  it.each(['com', 'co.uk', 'edu.cn', 'gov.cn', 'com.cn', 'github.io', 'blogspot.com', 'localhost'])(
    'holds the public suffix %s',
    (d) => {
      expect(guard.check('domain', d)).toEqual(held(HOLD_REASONS.publicSuffix));
    },
  );

  it.each(['google.com', 'youtube.com', 'www.google.com', 'wikipedia.org', 'example.com', 'baidu.com', 'qq.com', 'windowsupdate.com'])(
    'holds the popular domain %s',
    (d) => {
      expect(guard.check('domain', d)).toEqual(held(HOLD_REASONS.popular));
    },
  );

  it.each(['pool.supportxmr.com', 'supportxmr.com', 'evil.example.com', 'weixin.qq.com', 'miner.github.io', 'xmr-eu1.nanopool.org'])(
    'loads %s (not a suffix, not a popular registrable domain or its www host)',
    (d) => {
      expect(guard.check('domain', d)).toEqual(LOAD);
    },
  );

  it('treats only the registrable domain and its www host as popular', () => {
    expect(guard.isPopular('youtube.com')).toBe(true);
    expect(guard.isPopular('www.youtube.com')).toBe(true);
    expect(guard.isPopular('m.youtube.com')).toBe(false);
    expect(guard.isPopular('www.www.youtube.com')).toBe(false);
    expect(guard.isPopular('supportxmr.com')).toBe(false);
  });

  it('reduces list entries to registrable domains and adds operator extras', () => {
    const g = new PopularityGuard({ topSites: new Set(['www.example.org', 'co.uk']), extraPopular: ['weixin.qq.com'] });
    expect(g.size).toBe(2); // co.uk has no registrable domain and is left to the suffix rule
    expect(g.isPopular('example.org')).toBe(true);
    expect(g.isPopular('qq.com')).toBe(true);
    expect(g.isPopular('www.qq.com')).toBe(true);
    expect(g.isPopular('weixin.qq.com')).toBe(false);
    expect(g.check('domain', 'google.com')).toEqual(LOAD);
  });

  it('adds extras to the built-in list', () => {
    const g = PopularityGuard.withBuiltInList(['intranet-portal.example']);
    expect(g.check('domain', 'intranet-portal.example')).toEqual(held(HOLD_REASONS.popular));
    expect(g.check('domain', 'google.com')).toEqual(held(HOLD_REASONS.popular));
  });
});

describe('URLs', () => {
  const url = (s: string): string => {
    const v = normalizeUrl(s);
    if (v === null) throw new Error(`bad test URL ${s}`);
    return v;
  };

  it.each([
    ['https://www.google.com/', HOLD_REASONS.popular],
    ['google.com', HOLD_REASONS.popular],
    ['http://youtube.com:8080/', HOLD_REASONS.popular],
    ['http://co.uk/', HOLD_REASONS.publicSuffix],
  ])('holds the bare host URL %s', (s, reason) => {
    expect(guard.check('url', url(s))).toEqual(held(reason));
  });

  it('holds a bare URL on a non-routable address', () => {
    expect(guard.check('url', url('http://10.0.0.1/'))).toEqual(held(`${HOLD_REASONS.nonRoutable} (private)`));
    expect(guard.check('url', url('http://[::1]/'))).toEqual(held(`${HOLD_REASONS.nonRoutable} (loopback)`));
  });

  it.each([
    'https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz',
    'https://www.google.com/?q=xmrig',
    'http://10.0.0.1/payload.sh',
    'http://evil.example.com/',
    'stratum+tcp://pool.supportxmr.com:3333',
  ])('loads the specific URL %s', (s) => {
    expect(guard.check('url', url(s))).toEqual(LOAD);
  });
});

describe('IP addresses', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
  ])('holds %s (%s)', (ip, range) => {
    expect(guard.check('ip', ip)).toEqual(held(`${HOLD_REASONS.nonRoutable} (${range})`));
  });

  it.each(['185.71.66.20', '45.9.148.3', '2a01:4f8:c17:1::2', '2002:b947:4214::1'])('loads the routable address %s', (ip) => {
    expect(guard.check('ip', ip)).toEqual(LOAD);
  });

  it('judges ip:port by its address', () => {
    expect(guard.check('ip:port', '127.0.0.1:3333')).toEqual(held(`${HOLD_REASONS.nonRoutable} (loopback)`));
    expect(guard.check('ip:port', '[::1]:3333')).toEqual(held(`${HOLD_REASONS.nonRoutable} (loopback)`));
    expect(guard.check('ip:port', '185.71.66.20:3333')).toEqual(LOAD);
    expect(guard.check('ip:port', '[2a01:4f8:c17:1::2]:443')).toEqual(LOAD);
  });

  it('holds a value that is not an address instead of throwing', () => {
    expect(guard.check('ip', 'pool.supportxmr.com')).toEqual(held(HOLD_REASONS.invalid));
  });
});

describe('CIDR ranges', () => {
  it.each([
    ['0.0.0.0/0', '/0; IPv4 minimum is /8'],
    ['8.0.0.0/7', '/7; IPv4 minimum is /8'],
    ['2000::/3', '/3; IPv6 minimum is /32'],
    ['2a00::/16', '/16; IPv6 minimum is /32'],
  ])('holds %s as too broad', (cidr, detail) => {
    expect(guard.check('cidr', cidr)).toEqual(held(`${HOLD_REASONS.tooBroad} (${detail})`));
  });

  it.each([
    ['10.0.0.0/8', 'private'],
    ['10.1.0.0/16', 'private'],
    ['192.168.0.0/24', 'private'],
    ['127.0.0.0/8', 'loopback'],
    ['fe80::/64', 'linkLocal'],
    ['2001:db8::/48', 'reserved'],
  ])('holds %s, which starts inside a %s range', (cidr, range) => {
    expect(guard.check('cidr', cidr)).toEqual(held(`${HOLD_REASONS.nonRoutable} (${range})`));
  });

  it.each([
    ['172.0.0.0/8', 'contains 172.16.0.0/12, private'],
    ['100.0.0.0/8', 'contains 100.64.0.0/10, carrierGradeNat'],
    ['198.0.0.0/8', 'contains 198.18.0.0/15, reserved'],
  ])('holds %s, which contains a non-routable range', (cidr, detail) => {
    expect(guard.check('cidr', cidr)).toEqual(held(`${HOLD_REASONS.nonRoutable} (${detail})`));
  });

  it.each(['185.71.66.0/24', '45.0.0.0/8', '2a01:4f8::/32'])('loads %s', (cidr) => {
    expect(guard.check('cidr', cidr)).toEqual(LOAD);
  });

  it('knows every listed held network as non-routable by its own address', () => {
    for (const cidr of HELD_NETWORKS) {
      const [addr] = cidr.split('/');
      expect(guard.check('ip', addr ?? ''), cidr).toMatchObject({ action: 'hold' });
      expect(guard.check('cidr', cidr), cidr).toMatchObject({ action: 'hold' });
    }
  });
});

describe('hashes', () => {
  it('loads hashes', () => {
    expect(guard.check('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toEqual(LOAD);
    expect(guard.check('sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709')).toEqual(LOAD);
    expect(guard.check('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toEqual(LOAD);
  });
});

describe('built-in top-sites list', () => {
  const text = readFileSync(new URL('./data/top-sites.txt', import.meta.url), 'utf8');
  const names = parseTopSitesList(text);

  it('lists canonical registrable domains once each', () => {
    expect(names.length).toBeGreaterThanOrEqual(500);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(normalizeDomain(n), n).toBe(n);
      expect(getDomain(n), n).toBe(n);
    }
  });

  it('keeps the third-party section and the supplement in marked sections', () => {
    expect(text).toContain('--- section 1: top-sites (MIT, Kiko Beats) ---');
    expect(text).toContain('--- section 2: Minewarden supplement (hand-written) ---');
    expect(names).toContain('google.com');
    expect(names).toContain('baidu.com');
  });

  it('parses comments and blank lines', () => {
    expect(parseTopSitesList('# head\n\nGoogle.com  # trailing\n  qq.com\n')).toEqual(['google.com', 'qq.com']);
  });

  it('is loaded once and shared', () => {
    expect(loadBuiltInTopSites()).toBe(loadBuiltInTopSites());
    expect(PopularityGuard.withBuiltInList().size).toBe(guard.size);
  });

  it('is not read at import time, only on first use', async () => {
    vi.resetModules();
    const fs = await vi.importActual<typeof Fs>('node:fs');
    const read = vi.fn(fs.readFileSync);
    vi.doMock('node:fs', () => ({ ...fs, readFileSync: read }));
    try {
      const fresh = await import('./guard.ts');
      expect(read).not.toHaveBeenCalled();
      fresh.PopularityGuard.withBuiltInList();
      fresh.PopularityGuard.withBuiltInList();
      expect(read).toHaveBeenCalledTimes(1);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});
