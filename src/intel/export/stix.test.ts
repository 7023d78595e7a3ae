import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/indicator.ts';
import { NOW, indicator } from './export.test-util.ts';
import { exportIndicators } from './index.ts';
import { escapeLiteral, stixPattern, uuidV5 } from './stix.ts';

interface Sdo {
  type: string;
  spec_version: string;
  id: string;
  created: string;
  modified: string;
  name: string;
  description: string;
  indicator_types: string[];
  pattern: string;
  pattern_type: string;
  valid_from: string;
  valid_until?: string;
  labels?: string[];
  confidence: number;
}

interface Bundle {
  type: string;
  id: string;
  objects?: Sdo[];
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** One comparison `[object:path = 'literal']` read back, the literal unescaped. */
function readPattern(pattern: string): { path: string; value: string } {
  const m = /^\[([a-z0-9-]+:[^ ]+) = '((?:[^'\\]|\\.)*)'\]$/.exec(pattern);
  if (m === null) throw new Error(`not a single comparison: ${pattern}`);
  return { path: m[1] ?? '', value: (m[2] ?? '').replace(/\\(.)/g, '$1') };
}

function bundle(input: Iterable<Indicator>): Bundle {
  return JSON.parse([...exportIndicators(input, 'stix', { now: NOW })].join('')) as Bundle;
}

const INPUT: Indicator[] = [
  indicator('domain', 'pool.supportxmr.com', { family: 'xmrig', reference: 'https://example.org/report' }),
  indicator('ip', '185.71.66.20', { category: 'botnet-c2', validUntil: NOW + 86_400 }),
  indicator('ip', '2001:db8::1'),
  indicator('cidr', '10.0.0.0/8'),
  indicator('cidr', '2001:db8::/32'),
  indicator('url', "http://evil.example/it's\\here.js"),
  indicator('md5', 'd41d8cd98f00b204e9800998ecf8427e'),
  indicator('sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
  indicator('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  indicator('ip:port', '37.59.21.58:5222'),
  indicator('domain', 'expired.example', { validUntil: NOW - 1 }),
];

const PATHS: Record<string, string> = {
  domain: 'domain-name:value',
  ip: 'ipv4-addr:value',
  cidr: 'ipv4-addr:value',
  url: 'url:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
};

describe('STIX export', () => {
  it('writes a bundle of STIX 2.1 indicators whose patterns read back to the values', () => {
    const b = bundle(INPUT);
    expect(b.type).toBe('bundle');
    expect(b.id).toMatch(new RegExp(`^bundle--${UUID}$`));
    const objects = b.objects ?? [];
    expect(objects).toHaveLength(INPUT.length - 1); // the expired one is left out
    const byValue = new Map<string, Sdo>();
    for (const [i, o] of objects.entries()) {
      const ind = INPUT[i]!;
      expect(o).toMatchObject({ type: 'indicator', spec_version: '2.1', pattern_type: 'stix' });
      expect(o.id).toMatch(new RegExp(`^indicator--${UUID}$`));
      expect(o.indicator_types).toEqual(['malicious-activity']);
      expect(o.labels).toEqual([ind.category]);
      expect(o.confidence).toBe(80);
      for (const t of [o.created, o.modified, o.valid_from]) expect(t).toMatch(TIMESTAMP);
      expect(o.modified >= o.created).toBe(true);
      expect(o.name).toBe(`${ind.category}: ${ind.value}`);
      if (ind.type !== 'ip:port') {
        const v6 = ind.value.includes(':') && (ind.type === 'ip' || ind.type === 'cidr');
        expect(readPattern(o.pattern)).toEqual({ path: v6 ? 'ipv6-addr:value' : PATHS[ind.type], value: ind.value });
      }
      byValue.set(ind.value, o);
    }
    expect(byValue.get('37.59.21.58:5222')?.pattern).toBe(
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '37.59.21.58'" +
        ' AND network-traffic:dst_port = 5222]',
    );
    const ip = byValue.get('185.71.66.20');
    expect(ip?.valid_until).toBe('2023-11-15T22:13:20.000Z');
    expect(ip?.valid_from).toBe('2023-11-13T22:13:20.000Z');
    expect(byValue.get('2001:db8::1')?.valid_until).toBeUndefined();
    expect(byValue.get('pool.supportxmr.com')?.description).toBe(
      'source test-feed; family xmrig; https://example.org/report',
    );
  });

  it('escapes quotes and backslashes in pattern literals', () => {
    expect(escapeLiteral("a'b\\c")).toBe("a\\'b\\\\c");
    expect(stixPattern('url', "http://x.example/'")).toBe("[url:value = 'http://x.example/\\'']");
    expect(stixPattern('ip:port', '[2001:db8::1]:3333')).toBe(
      "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::1'" +
        ' AND network-traffic:dst_port = 3333]',
    );
    expect(stixPattern('ip:port', "1.2.3.4:1' OR '")).toBeNull();
  });

  it('gives an indicator the same id on every export and drops exact duplicates', () => {
    const a = bundle(INPUT.slice(0, 2)).objects ?? [];
    const b = bundle([...INPUT.slice(0, 2), INPUT[0]!]).objects ?? [];
    expect(b.map((o) => o.id)).toEqual(a.map((o) => o.id));
    const other = bundle([indicator('domain', 'pool.supportxmr.com', { source: 'another' })]).objects ?? [];
    expect(other[0]?.id).not.toBe(a[0]?.id);
  });

  it('writes a bundle without objects when nothing is active', () => {
    const b = bundle([INPUT.at(-1)!]);
    expect(Object.keys(b)).toEqual(['type', 'id']);
  });

  it('computes RFC 4122 version 5 UUIDs', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, 'https://example.com/ü')
    expect(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://example.com/ü')).toBe(
      'a17f7a1d-6bb5-51a9-9d32-f9d2fdeec8b6',
    );
  });
});
