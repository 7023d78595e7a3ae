/**
 * `tail -F` for line files: each followed file stays open and is read from where it was left,
 * by polling (fs.watch misses events on network file systems and bind mounts, and a stat per file
 * every 250 ms costs nothing). A file renamed away is drained through the handle still open before
 * it is let go, so lines written just before a rotation are not lost; a file replaced at its path
 * or truncated is read again from its start.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expand, isGzip, LOG_FILE, readFile, report, type LineMode, type ReadLinesOptions, type Splitter } from './read.ts';

interface Tail<P> {
  path: string;
  fh: FileHandle;
  ino: number;
  /** Bytes read so far (the splitter may hold the last few, an incomplete line). */
  offset: number;
  line: number;
  start: boolean;
  split: Splitter<P>;
}

/** Inodes of files let go, so the same file renamed into a followed directory is not read twice. */
const RETIRED_KEEP = 256;

export async function* followLines<P, C>(paths: readonly string[], opts: ReadLinesOptions, mode: LineMode<P, C>): AsyncGenerator<C> {
  const tails = new Map<string, Tail<P>>();
  /** Directory entries never opened: gzip archives, and followed files renamed on rotation. */
  const known = new Set<string>();
  const retired: number[] = [];
  const buf = Buffer.allocUnsafe(opts.readBytes ?? 1 << 20);
  let first = true;

  const drain = async function* (t: Tail<P>): AsyncGenerator<C> {
    for (;;) {
      if (opts.signal?.aborted === true) return;
      const { bytesRead } = await t.fh.read(buf, 0, buf.length, t.offset);
      if (bytesRead === 0) return;
      t.offset += bytesRead;
      const lines = t.split.push(buf.subarray(0, bytesRead));
      if (lines !== null) yield* give(t, lines);
    }
  };
  const give = function* (t: Tail<P>, lines: P): Generator<C> {
    const chunk = mode.chunk(t.path, t.line, t.start, lines);
    t.line += mode.size(lines);
    t.start = false;
    yield chunk;
    // Kept only once the consumer has asked for more, so a saved position never skips a chunk.
    opts.positions?.set(t.path, { ino: t.ino, offset: t.offset - t.split.pending, line: t.line });
  };
  const letGo = async function* (t: Tail<P>): AsyncGenerator<C> {
    const last = t.split.flush();
    if (last !== null) yield* give(t, last);
    await t.fh.close();
    tails.delete(t.path);
    retired.push(t.ino);
    if (retired.length > RETIRED_KEEP) retired.shift();
  };

  try {
    while (opts.signal?.aborted !== true) {
      let changed = false;
      for (const f of await candidates(paths, first, known, tails)) {
        const st = await stat(f).catch(() => null);
        if (st === null || !st.isFile()) continue;
        if (retired.includes(st.ino) || [...tails.values()].some((t) => t.ino === st.ino)) {
          known.add(f); // a followed file renamed by rotation: already read through its open handle
          continue;
        }
        if (await isGzip(f).catch(() => false)) {
          // An archive present at start is history (read when fromStart); one appearing later is
          // a compressed copy of a log already followed.
          known.add(f);
          if (first && opts.fromStart === true) {
            try {
              yield* readFile(f, opts, mode);
            } catch (e) {
              report(opts, f, e);
            }
          }
          continue;
        }
        const fh = await open(f, 'r').catch(() => null);
        if (fh === null) continue;
        const t: Tail<P> = { path: f, fh, ino: st.ino, offset: 0, line: 1, start: true, split: mode.splitter() };
        tails.set(f, t);
        changed = true;
        const saved = opts.positions?.get(f);
        if (saved !== undefined && saved.ino === st.ino && saved.offset <= st.size) {
          t.offset = saved.offset;
          t.line = saved.line;
        } else if (first && opts.fromStart !== true) {
          t.offset = st.size;
        }
        if (t.offset > 0) {
          const header = await readHeader(fh, opts.isHeader, mode);
          if (header !== null) yield mode.chunk(f, 1, true, header);
          t.start = false;
        }
      }
      first = false;
      for (const t of [...tails.values()]) {
        const before = t.offset;
        yield* drain(t);
        if (t.offset !== before) changed = true;
        const st = await stat(t.path).catch(() => null);
        if (st === null || st.ino !== t.ino) {
          yield* letGo(t); // renamed, removed or replaced: the new file (if any) is opened next round
          changed = true;
        } else if (st.size < t.offset) {
          t.offset = 0; // truncated: its content is new
          t.line = 1;
          t.start = true;
          t.split = mode.splitter();
          changed = true;
        }
      }
      if (!changed) await sleep(opts.pollMs ?? 250, opts.signal);
    }
  } finally {
    for (const t of tails.values()) await t.fh.close().catch(() => undefined);
  }
}

/** Files to look at this round: configured files, and the new entries of configured directories. */
async function candidates<P>(paths: readonly string[], first: boolean, known: Set<string>, tails: Map<string, Tail<P>>): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => null);
    if (st === null || !st.isDirectory()) {
      if (!tails.has(p)) out.push(p);
      continue;
    }
    // Oldest first on the first round (expand sorts by mtime); later, only names not seen before.
    const names = first ? await expand(p).catch(() => []) : (await readdir(p).catch(() => [])).filter((n) => LOG_FILE.test(n)).map((n) => join(p, n));
    for (const f of names) if (!tails.has(f) && !known.has(f)) out.push(f);
  }
  return out;
}

/** The leading header lines of a file (up to 64 KiB), read when reading starts past them. */
async function readHeader<P, C>(fh: FileHandle, isHeader: ((line: string) => boolean) | undefined, mode: LineMode<P, C>): Promise<P | null> {
  if (isHeader === undefined) return null;
  const b = Buffer.allocUnsafe(64 * 1024);
  const { bytesRead } = await fh.read(b, 0, b.length, 0);
  const lines = mode.splitter().push(b.subarray(0, bytesRead));
  return lines === null ? null : mode.header(lines, isHeader);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
