import { appendFileSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteLineSplitter, LineSplitter, readLines, type ByteLineChunk, type LineChunk } from './lines.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'lines-'));

/** A byte chunk's lines, decoded (copied out before the reader reuses its buffer). */
const decode = (c: ByteLineChunk): string[] => Array.from({ length: c.count }, (_, i) => c.buf.toString('utf8', c.starts[i], c.ends[i]));

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

  describe('bytes mode', () => {
    async function both(path: string, readBytes: number): Promise<{ strs: LineChunk[]; bytes: { chunk: ByteLineChunk; lines: string[] }[] }> {
      const strs = await all(readLines(path, { readBytes }));
      const bytes: { chunk: ByteLineChunk; lines: string[] }[] = [];
      for await (const c of readLines(path, { readBytes, bytes: true })) bytes.push({ chunk: c, lines: decode(c) });
      return { strs, bytes };
    }
    const content = 'first line\r\n{"a":"ü😄"}\n\n\r\nx\ry\r\n' + 'long'.repeat(40) + '\nlast without newline\r';
    const expected = ['first line', '{"a":"ü😄"}', '', '', 'x\ry', 'long'.repeat(40), 'last without newline'];

    for (const gz of [false, true]) {
      for (const readBytes of [1, 7, 64, 1 << 20]) {
        it(`gives the string mode's lines (${gz ? 'gzip' : 'plain'}, CRLF, lines split across reads of ${readBytes} bytes, last line without newline)`, async () => {
          const d = dir();
          const f = join(d, 'eve.json');
          writeFileSync(f, gz ? gzipSync(content) : content);
          const { strs, bytes } = await both(f, readBytes);
          expect(strs.flatMap((c) => c.lines)).toEqual(expected);
          expect(bytes.flatMap((b) => b.lines)).toEqual(expected);
          // Same numbering and start flags, chunk by chunk.
          for (const b of bytes) expect(b.chunk.count).toBe(b.chunk.starts.length);
          expect(bytes.map((b) => [b.chunk.file, b.chunk.line, b.chunk.start, b.lines.length])).toEqual(strs.map((c) => [c.file, c.line, c.start, c.lines.length]));
        });
      }
    }

    it('splits like LineSplitter, a UTF-8 character cut in two and an overlong line included', () => {
      const b = Buffer.from('a😄b\nc\r\nd\r');
      const s = new ByteLineSplitter();
      expect(s.push(b.subarray(0, 3))).toBeNull();
      expect(s.pending).toBe(3);
      const got = s.push(b.subarray(3))!;
      expect(Array.from({ length: got.count }, (_, i) => got.buf.toString('utf8', got.starts[i], got.ends[i]))).toEqual(['a😄b', 'c']);
      const last = s.flush()!;
      expect(last.buf.toString('utf8', last.starts[0], last.ends[0])).toBe('d');
      expect(s.flush()).toBeNull();
      // More lines than the splitter's initial arrays hold.
      const many = Array.from({ length: 5000 }, (_, i) => String(i));
      const m = new ByteLineSplitter().push(Buffer.from(many.join('\n') + '\n'))!;
      expect(Array.from({ length: m.count }, (_, i) => m.buf.toString('utf8', m.starts[i], m.ends[i]))).toEqual(many);
    });

    it('follows appended lines, a partial line and a rotation, as the string mode', async () => {
      const d = dir();
      const f = join(d, 'eve.json');
      writeFileSync(f, 'old\n');
      const ac = new AbortController();
      const iter = readLines(d, { follow: true, fromStart: true, bytes: true, signal: ac.signal, pollMs: 20 })[Symbol.asyncIterator]();
      const until = async (want: number): Promise<string[]> => {
        const got: string[] = [];
        const stop = Date.now() + 5000;
        while (got.length < want && Date.now() < stop) {
          const r = await iter.next();
          if (r.done === true) break;
          got.push(...decode(r.value));
        }
        return got;
      };
      expect(await until(1)).toEqual(['old']);
      appendFileSync(f, 'a1\r\na2\npart');
      expect(await until(2)).toEqual(['a1', 'a2']);
      appendFileSync(f, 'ial\n');
      expect(await until(1)).toEqual(['partial']);
      appendFileSync(f, 'last');
      renameSync(f, join(d, 'eve.2024-01-01.json'));
      writeFileSync(f, 'b1\n');
      expect(await until(2)).toEqual(['last', 'b1']);
      ac.abort();
      expect((await iter.next()).done).toBe(true);
    });
  });
});
