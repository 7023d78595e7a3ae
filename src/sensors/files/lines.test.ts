import { appendFileSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LineSplitter, readLines, type LineChunk } from './lines.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'lines-'));

async function all(it: AsyncIterable<LineChunk>): Promise<LineChunk[]> {
  const out: LineChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** Pull chunks until `want` lines have come (or 5 s pass). */
async function until(iter: AsyncIterator<LineChunk>, want: number): Promise<string[]> {
  const got: string[] = [];
  const stop = Date.now() + 5000;
  while (got.length < want && Date.now() < stop) {
    const r = await iter.next();
    if (r.done === true) break;
    got.push(...r.value.lines);
  }
  return got;
}

describe('readLines', () => {
  it('splits lines across reads, a UTF-8 character cut in two included', () => {
    const s = new LineSplitter();
    const b = Buffer.from('a😄b\nc\r\nd');
    expect(s.push(b.subarray(0, 3))).toEqual([]);
    expect(s.push(b.subarray(3))).toEqual(['a😄b', 'c']);
    expect(s.flush()).toBe('d');
  });

  it('reads a directory oldest first, gzip told by magic bytes, with file and line numbers', async () => {
    const d = dir();
    writeFileSync(join(d, 'conn.2024-01-01-00-00-00.log.gz'), gzipSync('old1\nold2\n'));
    writeFileSync(join(d, 'conn.log'), 'new1\nnew2\nnew3');
    writeFileSync(join(d, 'notes.txt'), 'ignored\n');
    utimesSync(join(d, 'conn.2024-01-01-00-00-00.log.gz'), 1, 1);
    const chunks = await all(readLines(d, { readBytes: 8 }));
    expect(chunks.flatMap((c) => c.lines)).toEqual(['old1', 'old2', 'new1', 'new2', 'new3']);
    const last = chunks.at(-1)!;
    expect(last.file).toBe(join(d, 'conn.log'));
    expect(last.line + last.lines.length - 1).toBe(3);
    expect(chunks.filter((c) => c.start).map((c) => c.file)).toEqual([join(d, 'conn.2024-01-01-00-00-00.log.gz'), join(d, 'conn.log')]);
  });

  it('reports an unreadable path through onError and reads on', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.log'), 'x\n');
    const errs: string[] = [];
    const chunks = await all(readLines([join(d, 'missing.log'), join(d, 'a.log')], { onError: (f) => errs.push(f) }));
    expect(errs).toEqual([join(d, 'missing.log')]);
    expect(chunks.flatMap((c) => c.lines)).toEqual(['x']);
  });

  it('follows appended lines, a rotated (renamed and recreated) file and a truncated one', async () => {
    const d = dir();
    const f = join(d, 'conn.log');
    writeFileSync(f, '#header\nold\n');
    const ac = new AbortController();
    const positions = new Map();
    const iter = readLines(d, { follow: true, signal: ac.signal, pollMs: 20, positions, isHeader: (l) => l.startsWith('#') })[Symbol.asyncIterator]();
    // Started at the end (tail -F): only the header is given, for the parser.
    expect(await until(iter, 1)).toEqual(['#header']);
    appendFileSync(f, 'a1\na2\npart');
    expect(await until(iter, 2)).toEqual(['a1', 'a2']);
    appendFileSync(f, 'ial\n');
    expect(await until(iter, 1)).toEqual(['partial']);
    // Rotation: the last line written before the rename is still read, the rotated name is not re-read.
    appendFileSync(f, 'last\n');
    renameSync(f, join(d, 'conn.2024-01-01-00-00-00.log'));
    writeFileSync(f, '#header\nb1\n');
    expect(await until(iter, 3)).toEqual(['last', '#header', 'b1']);
    writeFileSync(f, 'c1\n'); // truncated and rewritten: shorter than what was read
    expect(await until(iter, 1)).toEqual(['c1']);
    ac.abort();
    expect((await iter.next()).done).toBe(true);
    // Kept once the consumer asked for more: a restart resumes after c1.
    expect(positions.get(f)).toMatchObject({ offset: 3, line: 2 });
  });
});
