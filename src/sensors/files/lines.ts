/**
 * Line files read fast, for every sensor that reads what another tool writes (Zeek logs, Suricata
 * EVE): plain or gzip (told by the magic bytes 1f 8b, not the name), a file or a directory of them,
 * read once or followed like `tail -F` (follow.ts). Lines come in chunks, one per read of about a
 * MiB, so a consumer paces itself between chunks (`await output.drained()`) and a multi-GB file is
 * never held in memory: the generator reads on only when the consumer asks for the next chunk.
 */
import { followLines } from './follow.ts';
import { BYTE_LINES, readOnce, STRING_LINES, type ByteLineChunk, type LineChunk, type ReadLinesOptions } from './read.ts';

export { ByteLineSplitter, isGzip, LineSplitter, LOG_FILE, type ByteLineChunk, type ByteLines, type FilePosition, type LineChunk, type ReadLinesOptions } from './read.ts';

/**
 * Read the lines of `paths` (files or directories). A directory gives every `*.log`, `*.json`
 * (and `.gz`) in it, rotated ones included, oldest (by mtime) first. With `bytes: true` the lines
 * come as byte ranges of the read buffer (ByteLineChunk), with no string made for them.
 */
export function readLines(paths: string | readonly string[], opts: ReadLinesOptions & { bytes: true }): AsyncGenerator<ByteLineChunk>;
export function readLines(paths: string | readonly string[], opts?: ReadLinesOptions & { bytes?: false }): AsyncGenerator<LineChunk>;
export function readLines(paths: string | readonly string[], opts: ReadLinesOptions = {}): AsyncGenerator<LineChunk> | AsyncGenerator<ByteLineChunk> {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (opts.bytes === true) return opts.follow === true ? followLines(list, opts, BYTE_LINES) : readOnce(list, opts, BYTE_LINES);
  return opts.follow === true ? followLines(list, opts, STRING_LINES) : readOnce(list, opts, STRING_LINES);
}
