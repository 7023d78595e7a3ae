import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/indicator.ts';
import { NOW, indicator, indicatorsFromList, sharedTestdata } from './export.test-util.ts';
import { exportIndicators } from './index.ts';

interface ZoneRecord {
  owner: string;
  type: string;
  rdata: string[];
  comment: string;
}

interface Zone {
  ttl: string;
  origin: string;
  records: ZoneRecord[];
  /** Comment-only lines, without the leading `; `. */
  comments: string[];
}

/** Reads our zone files back: one record per line, no parentheses, `;` comments. */
function parseZone(text: string): Zone {
  const zone: Zone = { ttl: '', origin: '', records: [], comments: [] };
  for (const line of text.split('\n')) {
    const semi = line.indexOf(';');
    const body = (semi < 0 ? line : line.slice(0, semi)).trim();
    const comment = semi < 0 ? '' : line.slice(semi + 1).trim();
    if (body === '') {
      if (comment !== '') zone.comments.push(comment);
      continue;
    }
    const tokens = body.split(/\s+/);
    if (tokens[0] === '$TTL') zone.ttl = tokens[1] ?? '';
    else if (tokens[0] === '$ORIGIN') zone.origin = tokens[1] ?? '';
    else {
      const [owner = '', ...rest] = tokens;
      if (rest[0] === 'IN') rest.shift();
      const [type = '', ...rdata] = rest;
      zone.records.push({ owner, type, rdata, comment });
    }
  }
  return zone;
}

/** The rules a loader applies to this zone, checked record by record. */
function expectValidRpz(zone: Zone, origin: string, serial: number): void {
  expect(zone.ttl).toMatch(/^\d+$/);
  expect(zone.origin).toBe(`${origin}.`);
  const [soa, ns, ...policy] = zone.records;
  expect(soa).toMatchObject({ owner: '@', type: 'SOA' });
  expect(soa?.rdata).toHaveLength(7);
  expect(soa?.rdata[2]).toBe(String(serial));
  expect(ns).toMatchObject({ owner: '@', type: 'NS', rdata: ['localhost.'] });
  const owners = new Set<string>();
  for (const r of policy) {
    expect(r.type, r.owner).toBe('CNAME');
    expect(r.rdata, r.owner).toEqual(['.']);
    expect(owners.has(r.owner), `duplicate owner ${r.owner}`).toBe(false);
    owners.add(r.owner);
    const labels = r.owner.split('.');
    labels.forEach((label, i) => {
      expect(label === '*' ? i === 0 : /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label), r.owner).toBe(true);
    });
    expect(`${r.owner}.${origin}`.length + 2, r.owner).toBeLessThanOrEqual(255);
  }
  for (const owner of owners) {
    if (owner.startsWith('*.') || owner.endsWith('.rpz-ip')) continue;
    expect(owners.has(`*.${owner}`), `wildcard for ${owner}`).toBe(true);
  }
}

function rpz(indicators: Iterable<Indicator>, zoneName?: string): string {
  return [...exportIndicators(indicators, 'rpz', { now: NOW, zoneName })].join('');
}

const MIXED: Indicator[] = [
  indicator('domain', 'pool.supportxmr.com', { source: 'maltrail', family: 'xmrig' }),
  indicator('domain', 'moneroocean.stream', { category: 'mining-pool', source: 'nocoin' }),
  indicator('domain', 'pool.supportxmr.com', { source: 'other-feed' }),
  indicator('ip', '185.71.66.20', { category: 'botnet-c2', source: 'feodo' }),
  indicator('cidr', '10.0.0.0/8', { category: 'suspicious' }),
  indicator('ip', '2001:db8::1'),
  indicator('cidr', '2001:db8:1::/48'),
  indicator('url', 'http://evil.example/x.js'),
  indicator('ip:port', '37.59.21.58:5222'),
  indicator('ip:port', '185.71.66.20:14444'),
  indicator('sha256', 'a'.repeat(64)),
  indicator('domain', 'expired.example', { validUntil: NOW - 1 }),
  indicator('domain', 'still-valid.example', { validUntil: NOW + 1 }),
  indicator('domain', 'evil.rpz-ip'),
  indicator('domain', `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`),
  indicator('domain', 'Not Canonical.example'),
];

describe('RPZ export', () => {
  it('writes a zone with SOA, NS, name + wildcard per domain, rpz-ip triggers and a skip count', () => {
    const text = rpz(MIXED);
    const zone = parseZone(text);
    expectValidRpz(zone, 'rpz.minewarden', NOW);
    expect(zone.records.slice(2).map((r) => `${r.owner} ${r.type} ${r.rdata.join(' ')}`)).toEqual([
      'pool.supportxmr.com CNAME .',
      '*.pool.supportxmr.com CNAME .',
      'moneroocean.stream CNAME .',
      '*.moneroocean.stream CNAME .',
      '32.20.66.71.185.rpz-ip CNAME .',
      '8.0.0.0.10.rpz-ip CNAME .',
      '128.1.zz.db8.2001.rpz-ip CNAME .',
      '48.zz.1.db8.2001.rpz-ip CNAME .',
      'still-valid.example CNAME .',
      '*.still-valid.example CNAME .',
    ]);
    expect(zone.records[2]?.comment).toBe('category=mining-pool family=xmrig source=maltrail');
    expect(zone.records[4]?.comment).toBe('category=mining-pool source=nocoin');
    expect(zone.records[6]?.comment).toBe('185.71.66.20 category=botnet-c2 source=feodo');
    expect(zone.comments.slice(-3)).toEqual([
      '3 domains (each with its wildcard), 4 IP triggers',
      'skipped (RPZ cannot express them): url 1, ip:port 2, sha256 1',
      'skipped: expired 1, invalid 3, duplicate 1',
    ]);
    expect(text.split('\n').slice(0, 6)).toEqual([
      '; Minewarden response policy zone, generated 2023-11-14T22:13:20.000Z',
      '; A blocked domain has a second, wildcard record so that its subdomains are blocked too.',
      '$TTL 300',
      '$ORIGIN rpz.minewarden.',
      `@ IN SOA localhost. hostmaster.localhost. ${NOW} 3600 600 604800 300`,
      '@ IN NS localhost.',
    ]);
  });

  it('keeps feed text in comments on one line', () => {
    const text = rpz([indicator('domain', 'x.example', { source: 'evil\nfeed $ORIGIN attacker.' })]);
    expect(text).toContain('x.example CNAME . ; category=mining-pool source=evil feed $ORIGIN attacker.\n');
    expectValidRpz(parseZone(text), 'rpz.minewarden', NOW);
  });

  it('uses the zone name given, and rejects an invalid one before producing anything', () => {
    expect(parseZone(rpz([], 'RPZ.Example.org.')).origin).toBe('rpz.example.org.');
    expect(() => exportIndicators([], 'rpz', { zoneName: 'bad zone' })).toThrow(/invalid RPZ zone name/);
  });

  const zonecheck = spawnSync('which', ['named-checkzone']).status === 0;
  it.skipIf(!zonecheck)('loads in named-checkzone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-rpz-'));
    try {
      const file = join(dir, 'rpz.zone');
      writeFileSync(file, rpz(MIXED));
      const run = spawnSync('named-checkzone', ['rpz.minewarden', file], { encoding: 'utf8' });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const trails = sharedTestdata('intel', 'maltrail', 'crypto_mining.txt');
  it.skipIf(trails === null)('exports the real maltrail mining list as a valid zone', () => {
    const inds = indicatorsFromList(trails ?? '', 'maltrail');
    const zone = parseZone(rpz(inds));
    expectValidRpz(zone, 'rpz.minewarden', NOW);
    const owners = new Set(zone.records.map((r) => r.owner));
    expect(owners.has('pool.supportxmr.com')).toBe(true);
    expect(owners.has('*.pool.supportxmr.com')).toBe(true);
    const ipPorts = inds.filter((i) => i.type === 'ip:port').length;
    expect(ipPorts).toBeGreaterThan(100);
    expect(zone.comments.at(-2)).toMatch(new RegExp(`ip:port ${ipPorts}\\b`));
  });
});
