/**
 * The feed parsers' front door: the registry, format detection, and parseAll() for tests and
 * small inputs (the intel engine consumes parse() lazily instead, in time slices).
 */
import type { FeedFormat, RawIndicator } from '../../model/indicator.ts';
import { adblockParser } from './adblock.ts';
import { csvParser } from './csv.ts';
import { hostsParser } from './hosts.ts';
import { createMaltrailParser, maltrailParser } from './maltrail.ts';
import { mispParser } from './misp.ts';
import { otxParser } from './otx.ts';
import { plainParser } from './plain.ts';
import { rpzParser } from './rpz.ts';
import { stixParser } from './stix.ts';
import { threatfoxJsonParser } from './threatfox-json.ts';
import type { ConcreteFormat, FeedParser } from './types.ts';

export type { ConcreteFormat, FeedParser, ParseItem } from './types.ts';
export { createMaltrailParser, maltrailHints } from './maltrail.ts';
export type { MaltrailHints } from './maltrail.ts';
export { parseMispManifest } from './misp.ts';
export { decodeRpzIp, encodeRpzIp } from './rpz-ip.ts';

export const PARSERS: readonly FeedParser[] = Object.freeze([
  plainParser,
  hostsParser,
  adblockParser,
  rpzParser,
  csvParser,
  threatfoxJsonParser,
  mispParser,
  stixParser,
  otxParser,
  maltrailParser,
]);

const BY_FORMAT = new Map<ConcreteFormat, FeedParser>(PARSERS.map((p) => [p.format, p]));

export function parserFor(format: ConcreteFormat): FeedParser {
  const p = BY_FORMAT.get(format);
  // Unreachable while PARSERS covers ConcreteFormat (the contract test checks it).
  if (p === undefined) throw new Error(`no parser for format ${format}`);
  return p;
}

/** Below this, no parser is sure enough and the text is read as a plain list. */
const MIN_SCORE = 0.2;

/** The format whose parser is surest about `head` (the first few KB) and the file name; plain if none is. */
export function detectFormat(head: string, fileName: string): ConcreteFormat {
  let best: ConcreteFormat = 'plain';
  let bestScore = MIN_SCORE;
  for (const p of PARSERS) {
    let score = 0;
    try {
      score = p.sniff(head, fileName);
    } catch {
      score = 0; // a sniffer that fails on odd input simply does not claim it
    }
    if (score > bestScore) {
      best = p.format;
      bestScore = score;
    }
  }
  return best;
}

export interface ParseAllResult {
  indicators: RawIndicator[];
  rejected: { line: number; error: string; sample: string }[];
  skipped: number;
  skippedReasons: Record<string, number>;
}

/** How much of the text format detection looks at. */
export const SNIFF_BYTES = 8192;

/**
 * Parses a whole text at once. `fileName` feeds detection for format 'auto' and gives a
 * maltrail file its family and category.
 */
export function parseAll(text: string, format: FeedFormat, fileName = ''): ParseAllResult {
  const concrete = format === 'auto' ? detectFormat(text.slice(0, SNIFF_BYTES), fileName) : format;
  const parser = concrete === 'maltrail' && fileName !== '' ? createMaltrailParser(fileName) : parserFor(concrete);
  const out: ParseAllResult = { indicators: [], rejected: [], skipped: 0, skippedReasons: {} };
  for (const item of parser.parse(text)) {
    switch (item.kind) {
      case 'indicator':
        out.indicators.push(item.indicator);
        break;
      case 'rejected':
        out.rejected.push({ line: item.line, error: item.error, sample: item.sample });
        break;
      case 'skipped':
        out.skipped++;
        out.skippedReasons[item.reason] = (out.skippedReasons[item.reason] ?? 0) + 1;
        break;
    }
  }
  return out;
}

export {
  adblockParser, csvParser, hostsParser, maltrailParser, mispParser, otxParser, plainParser, rpzParser, stixParser,
  threatfoxJsonParser,
};
