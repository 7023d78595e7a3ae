import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';
import { fixture } from './parsers.test-util.ts';

const at = (s: string): number => Date.parse(s) / 1000;

describe('otx', () => {
  it('reads a subscribed-pulses page', () => {
    const r = parseAll(fixture('otx-subscribed.json'), 'otx');
    expect(r.indicators.map((i) => [i.line, i.type, i.value])).toEqual([
      [1, 'domain', 'pool.cryptojack.example'],
      [2, 'domain', 'stratum.pool.cryptojack.example'],
      [3, 'ip', '198.51.100.14'],
      [4, 'ip', '2001:db8:14::3333'],
      [5, 'cidr', '203.0.113.0/24'],
      [6, 'url', 'http://203.0.113.5/xmrig.tar.gz'],
      [7, 'md5', '47e051dd35cf169893b7cbcf4dba5052'],
      [8, 'sha1', '81c729865669bcd7c49fe4991b938f5f3d5ef10d'],
      [9, 'sha256', 'ccbc41d89e024a1c0e4dd7109b96475510e1d7ac2dd4976ade4d87fb8611be3b'],
      [15, 'domain', 'loader.example.net'],
    ]);
    expect(r.indicators[2]).toEqual({
      value: '198.51.100.14',
      line: 3,
      type: 'ip',
      family: 'XMRig',
      firstSeen: at('2024-04-04T07:12:45Z'),
      validUntil: at('2024-05-04T07:00:00Z'),
      tags: ['cryptojacking', 'xmrig', 'docker'],
      reference: 'XMRig cryptojacking campaign targeting exposed Docker APIs',
    });
    // Two families named: no single family to give.
    expect(r.indicators.at(-1)).toEqual({ value: 'loader.example.net', line: 15, type: 'domain', firstSeen: at('2024-04-03T12:00:01Z'), reference: 'Mixed loader infrastructure' });
    expect(r.skippedReasons).toEqual({ 'inactive indicator': 1, 'OTX type email': 1, 'OTX type CVE': 1, 'OTX type FilePath': 1 });
    expect(r.rejected).toEqual([{ line: 14, error: 'whitespace in value', sample: 'bad host.example' }]);
  });

  it('reads one pulse with malware_families as objects', () => {
    const r = parseAll(fixture('otx-pulse.json'), 'otx');
    expect(r.indicators).toEqual([
      { value: '198.51.100.77', line: 1, type: 'ip', family: 'Kinsing', firstSeen: at('2024-04-02T08:30:01Z'), tags: ['kinsing', 'miner'], reference: 'Kinsing miner C2' },
    ]);
  });

  it('reads a page of one pulse’s indicators', () => {
    const page = { count: 2, next: null, results: [
      { id: 1, indicator: 'pool.example', type: 'domain', created: '2024-04-04T00:00:00', is_active: 1, title: 'pool' },
      { id: 2, indicator: 'http://x', type: 'URI', created: '2024-04-04T00:00:00', is_active: 1 },
      { id: 3, indicator: '/gate.php', type: 'URI', created: '2024-04-04T00:00:00', is_active: 1 },
    ] };
    const r = parseAll(JSON.stringify(page), 'otx');
    expect(r.indicators).toEqual([
      { value: 'pool.example', line: 1, type: 'domain', firstSeen: at('2024-04-04T00:00:00Z'), reference: 'pool' },
      { value: 'http://x', line: 2, type: 'url', firstSeen: at('2024-04-04T00:00:00Z') },
    ]);
    expect(r.skippedReasons).toEqual({ 'OTX URI without a host': 1 });
  });

  it('rejects what is not a pulse', () => {
    expect(parseAll('{"name":"x"}', 'otx').rejected).toEqual([{ line: 1, error: 'not an OTX pulse or results page', sample: '{"name":"x"}' }]);
    expect(parseAll('{"results":[7]}', 'otx').rejected.map((x) => x.error)).toEqual(['OTX result is neither a pulse nor an indicator']);
  });
});
