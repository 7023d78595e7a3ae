/**
 * One contract, every parser (../shared/STYLE.md): whatever the input, a parser never throws,
 * terminates, and every item it yields is well-formed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INDICATOR_TYPES } from '../../model/indicator.ts';
import { createMaltrailParser, detectFormat, PARSERS, parserFor } from './index.ts';
import { fixture, testdata } from './parsers.test-util.ts';
import type { ConcreteFormat, FeedParser, ParseItem } from './types.ts';

const FORMATS: readonly ConcreteFormat[] = ['plain', 'hosts', 'adblock', 'rpz', 'csv', 'threatfox-json', 'misp', 'stix', 'otx', 'maltrail'];

/** A well-formed sample of each format, used as seed for the mutation properties. */
const SAMPLES: Record<ConcreteFormat, () => string> = {
  plain: () => 'pool.supportxmr.com\n# comment\n198.51.100.1\n203.0.113.0/24 ; net\n',
  hosts: () => testdata('intel/nocoin/hosts.txt').slice(0, 1500),
  adblock: () => testdata('intel/nocoin/nocoin.txt').slice(0, 1500),
  rpz: () => fixture('rpz-bind-style.zone'),
  csv: () => testdata('intel/abusech/feodotracker_ipblocklist_2024-04-04.csv'),
  'threatfox-json': () => fixture('threatfox-export.json'),
  misp: () => testdata('intel/misp/circl_event_57c4445b_xorist.json'),
  stix: () => testdata('intel/stix21/indicators-for-C2-with-COA.json'),
  otx: () => fixture('otx-pulse.json'),
  maltrail: () => testdata('intel/maltrail/m8220_miner.txt'),
};

function drain(parser: FeedParser, text: string): ParseItem[] {
  const items = [...parser.parse(text)];
  for (const item of items) {
    if (item.kind === 'indicator') {
      const i = item.indicator;
      expect(i.value.trim()).not.toBe('');
      expect(i.line).toBeGreaterThan(0);
      expect(Number.isInteger(i.line)).toBe(true);
      if (i.type !== undefined) expect(INDICATOR_TYPES).toContain(i.type);
      if (i.confidence !== undefined) expect(i.confidence).toBeGreaterThanOrEqual(0);
      if (i.confidence !== undefined) expect(i.confidence).toBeLessThanOrEqual(100);
      for (const t of [i.firstSeen, i.lastSeen, i.validUntil]) if (t !== undefined) expect(Number.isInteger(t)).toBe(true);
    } else {
      expect(item.line).toBeGreaterThan(0);
      if (item.kind === 'rejected') {
        expect(item.error).not.toBe('');
        expect(item.sample.length).toBeLessThanOrEqual(81); // clip(): 80 characters and an ellipsis
      } else {
        expect(item.reason).not.toBe('');
      }
    }
  }
  return items;
}

const textLike = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '(', ')', ';', '#', '|', '^', '$', '\n', ' ', "'", '\\', '.', 'a', '1'), { maxLength: 200 }).map((a) => a.join('')),
);

describe('every parser', () => {
  it('is registered once per concrete format', () => {
    expect(PARSERS.map((p) => p.format).sort()).toEqual([...FORMATS].sort());
    for (const f of FORMATS) expect(parserFor(f).format).toBe(f);
  });

  for (const parser of [...PARSERS, createMaltrailParser('crypto_mining.txt')]) {
    describe(parser.format, () => {
      it('has a one-line description', () => {
        expect(parser.description.length).toBeGreaterThan(10);
        expect(parser.description).not.toContain('\n');
      });

      it('yields nothing for empty and blank input', () => {
        for (const text of ['', '\n', '   \r\n\t\n']) expect(drain(parser, text)).toEqual([]);
      });

      it('never throws on random, binary or punctuation-heavy input', () => {
        fc.assert(fc.property(textLike, (text) => void drain(parser, text)), { numRuns: 300 });
      });

      it('never throws on a real sample truncated or mutated at random', () => {
        const sample = SAMPLES[parser.format]();
        const mutated = fc.tuple(fc.nat(sample.length), fc.nat(sample.length), fc.string({ maxLength: 20 })).map(
          ([a, b, insert]) => sample.slice(0, Math.min(a, b)) + insert + sample.slice(Math.max(a, b)),
        );
        fc.assert(fc.property(fc.oneof(fc.nat(sample.length).map((n) => sample.slice(0, n)), mutated), (text) => void drain(parser, text)), {
          numRuns: 150,
        });
      });

      it('sniffs a score in [0, 1] without throwing', () => {
        fc.assert(
          fc.property(textLike, fc.string({ maxLength: 40 }), (head, name) => {
            const s = parser.sniff(head, name);
            return s >= 0 && s <= 1;
          }),
          { numRuns: 200 },
        );
      });

      it('recognises its own sample better than any other parser does', () => {
        const name = parser.format === 'maltrail' ? 'm8220_miner.txt' : '';
        expect(detectFormat(SAMPLES[parser.format]().slice(0, 8192), name)).toBe(parser.format);
      });
    });
  }
});

describe('JSON formats', () => {
  it.each(['threatfox-json', 'misp', 'stix', 'otx'] as const)('%s: text that is not JSON is one rejected item at line 1', (format) => {
    const items = [...parserFor(format).parse('{"Event": {"Attribute": [ }')];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'rejected', line: 1 });
    expect(items[0]?.kind === 'rejected' && items[0].error).toMatch(/^invalid JSON/);
  });
});
