import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';
import { fixture } from './parsers.test-util.ts';

const at = (s: string): number => Date.parse(s) / 1000;

describe('threatfox-json', () => {
  it('reads the export keyed by ioc_id', () => {
    const r = parseAll(fixture('threatfox-export.json'), 'threatfox-json');
    expect(r.indicators.map((i) => [i.line, i.type, i.value, i.category, i.family, i.confidence])).toEqual([
      [1, 'ip:port', '198.51.100.14:3333', 'botnet-c2', 'XMRIG', 75],
      [2, 'domain', 'pool.cryptojack.example', 'botnet-c2', 'Unknown malware', 50],
      [3, 'url', 'http://203.0.113.5/x86_64', 'malware-delivery', 'Mirai', 100],
      [4, 'md5', '47e051dd35cf169893b7cbcf4dba5052', 'malware', 'Agent Tesla', 100],
    ]);
    expect(r.indicators[1]).toEqual({
      value: 'pool.cryptojack.example',
      line: 2,
      type: 'domain',
      category: 'botnet-c2',
      family: 'Unknown malware',
      confidence: 50,
      firstSeen: at('2024-04-04T07:05:12Z'),
      lastSeen: at('2024-04-04T07:08:00Z'),
      tags: ['miner'],
      reference: 'https://example.org/report/cryptojack',
    });
    expect(r.indicators[0]?.tags).toEqual(['c2', 'XMRig']);
    expect(r.skippedReasons).toEqual({ 'ioc_type sha3_384_hash': 1 });
    expect(r.rejected).toEqual([]);
  });

  it('reads the API answer, with its ` UTC` dates and tag arrays', () => {
    const r = parseAll(fixture('threatfox-api.json'), 'threatfox-json');
    expect(r.indicators).toEqual([
      {
        value: 'pool.cryptojack.example', line: 1, type: 'domain', category: 'botnet-c2', family: 'Unknown malware', confidence: 50,
        firstSeen: at('2024-04-04T07:05:12Z'), lastSeen: at('2024-04-04T07:08:00Z'), tags: ['miner'], reference: 'https://example.org/report/cryptojack',
      },
      {
        value: '198.51.100.14:3333', line: 2, type: 'ip:port', category: 'botnet-c2', family: 'XMRIG', confidence: 75,
        firstSeen: at('2024-04-04T07:09:55Z'), tags: ['c2', 'XMRig'],
      },
    ]);
  });

  it('takes no_result as an empty answer and reports other query errors', () => {
    expect(parseAll('{"query_status":"no_result","data":"Your search did not yield any results"}', 'threatfox-json').rejected).toEqual([]);
    expect(parseAll('{"query_status":"illegal_search_term","data":"x"}', 'threatfox-json').rejected).toEqual([
      { line: 1, error: 'ThreatFox query_status illegal_search_term', sample: 'x' },
    ]);
  });

  it('rejects malformed entries one by one', () => {
    const text = JSON.stringify({ 1: [{ ioc_value: 'a.example', ioc_type: 'domain' }, 'oops', { ioc_type: 'domain' }], 2: { not: 'array' }, 3: [{ ioc_value: 'bad host', ioc_type: 'domain', confidence_level: 500 }] });
    const r = parseAll(text, 'threatfox-json');
    expect(r.indicators).toEqual([{ value: 'a.example', line: 1, type: 'domain' }]);
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([
      [2, 'ThreatFox entry is not an object'],
      [3, 'ThreatFox entry without ioc_value'],
      [4, 'ThreatFox export: ioc 2 is not an array'],
      [5, 'whitespace in value'],
    ]);
    expect(parseAll('[1,2]', 'threatfox-json').rejected).toEqual([{ line: 1, error: 'ThreatFox JSON must be an object', sample: '[1,2]' }]);
  });
});
