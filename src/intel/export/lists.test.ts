import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/indicator.ts';
import { NOW, indicator, sharedTestdata } from './export.test-util.ts';
import { exportIndicators } from './index.ts';
import type { ExportOptions } from './index.ts';

const INPUT: Indicator[] = [
  indicator('domain', 'pool.supportxmr.com'),
  indicator('ip', '185.71.66.20'),
  indicator('domain', 'xn--mnchen-3ya.example'),
  indicator('url', 'http://coinhive.com/lib/coinhive.min.js'),
  indicator('domain', 'pool.supportxmr.com', { source: 'another' }),
  indicator('domain', 'gone.example', { validUntil: NOW - 10 }),
  indicator('domain', 'BAD NAME'),
  indicator('domain', 'coinhive.com'),
];

function lines(format: 'hosts' | 'domains', input: Iterable<Indicator>, opts: ExportOptions = {}): string[] {
  return [...exportIndicators(input, format, { now: NOW, ...opts })].join('').split('\n');
}

describe('hosts export', () => {
  it('writes one sinkhole line per active domain, each once, after a comment', () => {
    expect(lines('hosts', INPUT)).toEqual([
      '# Minewarden blocklist (hosts format), generated 2023-11-14T22:13:20.000Z',
      '0.0.0.0 pool.supportxmr.com',
      '0.0.0.0 xn--mnchen-3ya.example',
      '0.0.0.0 coinhive.com',
      '',
    ]);
  });

  it('uses the sinkhole given, and rejects one that is not an IP', () => {
    expect(lines('hosts', INPUT.slice(0, 1), { sinkhole: '::' })[1]).toBe(':: pool.supportxmr.com');
    expect(() => exportIndicators(INPUT, 'hosts', { sinkhole: 'localhost' })).toThrow(/sinkhole/);
  });

  const nocoin = sharedTestdata('intel', 'nocoin', 'hosts.txt');
  it.skipIf(nocoin === null)('round-trips the real NoCoin hosts list', () => {
    const names = (nocoin ?? '')
      .split('\n')
      .filter((l) => l.startsWith('0.0.0.0 '))
      .map((l) => l.slice('0.0.0.0 '.length).trim());
    expect(names.length).toBeGreaterThan(300);
    const out = lines('hosts', names.map((n) => indicator('domain', n)));
    expect(out.slice(1, -1)).toEqual([...new Set(names)].map((n) => `0.0.0.0 ${n}`));
  });
});

describe('domains export', () => {
  it('writes bare domains, one per line, with no comment', () => {
    expect(lines('domains', INPUT)).toEqual(['pool.supportxmr.com', 'xn--mnchen-3ya.example', 'coinhive.com', '']);
  });

  it('writes nothing at all for a set with no domains', () => {
    expect([...exportIndicators([indicator('ip', '1.2.3.4')], 'domains', { now: NOW })]).toEqual([]);
  });
});
