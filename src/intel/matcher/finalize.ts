/**
 * Staging → built matcher parts, in steps of ~0.1 ms: build() runs them back to back,
 * buildSliced() between turns of the event loop. The loops live in small methods of Finalizer
 * and the generator only drives them.
 *
 * 0. clear the tables (allocated raw, see tables.ts rawBuffer), a few pages per step;
 * 1. resolve duplicates while filling the tables (which hold staging indices for now),
 *    remembering which slot each winner took;
 * 2. copy survivors, in input order, into flat columns and one byte buffer (their position is
 *    their id), and write id, length and value bytes into their slot.
 * Writing through the remembered slot rather than sweeping the table and looking ids up (three
 * random reads per entry become one random write) took finalize of 1M domains from 1.0–1.2 s
 * to 0.55–0.85 s.
 */
import { INDICATOR_TYPES } from '../../model/indicator.ts';
import type { IndicatorType } from '../../model/indicator.ts';
import { KIND_V4, KIND_V6, ipKey } from './ip.ts';
import { BYTE_CHUNK, CHUNK_BITS, CHUNK_MASK, TABLE_HASH, TABLE_IP, TABLE_URL } from './staging.ts';
import type { Staging, StagingChunk } from './staging.ts';
import { INLINE, INLINE_LONG, SLOT, filterBits, filterWord, homeSlot, mix32, newFilter, newStringTable, newWordTable, rawBuffer, wordSlot } from './tables.ts';
import type { MatcherParts, StringTable, WordTable } from './types.ts';

/**
 * Entries of work per step: ~0.1 ms at the random-access rate of a 1M table, so that a slice
 * ends within ~0.1 ms of its budget (buildSliced checks the clock between steps).
 */
const STEP = 256;
/** Elements cleared per step: 64 KiB, 16 pages to fault in. */
const CLEAR_STEP = 1 << 14;

export function* finalize(st: Staging): Generator<undefined, MatcherParts, undefined> {
  const f = new Finalizer(st);
  const n = st.size;
  for (const a of f.toClear()) {
    for (let i = 0; i < a.length; i += CLEAR_STEP) {
      a.fill(0, i, Math.min(a.length, i + CLEAR_STEP));
      yield;
    }
  }
  for (let i = 0; i < n; i += STEP) {
    f.dedup(i, Math.min(n, i + STEP));
    yield;
  }
  f.allocate();
  yield;
  for (let i = 0; i < n; i += STEP) {
    f.copy(i, Math.min(n, i + STEP));
    yield;
  }
  return f.parts();
}

class Finalizer {
  private readonly strings: StringTable[];
  private readonly words: WordTable[];
  private readonly domainFilter: Int32Array;
  private readonly v4LenSeen = new Uint8Array(33);
  private readonly v6LenSeen = new Uint8Array(129);
  /** 1 for the entries that win their key. */
  private readonly alive: Uint8Array;
  /** The table slot each winner sits in. */
  private readonly slotOf: Int32Array;
  private readonly key = new Uint32Array(5);
  /** Survivors and their bytes so far (step 1), then entries copied so far (step 2). */
  private size = 0;
  private totalBytes = 0;
  private cursor = 0;
  private cols: Columns | null = null;

  constructor(private readonly st: Staging) {
    const tc = st.tableCounts;
    this.strings = [newStringTable(tc[0]!), newStringTable(tc[TABLE_URL]!), newStringTable(tc[TABLE_HASH]!)];
    this.words = [
      newWordTable(2, tc[TABLE_IP + 0]!),
      newWordTable(5, tc[TABLE_IP + 1]!),
      newWordTable(2, tc[TABLE_IP + 2]!),
      newWordTable(5, tc[TABLE_IP + 3]!),
    ];
    this.domainFilter = newFilter(tc[0]!);
    this.alive = new Uint8Array(rawBuffer(st.size));
    this.slotOf = new Int32Array(rawBuffer(st.size * 4));
  }

  /** What must be zero before step 1 (allocated raw, see tables.ts rawBuffer). */
  toClear(): Int32Array[] {
    return [...this.strings.map((t) => t.slots), ...this.words.map((t) => t.ids), this.domainFilter];
  }

  /** Step 1. Same key: higher confidence wins, then the later expiry (0 = never), then the later input. */
  dedup(from: number, to: number): void {
    const { st, alive, slotOf, key } = this;
    for (let i = from; i < to; i++) {
      const c = st.chunks[i >>> CHUNK_BITS]!;
      const j = i & CHUNK_MASK;
      const table = c.table[j]!;
      let other: number;
      if (table <= TABLE_HASH) {
        const t = this.strings[table]!;
        const hash = c.hash[j]!;
        if (table === 0) {
          const m = mix32(hash);
          this.domainFilter[filterWord(m, this.domainFilter)]! |= filterBits(m);
        }
        const slot = stagedSlot(st, t, hash, i);
        other = t.slots[SLOT * slot + 1]! - 1;
        if (other >= 0 && !wins(st, i, other)) {
          alive[i] = 0;
          continue;
        }
        t.slots[SLOT * slot] = hash;
        t.slots[SLOT * slot + 1] = i + 1;
        slotOf[i] = slot;
      } else {
        const kind = ipKey(INDICATOR_TYPES[c.type[j]!]!, stagedValue(st, c, j), key);
        if (kind === KIND_V4) this.v4LenSeen[key[1]!] = 1;
        if (kind === KIND_V6) this.v6LenSeen[key[4]!] = 1;
        const t = this.words[kind]!;
        const slot = wordSlot(t, key);
        other = t.ids[slot]! - 1;
        if (other >= 0 && !wins(st, i, other)) {
          alive[i] = 0;
          continue;
        }
        t.keys.set(key.subarray(0, t.width), slot * t.width);
        t.ids[slot] = i + 1;
        slotOf[i] = slot;
      }
      alive[i] = 1;
      this.size++;
      this.totalBytes += c.len[j]!;
      if (other >= 0) {
        alive[other] = 0;
        this.size--;
        this.totalBytes -= st.chunks[other >>> CHUNK_BITS]!.len[other & CHUNK_MASK]!;
      }
    }
  }

  allocate(): void {
    const m = this.size;
    this.size = 0;
    // Raw memory: step 2 writes every element, in order.
    this.cols = {
      type: new Uint8Array(rawBuffer(m)),
      confidence: new Uint8Array(rawBuffer(m)),
      category: new Uint16Array(rawBuffer(2 * m)),
      source: new Uint16Array(rawBuffer(2 * m)),
      family: new Uint32Array(rawBuffer(4 * m)),
      expiresAt: new Float64Array(rawBuffer(8 * m)),
      ref: new Float64Array(rawBuffer(8 * m)),
      offsets: new Uint32Array(rawBuffer(4 * (m + 1))),
      bytes: new Uint8Array(rawBuffer(this.totalBytes)),
      counts: new Array<number>(INDICATOR_TYPES.length).fill(0),
    };
  }

  /** Step 2. Columns, bytes, and the final id / offset / length in each winner's slot. */
  copy(from: number, to: number): void {
    const { st, alive, slotOf } = this;
    const cols = this.cols!;
    const { bytes } = cols;
    let cursor = this.cursor;
    for (let i = from; i < to; i++) {
      if (alive[i] === 0) continue;
      const k = this.size++;
      const c = st.chunks[i >>> CHUNK_BITS]!;
      const j = i & CHUNK_MASK;
      const type = c.type[j]!;
      const exp = c.expiresAt[j]!;
      cols.type[k] = type;
      cols.counts[type]!++;
      cols.confidence[k] = c.confidence[j]!;
      cols.category[k] = c.category[j]!;
      cols.source[k] = c.source[j]!;
      cols.family[k] = c.family[j]!;
      cols.expiresAt[k] = exp;
      cols.ref[k] = c.ref[j]!;
      cols.offsets[k] = cursor;
      const pos = c.pos[j]!;
      const len = c.len[j]!;
      const src = st.byteChunks[Math.floor(pos / BYTE_CHUNK)]!;
      const off = pos % BYTE_CHUNK;
      for (let b = 0; b < len; b++) bytes[cursor + b] = src[off + b]!;
      const table = c.table[j]!;
      if (table <= TABLE_HASH) {
        const t = this.strings[table]!;
        const base = SLOT * slotOf[i]!;
        t.slots[base + 1] = exp === 0 ? k + 1 : -(k + 1);
        t.slots[base + 2] = len;
        let inline = 4 * (base + 3);
        let n = len;
        if (len > INLINE) {
          t.slots[base + 3] = cursor;
          inline += 4;
          n = INLINE_LONG;
        }
        for (let b = 0; b < n; b++) t.slotBytes[inline + b] = src[off + b]!;
      } else {
        this.words[table - TABLE_IP]!.ids[slotOf[i]!] = k + 1;
      }
      cursor += len;
    }
    this.cursor = cursor;
  }

  parts(): MatcherParts {
    const { st } = this;
    const cols = this.cols!;
    cols.offsets[this.size] = this.cursor;
    const counts = Object.fromEntries(INDICATOR_TYPES.map((t, i) => [t, cols.counts[i]!])) as Record<IndicatorType, number>;
    return {
      size: this.size,
      seed: st.seed,
      type: cols.type,
      confidence: cols.confidence,
      category: cols.category,
      source: cols.source,
      family: cols.family,
      expiresAt: cols.expiresAt,
      ref: cols.ref,
      offsets: cols.offsets,
      bytes: cols.bytes,
      categories: st.categories.names.slice(),
      families: st.families.names.slice(),
      sources: st.sources.names.slice(),
      domains: this.strings[0]!,
      domainFilter: this.domainFilter,
      urls: this.strings[TABLE_URL]!,
      hashes: this.strings[TABLE_HASH]!,
      v4: this.words[KIND_V4]!,
      v4Lens: lensDescending(this.v4LenSeen),
      v6: this.words[KIND_V6]!,
      v6Lens: lensDescending(this.v6LenSeen),
      v4Port: this.words[2]!,
      v6Port: this.words[3]!,
      counts,
      rejected: st.rejected,
      rejectedSamples: st.samples.slice(),
      duplicates: st.size - this.size,
    };
  }
}

interface Columns {
  type: Uint8Array;
  confidence: Uint8Array;
  category: Uint16Array;
  source: Uint16Array;
  family: Uint32Array;
  expiresAt: Float64Array;
  ref: Float64Array;
  offsets: Uint32Array;
  bytes: Uint8Array;
  counts: number[];
}

/** Does staged entry a beat staged entry b (same key)? */
function wins(st: Staging, a: number, b: number): boolean {
  const ca = st.chunks[a >>> CHUNK_BITS]!;
  const cb = st.chunks[b >>> CHUNK_BITS]!;
  const ja = a & CHUNK_MASK;
  const jb = b & CHUNK_MASK;
  const confA = ca.confidence[ja]!;
  const confB = cb.confidence[jb]!;
  if (confA !== confB) return confA > confB;
  const expA = ca.expiresAt[ja] || Infinity;
  const expB = cb.expiresAt[jb] || Infinity;
  if (expA !== expB) return expA > expB;
  return a > b;
}

/** The slot of the string table holding staged entry i's value, or the empty slot for it. */
function stagedSlot(st: Staging, t: StringTable, hash: number, i: number): number {
  const { slots, capacity } = t;
  let slot = homeSlot(mix32(hash), capacity);
  for (;;) {
    const r = slots[SLOT * slot + 1]!;
    if (r === 0 || (slots[SLOT * slot] === hash && sameBytes(st, i, r - 1))) return slot;
    if (++slot === capacity) slot = 0;
  }
}

function sameBytes(st: Staging, a: number, b: number): boolean {
  const ca = st.chunks[a >>> CHUNK_BITS]!;
  const cb = st.chunks[b >>> CHUNK_BITS]!;
  const len = ca.len[a & CHUNK_MASK]!;
  if (cb.len[b & CHUNK_MASK] !== len) return false;
  const pa = ca.pos[a & CHUNK_MASK]!;
  const pb = cb.pos[b & CHUNK_MASK]!;
  const ba = st.byteChunks[Math.floor(pa / BYTE_CHUNK)]!;
  const bb = st.byteChunks[Math.floor(pb / BYTE_CHUNK)]!;
  const oa = pa % BYTE_CHUNK;
  const ob = pb % BYTE_CHUNK;
  for (let k = 0; k < len; k++) if (ba[oa + k] !== bb[ob + k]) return false;
  return true;
}

function stagedValue(st: Staging, c: StagingChunk, j: number): string {
  const pos = c.pos[j]!;
  const from = st.byteChunks[Math.floor(pos / BYTE_CHUNK)]!;
  const off = pos % BYTE_CHUNK;
  return String.fromCharCode(...from.subarray(off, off + c.len[j]!));
}

function lensDescending(seen: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let len = seen.length - 1; len >= 0; len--) if (seen[len] === 1) out.push(len);
  return Uint8Array.from(out);
}
