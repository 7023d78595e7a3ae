import { describe, expect, it } from 'vitest';
import { parseAll } from './index.ts';
import { testdata } from './parsers.test-util.ts';

describe('adblock', () => {
  it('takes the host rules of the NoCoin filter list and counts the rest as skipped', () => {
    const r = parseAll(testdata('intel/nocoin/nocoin.txt'), 'adblock');
    // Checked with grep: 198 `||host` rules (with or without ^ and options, no wildcard) and
    // 5 `||host/path` rules; 9 wildcard, 8 @@ exception, 97 other (92 pattern + 5 regex) rules.
    expect(r.indicators).toHaveLength(203);
    expect(r.indicators.filter((i) => i.type === 'url').map((i) => i.value)).toEqual([
      'cryptobara.com/client/worker.js',
      'shrink-service.it/js/cM.js',
      'sleeptimer.org/playerc.js',
      'cinemafacil.com/js.php',
      'shush.se/loader/load.js',
    ]);
    expect(r.skippedReasons).toEqual({
      'wildcard pattern': 9,
      'exception rule (@@)': 8,
      'pattern rule (not host-anchored)': 92,
      'regex rule': 5,
    });
    expect(r.rejected).toEqual([]);
    const values = r.indicators.map((i) => i.value);
    expect(r.indicators[0]).toEqual({ value: '23.83.114.131', line: 13 });
    for (const v of ['2miners.com', 'coinimp.com', 'freecontent.date', 'minexmr.com', 'authedwebmine.cz']) expect(values).toContain(v);
    // ||ddns.net^*=ws:// blocks some URLs on a dynamic DNS provider, not the provider.
    expect(values).not.toContain('ddns.net');
    expect(values).not.toContain('api.nyda.pro'); // @@ exception
  });

  it('handles the rule shapes one by one', () => {
    const text = [
      '[Adblock Plus 2.0]',
      '! comment',
      '||miner.example^',
      '||miner2.example^$third-party,websocket',
      '||198.51.100.9:3333^',
      '||pool.example/stratum/login^$websocket',
      '|https://203.0.113.5/coinhive.min.js|',
      '@@||good.example^',
      'example.org##.miner-banner',
      'example.org#@#.ad',
      '||cdn.example^*/miner.js',
      '||*.miner.example^',
      '/coinhive.min.js',
      '/^wss?:\\/\\/[a-z]+\\.pool\\./$websocket',
      '||bad host.example^',
    ].join('\n');
    const r = parseAll(text, 'adblock');
    expect(r.indicators).toEqual([
      { value: 'miner.example', line: 3 },
      { value: 'miner2.example', line: 4 },
      { value: '198.51.100.9:3333', line: 5, type: 'ip:port' },
      { value: 'pool.example/stratum/login', line: 6, type: 'url' },
      { value: 'https://203.0.113.5/coinhive.min.js', line: 7, type: 'url' },
    ]);
    expect(r.skippedReasons).toEqual({
      'exception rule (@@)': 1,
      'cosmetic rule': 2,
      'wildcard pattern': 2,
      'pattern rule (not host-anchored)': 1,
      'regex rule': 1,
    });
    expect(r.rejected.map((x) => x.line)).toEqual([15]);
  });
});
