/**
 * Reading line files once (plain or gzip), the line splitter, and the types of lines.ts.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';

/** Lines of one file, in order. */
export interface LineChunk {
  /** The file the lines came from (inside a directory: that file's path). */
  file: string;
  /**
   * 1-based number of lines[0] in the file. When a follow starts at a file's end (or at a
   * remembered offset without its line) the count starts there: it is then relative.
   */
  line: number;
  lines: string[];
  /**
   * True on the first chunk read from a file's start (a new, replaced or truncated file): state a
   * consumer keeps per file, such as a Zeek header, starts over.
   */
  start: boolean;
}

/**
 * Lines of one file as byte ranges of one buffer (ReadLinesOptions.bytes): no JS string is made
 * for them. Line i is buf[starts[i], ends[i]) without its newline (nor the CR of a CRLF). The
 * buffer may be the reader's own, reused for the next read: it is valid only until the consumer
 * asks for the next chunk.
 */
export interface ByteLineChunk {
  file: string;
  /** As LineChunk.line: 1-based number of the first line in the file. */
  line: number;
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  /** Number of lines (= starts.length = ends.length). */
  count: number;
  /** As LineChunk.start. */
  start: boolean;
}

/** Lines found in bytes: the part of a chunk the splitter gives (strings, or byte ranges). */
export interface ByteLines {
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** Bytes → lines of one kind, keeping an incomplete last line for the next push. */
export interface Splitter<P> {
  /** The complete lines so far, or null when there is none. */
  push(chunk: Buffer): P | null;
  flush(): P | null;
  readonly pending: number;
}

/** How a reader gives lines: as strings (LineChunk) or as byte ranges (ByteLineChunk). */
export interface LineMode<P, C> {
  splitter(): Splitter<P>;
  size(p: P): number;
  chunk(file: string, line: number, start: boolean, p: P): C;
  /** The leading lines of p for which isHeader holds (null when none), copied out of any reused buffer. */
  header(p: P, isHeader: (line: string) => boolean): P | null;
}

export const STRING_LINES: LineMode<string[], LineChunk> = {
  splitter: () => {
    const s = new LineSplitter();
    return {
      push: (b) => {
        const l = s.push(b);
        return l.length > 0 ? l : null;
      },
      flush: () => {
        const l = s.flush();
        return l === null ? null : [l];
      },
      get pending() {
        return s.pending;
      },
    };
  },
  size: (p) => p.length,
  chunk: (file, line, start, lines) => ({ file, line, lines, start }),
  header: (p, isHeader) => {
    let n = 0;
    while (n < p.length && isHeader(p[n]!)) n++;
    return n > 0 ? p.slice(0, n) : null;
  },
};

export const BYTE_LINES: LineMode<ByteLines, ByteLineChunk> = {
  splitter: () => new ByteLineSplitter(),
  size: (p) => p.count,
  chunk: (file, line, start, p) => ({ file, line, buf: p.buf, starts: p.starts, ends: p.ends, count: p.count, start }),
  header: (p, isHeader) => {
    let n = 0;
    while (n < p.count && isHeader(p.buf.toString('utf8', p.starts[n], p.ends[n]))) n++;
    return n > 0 ? { buf: Buffer.from(p.buf), starts: p.starts.slice(0, n), ends: p.ends.slice(0, n), count: n } : null;
  },
};

/** Where a followed file was read up to; kept in ReadLinesOptions.positions. */
export interface FilePosition {
  ino: number;
  offset: number;
  line: number;
}

export interface ReadLinesOptions {
  /** Follow like `tail -F`: wait for appended lines, reopen a file replaced, renamed or truncated. */
  follow?: boolean;
  /** Aborting ends the iteration (between reads and while waiting). */
  signal?: AbortSignal;
  /**
   * Follow only: read what the files already hold before waiting for more (default false, as
   * `tail -F`; a file with a remembered position resumes there either way). Reading once always
   * starts at the start.
   */
  fromStart?: boolean;
  /** Follow only: how often files are checked, ms (default 250). */
  pollMs?: number;
  /** Bytes per read (default 1 MiB): about the size of a chunk. */
  readBytes?: number;
  /**
   * Follow only: path → position, read at start (resume) and kept up to date after the consumer
   * has taken each chunk, so a caller may persist it and pass it back after a restart.
   */
  positions?: Map<string, FilePosition>;
  /**
   * Lines that make up a file's header (Zeek's `#…` lines): when reading starts past a file's
   * start, its leading header lines are read and yielded first (with start = true), so a parser
   * that needs them still gets them.
   */
  isHeader?: (line: string) => boolean;
  /**
   * Give lines as byte ranges of the read buffer (ByteLineChunk) instead of strings (readLines'
   * overloads): for consumers that parse bytes (the EVE flow fast path).
   */
  bytes?: boolean;
  /** A file that cannot be read (missing, bad gzip): reported, and the others are read on. Default: thrown. */
  onError?: (file: string, err: Error) => void;
}

/** Names in a directory that are read: Zeek's and Suricata's logs, live and rotated. */
export const LOG_FILE = /\.(log|json)(\.gz)?$/;

/** A line longer than this (no newline in 16 MiB) is cut and passed on; the consumer will reject it. */
const MAX_LINE = 16 * 1024 * 1024;

export async function* readOnce<P, C>(paths: readonly string[], opts: ReadLinesOptions, mode: LineMode<P, C>): AsyncGenerator<C> {
  for (const p of paths) {
    let files: string[];
    try {
      files = await expand(p);
    } catch (e) {
      report(opts, p, e);
      continue;
    }
    for (const f of files) {
      if (opts.signal?.aborted === true) return;
      try {
        yield* readFile(f, opts, mode);
      } catch (e) {
        report(opts, f, e);
      }
    }
  }
}

export function report(opts: ReadLinesOptions, file: string, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  if (opts.onError === undefined) throw err;
  opts.onError(file, err);
}

/** A path → the files it stands for: itself, or a directory's log files oldest first. */
export async function expand(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => LOG_FILE.test(n));
  const withTime = await Promise.all(names.map(async (n) => ({ f: join(path, n), t: (await stat(join(path, n))).mtimeMs })));
  // Rotated names (conn.2024-01-01-00-00-00.log.gz) sort by their time too, so the name breaks ties.
  withTime.sort((a, b) => a.t - b.t || (basename(a.f) < basename(b.f) ? -1 : 1));
  return withTime.map((x) => x.f);
}

/** True when the file starts with gzip's magic bytes (RFC 1952 §2.3.1). */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** One whole file, plain or gzip, from its start. */
export async function* readFile<P, C>(file: string, opts: ReadLinesOptions, mode: LineMode<P, C>): AsyncGenerator<C> {
  const split = mode.splitter();
  let line = 1;
  let start = true;
  const emit = (lines: P): C => {
    const chunk = mode.chunk(file, line, start, lines);
    line += mode.size(lines);
    start = false;
    return chunk;
  };
  if (await isGzip(file)) {
    const stream = createReadStream(file, { highWaterMark: opts.readBytes ?? 1 << 20 }).pipe(createGunzip({ chunkSize: Math.max(64, opts.readBytes ?? 1 << 20) }));
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted === true) {
        stream.destroy();
        return;
      }
      const lines = split.push(buf);
      if (lines !== null) yield emit(lines);
    }
  } else {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(opts.readBytes ?? 1 << 20);
      let pos = 0;
      for (;;) {
        if (opts.signal?.aborted === true) return;
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const lines = split.push(buf.subarray(0, bytesRead));
        if (lines !== null) yield emit(lines);
      }
    } finally {
      await fh.close();
    }
  }
  const last = split.flush();
  if (last !== null) yield emit(last);
}

/**
 * Bytes → complete lines. An incomplete last line is kept as bytes (a UTF-8 character may be cut
 * between reads) and copied, because the caller reuses its read buffer.
 */
export class LineSplitter {
  private rest: Buffer | null = null;

  push(chunk: Buffer): string[] {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    const nl = buf.lastIndexOf(10);
    if (nl < 0) {
      this.rest = Buffer.from(buf);
      if (this.rest.length > MAX_LINE) return [this.take()];
      return [];
    }
    this.rest = nl + 1 < buf.length ? Buffer.from(buf.subarray(nl + 1)) : null;
    return toLines(buf.toString('utf8', 0, nl));
  }

  /** Bytes after the last newline, if any (the last line of a file without a final newline). */
  flush(): string | null {
    return this.rest === null || this.rest.length === 0 ? ((this.rest = null), null) : this.take();
  }

  /** Bytes held but not yet passed on. */
  get pending(): number {
    return this.rest?.length ?? 0;
  }

  private take(): string {
    const s = toLines(this.rest!.toString('utf8'))[0]!;
    this.rest = null;
    return s;
  }
}

/**
 * Bytes → complete lines as byte ranges, as LineSplitter does with strings (same lines: a CR before
 * the newline dropped, a line cut at MAX_LINE). The ranges are of the chunk pushed (or of a copy
 * when an incomplete line was held): valid until the next push, as the caller reuses its buffer.
 */
export class ByteLineSplitter implements Splitter<ByteLines> {
  private rest: Buffer | null = null;
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);

  push(chunk: Buffer): ByteLines | null {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    const nl = buf.lastIndexOf(10);
    if (nl < 0) {
      this.rest = Buffer.from(buf);
      if (this.rest.length > MAX_LINE) return this.flush();
      return null;
    }
    this.rest = nl + 1 < buf.length ? Buffer.from(buf.subarray(nl + 1)) : null;
    let n = 0;
    let from = 0;
    for (;;) {
      const e = buf.indexOf(10, from);
      if (n === this.starts.length) this.grow();
      this.starts[n] = from;
      this.ends[n] = e > from && buf[e - 1] === 13 ? e - 1 : e;
      n++;
      if (e === nl) break;
      from = e + 1;
    }
    // Copies, so the consumer may keep them while the splitter's arrays are reused.
    return { buf, starts: this.starts.slice(0, n), ends: this.ends.slice(0, n), count: n };
  }

  /** Bytes after the last newline, if any (the last line of a file without a final newline). */
  flush(): ByteLines | null {
    const r = this.rest;
    this.rest = null;
    if (r === null || r.length === 0) return null;
    const end = r[r.length - 1] === 13 ? r.length - 1 : r.length;
    return { buf: r, starts: Int32Array.of(0), ends: Int32Array.of(end), count: 1 };
  }

  get pending(): number {
    return this.rest?.length ?? 0;
  }

  private grow(): void {
    const s = new Int32Array(this.starts.length * 2);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(this.ends.length * 2);
    e.set(this.ends);
    this.ends = e;
  }
}

function toLines(text: string): string[] {
  const lines = text.split('\n');
  // CRLF files (EVE written on Windows, hand-edited logs): checked once per chunk, not per line.
  if (text.includes('\r')) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
  }
  return lines;
}
