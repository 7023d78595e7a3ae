import { describe, expect, it } from 'vitest';
import { detectFormat, parseAll, parserFor, SNIFF_BYTES } from './index.ts';
import { fixture, testdata } from './parsers.test-util.ts';
import type { ConcreteFormat } from './types.ts';

const real: [string, () => string, ConcreteFormat][] = [
  ['hosts.txt', () => testdata('intel/nocoin/hosts.txt'), 'hosts'],
  ['nocoin.txt', () => testdata('intel/nocoin/nocoin.txt'), 'adblock'],
  ['feodotracker_ipblocklist_2024-04-04.csv', () => testdata('intel/abusech/feodotracker_ipblocklist_2024-04-04.csv'), 'csv'],
  ['urlhaus-recent.csv', () => fixture('urlhaus-recent.csv'), 'csv'],
  ['threatfox-recent.csv', () => fixture('threatfox-recent.csv'), 'csv'],
  ['crypto_mining.txt', () => testdata('intel/maltrail/crypto_mining.txt'), 'maltrail'],
  ['emotet.txt', () => testdata('intel/maltrail/emotet.txt'), 'maltrail'],
  ['circl_event_5a3c2fcd_sednit.json', () => testdata('intel/misp/circl_event_5a3c2fcd_sednit.json'), 'misp'],
  ['circl_event_57c4445b_xorist.json', () => testdata('intel/misp/circl_event_57c4445b_xorist.json'), 'misp'],
  ['manifest.json', () => fixture('misp-manifest.json'), 'misp'],
  ['poisonivy.json', () => testdata('intel/stix21/poisonivy.json'), 'stix'],
  ['indicator-for-c2-ip-address.json', () => testdata('intel/stix21/indicator-for-c2-ip-address.json'), 'stix'],
  ['infrastructure.json', () => testdata('intel/stix21/infrastructure.json'), 'stix'],
  ['full.json', () => fixture('threatfox-export.json'), 'threatfox-json'],
  ['api.json', () => fixture('threatfox-api.json'), 'threatfox-json'],
  ['subscribed.json', () => fixture('otx-subscribed.json'), 'otx'],
  ['pulse.json', () => fixture('otx-pulse.json'), 'otx'],
  ['rpz.example.net.zone', () => fixture('rpz-bind-style.zone'), 'rpz'],
];

describe('detectFormat', () => {
  it.each(real)('%s → %s', (name, text, format) => {
    expect(detectFormat(text().slice(0, SNIFF_BYTES), name)).toBe(format);
    // The content decides; the name only breaks near-ties.
    expect(detectFormat(text().slice(0, SNIFF_BYTES), '')).toBe(format);
  });

  it('falls back to plain', () => {
    expect(detectFormat('', '')).toBe('plain');
    expect(detectFormat('pool.supportxmr.com\nmoneroocean.stream\n198.51.100.1\n', 'list.txt')).toBe('plain');
    expect(detectFormat('\u0000\u0001binary', 'x.bin')).toBe('plain');
  });
});

describe('parseAll', () => {
  it('detects the format for auto and passes the file name to maltrail', () => {
    const r = parseAll(testdata('intel/maltrail/lemonduck_miner.txt'), 'auto', 'lemonduck_miner.txt');
    expect(r.indicators).toHaveLength(93);
    expect(r.indicators[0]).toMatchObject({ category: 'miner-malware', family: 'lemonduck' });
  });

  it('counts skipped items by reason and lists rejected ones', () => {
    const r = parseAll('||a.example^\n@@||b.example^\n@@||c.example^\n||bad host^\n', 'adblock');
    expect(r).toEqual({
      indicators: [{ value: 'a.example', line: 1 }],
      rejected: [{ line: 4, error: 'whitespace in value', sample: 'bad host' }],
      skipped: 2,
      skippedReasons: { 'exception rule (@@)': 2 },
    });
  });

  it('parses lazily: the first item comes without reading the whole text', () => {
    const big = 'a.example\n'.repeat(200_000);
    const it = parserFor('plain').parse(big)[Symbol.iterator]();
    expect(it.next().value).toEqual({ kind: 'indicator', indicator: { value: 'a.example', line: 1 } });
  });
});
