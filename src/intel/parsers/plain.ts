/**
 * `plain`: one domain, IP, CIDR, URL or hash per line, as most blocklists publish them.
 * Comments start with `#`, `;`, `//` or `!`; an inline comment follows whitespace and `#` or `;`
 * (Spamhaus DROP writes `1.10.16.0/20 ; SBL256894`).
 */
import type { FeedParser, ParseItem } from './types.ts';
import { indicatorItem, lines, rejected } from './util.ts';

const FULL_COMMENT = /^(#|;|\/\/|!)/;
const INLINE_COMMENT = /\s+[#;].*$/;

/** The value of one line, '' for blank and comment lines. */
export function plainValue(line: string): string {
  const s = line.trim();
  if (s === '' || FULL_COMMENT.test(s)) return '';
  return s.replace(INLINE_COMMENT, '').trim();
}

function* parse(text: string): Generator<ParseItem> {
  for (const [no, line] of lines(text)) {
    const value = plainValue(line);
    if (value === '') continue;
    if (/\s/.test(value)) {
      yield rejected(no, 'expected one value per line', line);
      continue;
    }
    yield indicatorItem(value, no);
  }
}

function sniff(head: string, fileName: string): number {
  let values = 0;
  let good = 0;
  for (const [, line] of lines(head)) {
    const v = plainValue(line);
    if (v === '') continue;
    values++;
    if (!/\s/.test(v) && /^[\w.:/[\]*%?=&~+@-]+$/.test(v)) good++;
  }
  const byName = /\.(txt|list|lst)$/i.test(fileName) ? 0.05 : 0;
  // Deliberately modest: almost anything looks like a list of words; other formats outbid this.
  return values === 0 ? 0.05 + byName : 0.3 * (good / values) + byName;
}

export const plainParser: FeedParser = {
  format: 'plain',
  description: 'One domain, IP, CIDR, URL or hash per line; # ; // ! comments',
  sniff,
  parse,
};
