/**
 * Picks the parser for a source: the named format, or the best sniff of the first 8 KB and the
 * file name. maltrail parsers take their category and family from the trail file's name.
 */
import { basename } from 'node:path';
import type { FeedFormat } from '../model/indicator.ts';
import { createMaltrailParser, detectFormat, parserFor } from './parsers/index.ts';
import type { FeedParser } from './parsers/types.ts';

export function resolveParser(format: FeedFormat, fileName: string, text = ''): FeedParser {
  const name = fileName === '' ? '' : basename(fileName.split(/[?#]/)[0] ?? fileName);
  const concrete = format === 'auto' ? detectFormat(text.slice(0, 8192), name) : format;
  return concrete === 'maltrail' ? createMaltrailParser(name) : parserFor(concrete);
}
