import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';
import { testdata } from './parsers.test-util.ts';

describe('hosts', () => {
  it('reads all 313 names of the NoCoin hosts list', () => {
    const r = parseAll(testdata('intel/nocoin/hosts.txt'), 'hosts');
    expect(r.indicators).toHaveLength(313);
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(0);
    expect(r.indicators[0]).toEqual({ value: '1q2w3.fun', line: 12, type: 'domain' });
    const names = new Set(r.indicators.map((i) => i.value));
    for (const n of ['authedmine.com', 'ad-miner.com', 'api.browsermine.com']) expect(names).toContain(n);
    expect(r.indicators.at(-1)?.line).toBe(324);
  });

  it('reads several names per line and skips the machine’s own entries', () => {
    const text = [
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      'ff02::1 ip6-allnodes',
      '255.255.255.255 broadcasthost',
      '0.0.0.0 0.0.0.0',
      '127.0.0.1\tminer.example  www.miner.example # two names',
      ':: pool.example',
      'fe80::1%lo0 zone.example',
    ].join('\n');
    const r = parseAll(text, 'hosts');
    expect(r.indicators.map((i) => [i.line, i.value])).toEqual([
      [6, 'miner.example'],
      [6, 'www.miner.example'],
      [7, 'pool.example'],
      [8, 'zone.example'],
    ]);
    expect(r.skippedReasons).toEqual({ 'local hosts entry': 7 });
  });

  it('rejects lines that are not `address name…`', () => {
    const r = parseAll('miner.example\n0.0.0.0\n999.1.1.1 x.example\n0.0.0.0 a/b.example\n', 'hosts');
    expect(r.indicators).toEqual([]);
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([
      [1, "expected '<address> <name> …'"],
      [2, "expected '<address> <name> …'"],
      [3, "expected '<address> <name> …'"],
      [4, 'not a domain'],
    ]);
  });
});
