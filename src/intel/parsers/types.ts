/**
 * The contract every feed parser implements. A parser turns the text of one feed into a stream
 * of items; the intel engine normalises, guards and stores what comes out. Parsers are
 * generators so that the caller can consume a million-line feed in time slices and never
 * block the event loop (the DNS gateway shares it).
 */
import type { FeedFormat, RawIndicator } from '../../model/indicator.ts';

export type ParseItem =
  /** An indicator as the feed wrote it (value not yet normalised). */
  | { kind: 'indicator'; indicator: RawIndicator }
  /** A line or record that is malformed: counted, reported with its position and a short sample, skipped. */
  | { kind: 'rejected'; line: number; error: string; sample: string }
  /** A well-formed record this product does not use (e.g. a STIX pattern on a registry key): counted, skipped. */
  | { kind: 'skipped'; line: number; reason: string };

export type ConcreteFormat = Exclude<FeedFormat, 'auto'>;

export interface FeedParser {
  readonly format: ConcreteFormat;
  /** One line for `intel import --help` and the README. */
  readonly description: string;
  /**
   * How sure this parser is that the text is in its format, 0–1, from the first few KB and the
   * file name (may be ''). Used by format auto-detection; the highest score wins.
   */
  sniff(head: string, fileName: string): number;
  parse(text: string): Iterable<ParseItem>;
}
