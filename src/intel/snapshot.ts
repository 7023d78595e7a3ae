/**
 * The matchable set on disk, so that a restart is ready in about a second instead of scanning
 * a million rows out of the store (measured: the DuckDB scan alone takes 1.3–2.8 s for 1M rows).
 * The store stays the source of truth: a snapshot is used only when its store revision and decay
 * policy equal the current ones, and any doubt (missing, short, corrupt) means "rebuild from the
 * store".
 *
 * Layout (little-endian): records, then a JSON footer, then u32 footer length and magic "MWS1".
 *   record = u8 type · u32 category · u32 family · u32 source · u8 confidence · f64 expiresAt ·
 *            u16 length · value bytes (values are normalised, hence ASCII)
 */
import { Buffer } from 'node:buffer';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { TimeSlicer } from '../core/slice.ts';
import { dirname } from 'node:path';
import { INDICATOR_TYPES, type IndicatorType } from '../model/indicator.ts';
// types.ts, not the matcher's front door: the matcher's worker decodes snapshots (no cycle).
import type { MatcherEntryInput } from './matcher/types.ts';

const MAGIC = 0x3153574d; // "MWS1"
const FIXED = 1 + 4 + 4 + 4 + 1 + 8 + 2;
/** Bytes per record buffer of the writer. */
const CHUNK = 1 << 20;
const TYPE_INDEX = new Map<IndicatorType, number>(INDICATOR_TYPES.map((t, i) => [t, i]));

export interface SnapshotKey {
  revision: number;
  /** Everything that went into expiresAt besides the rows (decay policy, non-decaying sources). */
  policy: string;
}

interface Footer extends SnapshotKey {
  count: number;
  strings: string[];
}

/** Collects entries as they stream past and encodes them into buffers of whole records. */
export class SnapshotWriter {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafeSlow(CHUNK);
  private pos = 0;
  private readonly strings = new Map<string, number>();
  private count = 0;

  private str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) {
      i = this.strings.size;
      this.strings.set(s, i);
    }
    return i;
  }

  /** Entries added so far. */
  get size(): number {
    return this.count;
  }

  add(e: MatcherEntryInput): void {
    const len = Buffer.byteLength(e.value, 'latin1');
    if (len > 0xffff) return;
    if (this.pos + FIXED + len > this.cur.length) {
      this.chunks.push(this.cur.subarray(0, this.pos));
      this.cur = Buffer.allocUnsafeSlow(Math.max(CHUNK, FIXED + len));
      this.pos = 0;
    }
    const b = this.cur;
    let p = this.pos;
    b[p++] = TYPE_INDEX.get(e.type) ?? 0;
    b.writeUInt32LE(this.str(e.category), p);
    b.writeUInt32LE(this.str(e.family), p + 4);
    b.writeUInt32LE(this.str(e.source), p + 8);
    p += 12;
    // Rounded and clamped as the matcher's builder does, so that a build from the encoded
    // entries equals one from the entries themselves.
    const confidence = Math.round(Number(e.confidence));
    b[p++] = confidence > 0 ? Math.min(confidence, 100) : 0;
    b.writeDoubleLE(e.expiresAt, p);
    p += 8;
    b.writeUInt16LE(len, p);
    p += 2;
    b.write(e.value, p, len, 'latin1');
    this.pos = p + len;
    this.count++;
  }

  /**
   * Adds batches as they arrive, yielding to the event loop whenever about `sliceMs` of work has
   * run (the encoding of 1M entries takes a few hundred ms: in one go it would stall lookups).
   */
  async addSliced(batches: AsyncIterable<MatcherEntryInput[]> | Iterable<MatcherEntryInput[]>, sliceMs = 2, onSlice?: (ms: number) => void): Promise<void> {
    const slicer = new TimeSlicer(sliceMs, onSlice);
    for await (const batch of batches) {
      // The wait for a batch counts toward the slice (see IntelMatcherBuilder.buildSliced).
      if (slicer.due()) await slicer.pause();
      for (let i = 0; i < batch.length; i++) {
        this.add(batch[i]!);
        if ((i & 255) === 255 && slicer.due()) await slicer.pause();
      }
    }
    slicer.finish();
  }

  /**
   * The snapshot as a list of buffers whose concatenation is the file: records (a record never
   * spans two buffers), the last one ending with the footer. Not concatenated, so that the main
   * thread never copies the set in one go; each buffer owns its ArrayBuffer (allocUnsafeSlow,
   * not the shared pool), so the list can be transferred to a worker. The writer is spent.
   */
  encode(key: SnapshotKey): Buffer[] {
    const footer: Footer = { ...key, count: this.count, strings: [...this.strings.keys()] };
    const json = Buffer.from(JSON.stringify(footer), 'utf8');
    const tail = Buffer.allocUnsafeSlow(this.pos + json.length + 8);
    this.cur.copy(tail, 0, 0, this.pos);
    json.copy(tail, this.pos);
    tail.writeUInt32LE(json.length, this.pos + json.length);
    tail.writeUInt32LE(MAGIC, this.pos + json.length + 4);
    const out = [...this.chunks, tail];
    this.chunks = [];
    this.cur = Buffer.allocUnsafeSlow(0);
    this.pos = 0;
    return out;
  }

  /** Encodes and writes the file (atomically: a temporary file, then a rename). The writer is spent. */
  async write(path: string, key: SnapshotKey): Promise<void> {
    await writeSnapshot(path, this.encode(key));
  }
}

/** Writes encoded snapshot buffers (SnapshotWriter.encode) as the file at `path`, atomically. */
export async function writeSnapshot(path: string, buffers: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, buffers);
  await rename(tmp, path);
}

/** Entries of a decoded snapshot, in batches (refs numbered from 0 in order). */
export interface DecodedSnapshot {
  count: number;
  batches: Iterable<MatcherEntryInput[]>;
}

/**
 * Decodes a snapshot held in `buffers` (a file read whole, or SnapshotWriter.encode's list).
 * Returns null when it is damaged, or stale for `key` (null key: no check). Pure: usable in a
 * worker; the buffers are read, never changed.
 */
export function decodeSnapshot(buffers: readonly Uint8Array[], key: SnapshotKey | null, batchSize = 65_536): DecodedSnapshot | null {
  const last = buffers[buffers.length - 1];
  if (last === undefined) return null;
  const tail = Buffer.from(last.buffer, last.byteOffset, last.byteLength);
  if (tail.length < 8 || tail.readUInt32LE(tail.length - 4) !== MAGIC) return null;
  const footerLen = tail.readUInt32LE(tail.length - 8);
  const footerStart = tail.length - 8 - footerLen;
  if (footerStart < 0) return null;
  let footer: Footer;
  try {
    footer = JSON.parse(tail.toString('utf8', footerStart, tail.length - 8)) as Footer;
  } catch {
    return null;
  }
  if (!Array.isArray(footer.strings)) return null;
  if (key !== null && (footer.revision !== key.revision || footer.policy !== key.policy)) return null;
  const strings = footer.strings;
  function* batches(): Generator<MatcherEntryInput[]> {
    let ref = 0;
    let batch: MatcherEntryInput[] = [];
    for (let k = 0; k < buffers.length; k++) {
      const u = buffers[k]!;
      const buf = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      const end = k === buffers.length - 1 ? footerStart : buf.length;
      let p = 0;
      while (p + FIXED <= end) {
        const type = INDICATOR_TYPES[buf[p] ?? 0] ?? 'domain';
        const category = strings[buf.readUInt32LE(p + 1)] ?? '';
        const family = strings[buf.readUInt32LE(p + 5)] ?? '';
        const source = strings[buf.readUInt32LE(p + 9)] ?? '';
        const confidence = buf[p + 13] ?? 0;
        const expiresAt = buf.readDoubleLE(p + 14);
        const len = buf.readUInt16LE(p + 22);
        p += FIXED;
        if (p + len > end) break;
        batch.push({ type, value: buf.toString('latin1', p, p + len), category, family, source, confidence, expiresAt, ref: ref++ });
        p += len;
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length) yield batch;
  }
  return { count: footer.count, batches: batches() };
}

/** The snapshot file at `path`, whole, when it exists and matches `key`; null when it cannot be used. */
export async function readSnapshotFile(path: string, key: SnapshotKey): Promise<{ count: number; buffer: Buffer } | null> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch {
    return null;
  }
  const decoded = decodeSnapshot([buffer], key);
  return decoded === null ? null : { count: decoded.count, buffer };
}

/**
 * Reads a snapshot if it exists and matches `key`; yields its entries in batches (refs numbered
 * from 0). Returns null when it cannot be used.
 */
export async function readSnapshot(path: string, key: SnapshotKey, batchSize = 65_536): Promise<DecodedSnapshot | null> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return null;
  }
  return decodeSnapshot([buf], key, batchSize);
}
