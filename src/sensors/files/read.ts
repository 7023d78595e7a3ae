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
  /** A file that cannot be read (missing, bad gzip): reported, and the others are read on. Default: thrown. */
  onError?: (file: string, err: Error) => void;
}

/** Names in a directory that are read: Zeek's and Suricata's logs, live and rotated. */
export const LOG_FILE = /\.(log|json)(\.gz)?$/;

/** A line longer than this (no newline in 16 MiB) is cut and passed on; the consumer will reject it. */
const MAX_LINE = 16 * 1024 * 1024;

export async function* readOnce(paths: readonly string[], opts: ReadLinesOptions): AsyncGenerator<LineChunk> {
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
        yield* readFile(f, opts);
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
export async function* readFile(file: string, opts: ReadLinesOptions): AsyncGenerator<LineChunk> {
  const split = new LineSplitter();
  let line = 1;
  let start = true;
  const emit = (lines: string[]): LineChunk => {
    const chunk = { file, line, lines, start };
    line += lines.length;
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
      if (lines.length > 0) yield emit(lines);
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
        if (lines.length > 0) yield emit(lines);
      }
    } finally {
      await fh.close();
    }
  }
  const last = split.flush();
  if (last !== null) yield emit([last]);
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
