import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';
import { testdata } from './parsers.test-util.ts';
import { patternValues } from './stix-pattern.ts';

describe('stix patterns', () => {
  it('takes the values of simple and OR-combined comparisons', () => {
    expect(patternValues("[domain-name:value = 'pool.example']")).toEqual({ ok: true, values: [{ type: 'domain', value: 'pool.example' }], unsupported: [] });
    expect(patternValues("[ipv4-addr:value = '198.51.100.1'] OR [ipv4-addr:value = '203.0.113.0/24']")).toMatchObject({
      values: [{ type: 'ip', value: '198.51.100.1' }, { type: 'cidr', value: '203.0.113.0/24' }],
    });
    expect(patternValues("[url:value = 'http://a.example/' OR ipv6-addr:value = '2001:db8::1']")).toMatchObject({
      values: [{ type: 'url', value: 'http://a.example/' }, { type: 'ip', value: '2001:db8::1' }],
    });
    expect(patternValues("[file:hashes.'SHA-256' = 'AA' OR file:hashes.MD5 = 'bb' OR file:hashes.'SHA-1' = 'cc' OR file:hashes.SHA256 = 'dd']")).toMatchObject({
      values: [{ type: 'sha256', value: 'AA' }, { type: 'md5', value: 'bb' }, { type: 'sha1', value: 'cc' }, { type: 'sha256', value: 'dd' }],
    });
    expect(patternValues("([domain-name:value IN ('a.example', 'b.example')]) OR [ipv4-addr:value ISSUBSET '10.0.0.0/8']")).toMatchObject({
      values: [{ value: 'a.example' }, { value: 'b.example' }, { type: 'cidr', value: '10.0.0.0/8' }],
    });
  });

  it('unescapes quotes and backslashes in string literals', () => {
    expect(patternValues("[url:value = 'http://a.example/it\\'s\\\\x']")).toMatchObject({ values: [{ value: "http://a.example/it's\\x" }] });
  });

  it('reports AND, FOLLOWEDBY, qualifiers, other objects and operators as unsupported', () => {
    expect(patternValues("[domain-name:value = 'a.example' AND domain-name:value = 'b.example']")).toEqual({ ok: true, values: [], unsupported: ['pattern uses AND'] });
    expect(patternValues("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.example']")).toMatchObject({ values: [], unsupported: ['pattern uses FOLLOWEDBY'] });
    expect(patternValues("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES")).toMatchObject({ values: [], unsupported: ['pattern uses REPEATS'] });
    expect(patternValues("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Run'] OR [domain-name:value = 'a.example']")).toEqual({
      ok: true, values: [{ type: 'domain', value: 'a.example' }], unsupported: ['object path windows-registry-key:key'],
    });
    expect(patternValues("[process:name = 'xmrig']")).toMatchObject({ unsupported: ['object path process:name'] });
    expect(patternValues("[domain-name:value MATCHES '^pool']")).toMatchObject({ unsupported: ['operator MATCHES on domain-name:value'] });
    expect(patternValues("[domain-name:value NOT = 'a']")).toMatchObject({ unsupported: ['operator NOT = on domain-name:value'] });
    expect(patternValues("[network-traffic:dst_ref.value = '198.51.100.3']")).toMatchObject({ values: [{ value: '198.51.100.3' }] });
  });

  it('reports syntax errors instead of throwing', () => {
    for (const bad of ["[domain-name:value = 'a'", "domain-name:value = 'a'", "[domain-name:value = 'a]", '[a:b =]', '[]', `${'('.repeat(100)}[a:b = 'c']${')'.repeat(100)}`]) {
      expect(patternValues(bad)).toMatchObject({ ok: false });
    }
  });
});

describe('stix: OASIS examples', () => {
  it('reads every sample bundle', () => {
    const dir = resolve(import.meta.dirname, '../../../../shared/testdata/intel/stix21');
    const counts = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => {
      const r = parseAll(testdata('intel/stix21', f), 'stix');
      return [f, [r.indicators.length, r.rejected.length, r.skipped]];
    }));
    expect(counts).toEqual({
      'indicator-for-c2-ip-address.json': [1, 0, 0],
      'indicators-for-C2-with-COA.json': [2, 0, 0],
      'infrastructure.json': [0, 0, 0], // no indicator objects
      'poisonivy.json': [64, 1, 2],
    });
  });

  it('poisonivy.json: 25 indicators, 67 comparisons → 24 domains + 40 IPs, 2 file names skipped, 1 bad domain', () => {
    const r = parseAll(testdata('intel/stix21/poisonivy.json'), 'stix');
    // jq: the 25 patterns hold 25 domain-name, 40 ipv4-addr and 2 file:name comparisons, all OR.
    expect(r.indicators.filter((i) => i.type === 'domain')).toHaveLength(24);
    expect(r.indicators.filter((i) => i.type === 'ip')).toHaveLength(40);
    // 25 indicators less the two that are only a file:name.
    expect(new Set(r.indicators.map((i) => i.line)).size).toBe(23);
    expect(r.skippedReasons).toEqual({ 'object path file:name': 2 });
    // The sample really has `domain-name:value = 'domain autuo.xicp.net'`.
    expect(r.rejected).toEqual([{ line: 43, error: 'whitespace in value', sample: 'domain autuo.xicp.net' }]);
    const microsoft = r.indicators.filter((i) => i.reference === 'microsoft.byinter.net');
    expect(microsoft.map((i) => i.value)).toEqual([
      'microsofta.byinter.net', 'microsoftb.byinter.net', 'microsoftc.byinter.net', 'microsofte.byinter.net',
      '113.10.246.30', '219.90.112.203', '202.65.220.64', '75.126.95.138', '219.90.112.197', '202.65.222.45', '98.126.148.114',
    ]);
    expect(r.indicators[0]).toEqual({
      value: '219.76.208.163',
      line: 34,
      type: 'ip',
      category: 'malware',
      family: 'PIVY Variant (808e21d6efa2884811fbd0adf67fda78)',
      firstSeen: Date.parse('2015-05-15T09:12:16.432Z') / 1000 | 0,
      tags: ['malicious-activity', 'attribution'],
      reference: 'IP address: 219.76.208.163',
    });
  });

  it('indicators-for-C2-with-COA.json: the IP and the SHA-256, family from `indicates`', () => {
    const r = parseAll(testdata('intel/stix21/indicators-for-C2-with-COA.json'), 'stix');
    expect(r.indicators.map((i) => [i.type, i.value, i.family])).toEqual([
      ['ip', '10.0.0.0', 'Poison Ivy'],
      ['sha256', 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c', 'Poison Ivy'],
    ]);
  });
});

describe('stix: indicator metadata and skips', () => {
  const ind = (extra: Record<string, unknown>): Record<string, unknown> => ({
    type: 'indicator', spec_version: '2.1', id: `indicator--${Math.random()}`, pattern: "[domain-name:value = 'pool.example']", valid_from: '2024-04-04T00:00:00Z', ...extra,
  });

  it('maps valid_until, confidence, indicator types and a miner family', () => {
    const bundle = {
      type: 'bundle',
      objects: [
        ind({ id: 'indicator--1', name: 'XMRig pool', indicator_types: ['malicious-activity'], confidence: 85, valid_until: '2024-05-04T00:00:00Z' }),
        { type: 'malware', id: 'malware--1', name: 'XMRig', is_family: true, malware_types: ['resource-exploitation'] },
        { type: 'relationship', id: 'relationship--1', relationship_type: 'indicates', source_ref: 'indicator--1', target_ref: 'malware--1' },
        ind({ indicator_types: ['anonymization'], pattern: "[ipv4-addr:value = '198.51.100.9']" }),
      ],
    };
    const r = parseAll(JSON.stringify(bundle), 'stix');
    expect(r.indicators).toEqual([
      {
        value: 'pool.example', line: 1, type: 'domain', category: 'miner-malware', family: 'XMRig', confidence: 85,
        firstSeen: Date.parse('2024-04-04T00:00:00Z') / 1000, validUntil: Date.parse('2024-05-04T00:00:00Z') / 1000,
        tags: ['malicious-activity'], reference: 'XMRig pool',
      },
      { value: '198.51.100.9', line: 4, type: 'ip', category: 'suspicious', firstSeen: Date.parse('2024-04-04T00:00:00Z') / 1000, tags: ['anonymization'] },
    ]);
  });

  it('skips other pattern languages, revoked and benign indicators, and rejects bad patterns', () => {
    const objects = [
      ind({ pattern_type: 'snort', pattern: 'alert tcp any any -> any 3333' }),
      ind({ revoked: true }),
      ind({ indicator_types: ['benign'] }),
      ind({ pattern: "[domain-name:value = 'a'" }),
      ind({ pattern: undefined }),
      ind({ pattern: "[domain-name:value = 'a.example' AND ipv4-addr:value = '1.2.3.4']" }),
      'not an object',
    ];
    const r = parseAll(JSON.stringify({ type: 'bundle', objects }), 'stix');
    expect(r.indicators).toEqual([]);
    expect(r.skippedReasons).toEqual({ 'pattern_type snort': 1, 'revoked indicator': 1, 'benign indicator': 1, 'pattern uses AND': 1 });
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([
      [4, "STIX pattern: expected ']'"],
      [5, 'indicator without a pattern'],
      [7, 'STIX object is not an object'],
    ]);
  });

  it('accepts a bare indicator, an array and a TAXII envelope', () => {
    for (const doc of [ind({}), [ind({})], { more: false, objects: [ind({})] }]) {
      expect(parseAll(JSON.stringify(doc), 'stix').indicators.map((i) => i.value)).toEqual(['pool.example']);
    }
    expect(parseAll('{"type":"identity"}', 'stix').rejected.map((x) => x.error)).toEqual(['not a STIX bundle, envelope or indicator']);
  });
});
