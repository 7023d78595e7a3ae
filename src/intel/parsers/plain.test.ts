import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';

describe('plain', () => {
  it('reads one value per line and drops comments, blank lines and inline comments', () => {
    const text = [
      '# Minewarden test list',
      '; semicolon comment',
      '// slash comment',
      '',
      'pool.supportxmr.com',
      '  moneroocean.stream   # the Monero pool',
      '198.51.100.7',
      '203.0.113.0/24 ; SBL000001',
      '2001:db8::1',
      'http://203.0.113.5/xmrig.tar.gz',
      'ccbc41d89e024a1c0e4dd7109b96475510e1d7ac2dd4976ade4d87fb8611be3b',
    ].join('\r\n');
    const r = parseAll(text, 'plain');
    expect(r.indicators.map((i) => [i.line, i.value])).toEqual([
      [5, 'pool.supportxmr.com'],
      [6, 'moneroocean.stream'],
      [7, '198.51.100.7'],
      [8, '203.0.113.0/24'],
      [9, '2001:db8::1'],
      [10, 'http://203.0.113.5/xmrig.tar.gz'],
      [11, 'ccbc41d89e024a1c0e4dd7109b96475510e1d7ac2dd4976ade4d87fb8611be3b'],
    ]);
    // The format does not say the type: the engine infers it.
    expect(r.indicators.every((i) => i.type === undefined)).toBe(true);
    expect(r.rejected).toEqual([]);
  });

  it('keeps a URL fragment, which has no whitespace before its #', () => {
    expect(parseAll('http://pool.example/#x\n', 'plain').indicators[0]?.value).toBe('http://pool.example/#x');
  });

  it('rejects clear garbage with its line and a clipped sample, and leaves validation to the engine', () => {
    const long = `x${'y'.repeat(9000)}.example`;
    const r = parseAll(`ok.example\nhello world\n${long}\nbin\u0001ary\n-lead.example\n`, 'plain');
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([
      [2, 'expected one value per line'],
      [3, 'value longer than 8192 characters'],
      [4, 'control character in value'],
    ]);
    expect(r.rejected[1]?.sample).toHaveLength(81);
    // Not clearly garbage to a parser: the engine's normaliser rejects it, with its line.
    expect(r.indicators.map((i) => [i.line, i.value])).toEqual([[1, 'ok.example'], [5, '-lead.example']]);
  });
});
