/**
 * Where the builder keeps entries until build(): fixed-size chunks of typed columns and of
 * value bytes. Chunks, not growing arrays, because doubling a 1M-entry column copies tens of
 * megabytes in one go, which would stall the event loop during a time-sliced reload. The input
 * strings are copied out at add() and die young, so the collector never has to trace a million
 * retained strings.
 */
import type { IndicatorType } from '../../model/indicator.ts';
import { FNV_PRIME } from './tables.ts';
import { ipKey } from './ip.ts';
import type { MatcherEntryInput, RejectedSample } from './types.ts';

export const TABLE_DOMAIN = 0;
export const TABLE_URL = 1;
export const TABLE_HASH = 2;
/** IP tables are TABLE_IP + KIND_* of ip.ts. */
export const TABLE_IP = 3;
export const TABLE_COUNT = 7;

export const TYPE_INDEX: Readonly<Record<IndicatorType, number>> = {
  domain: 0,
  ip: 1,
  cidr: 2,
  url: 3,
  'ip:port': 4,
  md5: 5,
  sha1: 6,
  sha256: 7,
};

export const CHUNK_BITS = 16;
export const CHUNK_SIZE = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK_SIZE - 1;
/** Bytes per value chunk; a value never spans two. */
export const BYTE_CHUNK = 1 << 20;
/** Longer values (only URLs could be) are rejected. */
export const MAX_VALUE_LENGTH = 1 << 16;
const MAX_SAMPLES = 10;

export class StagingChunk {
  readonly type = new Uint8Array(CHUNK_SIZE);
  readonly table = new Uint8Array(CHUNK_SIZE);
  readonly confidence = new Uint8Array(CHUNK_SIZE);
  readonly category = new Uint16Array(CHUNK_SIZE);
  readonly source = new Uint16Array(CHUNK_SIZE);
  readonly family = new Uint32Array(CHUNK_SIZE);
  readonly expiresAt = new Float64Array(CHUNK_SIZE);
  readonly ref = new Float64Array(CHUNK_SIZE);
  readonly hash = new Int32Array(CHUNK_SIZE);
  /** Byte chunk index * BYTE_CHUNK + offset in it. */
  readonly pos = new Uint32Array(CHUNK_SIZE);
  readonly len = new Uint32Array(CHUNK_SIZE);
}

class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private last = '';
  private lastId = -1;
  constructor(private readonly max: number, private readonly what: string) {}

  id(name: string): number {
    // Feeds arrive one source at a time and repeat categories, so the last name usually repeats.
    if (name === this.last && this.lastId >= 0) return this.lastId;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      if (id >= this.max) throw new RangeError(`matcher: more than ${this.max} distinct ${this.what} names`);
      this.names.push(name);
      this.ids.set(name, id);
    }
    this.last = name;
    this.lastId = id;
    return id;
  }
}

export class Staging {
  readonly chunks: StagingChunk[] = [];
  readonly byteChunks: Uint8Array[] = [];
  readonly categories = new Interner(0xffff, 'category');
  readonly families = new Interner(0xffffffff, 'family');
  readonly sources = new Interner(0xffff, 'source');
  /** Entries per table (before duplicates are resolved). */
  readonly tableCounts = new Array<number>(TABLE_COUNT).fill(0);
  readonly samples: RejectedSample[] = [];
  size = 0;
  rejected = 0;
  private byteOffset = BYTE_CHUNK;
  private readonly ipScratch = new Uint32Array(5);

  constructor(readonly seed: number) {}

  add(e: MatcherEntryInput): void {
    const type = TYPE_INDEX[e.type] as number | undefined;
    const value = e.value;
    if (type === undefined) return this.reject(e, 'unknown type');
    if (typeof value !== 'string' || value.length === 0) return this.reject(e, 'empty value');
    if (value.length > MAX_VALUE_LENGTH) return this.reject(e, 'value too long');
    let table: number;
    switch (e.type) {
      case 'domain':
        table = TABLE_DOMAIN;
        break;
      case 'url':
        table = TABLE_URL;
        break;
      case 'md5':
      case 'sha1':
      case 'sha256':
        table = TABLE_HASH;
        break;
      case 'ip':
      case 'cidr':
      case 'ip:port': {
        const kind = ipKey(e.type, value, this.ipScratch);
        if (kind < 0) return this.reject(e, `not a valid ${e.type}`);
        table = TABLE_IP + kind;
        break;
      }
    }
    const len = value.length;
    if (this.byteOffset + len > BYTE_CHUNK) {
      this.byteChunks.push(new Uint8Array(BYTE_CHUNK));
      this.byteOffset = 0;
    }
    const bytes = this.byteChunks[this.byteChunks.length - 1]!;
    const off = this.byteOffset;
    // Copy and hash in one right-to-left pass (the hash is tables.ts hashRange).
    // URL paths are case-sensitive; every other value is folded to lower case.
    const fold = table !== TABLE_URL;
    let h = this.seed;
    for (let i = len - 1; i >= 0; i--) {
      let c = value.charCodeAt(i);
      if (c > 0xff) return this.reject(e, 'value is not ASCII (not normalised)');
      if (fold && c >= 65 && c <= 90) c |= 32;
      bytes[off + i] = c;
      h = Math.imul(h ^ (c | 32), FNV_PRIME);
    }
    this.byteOffset += len;

    const n = this.size;
    if ((n & CHUNK_MASK) === 0) this.chunks.push(new StagingChunk());
    const chunk = this.chunks[n >>> CHUNK_BITS]!;
    const j = n & CHUNK_MASK;
    chunk.type[j] = type;
    chunk.table[j] = table;
    const confidence = Math.round(Number(e.confidence));
    chunk.confidence[j] = confidence > 0 ? Math.min(confidence, 100) : 0;
    chunk.category[j] = this.categories.id(String(e.category));
    chunk.source[j] = this.sources.id(String(e.source));
    chunk.family[j] = this.families.id(String(e.family));
    chunk.expiresAt[j] = Number(e.expiresAt) || 0;
    chunk.ref[j] = Number(e.ref);
    chunk.hash[j] = h;
    chunk.pos[j] = ((this.byteChunks.length - 1) * BYTE_CHUNK + off) >>> 0;
    chunk.len[j] = len;
    this.tableCounts[table]!++;
    this.size = n + 1;
  }

  private reject(e: MatcherEntryInput, reason: string): void {
    this.rejected++;
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ type: String(e.type), value: String(e.value).slice(0, 80), reason });
    }
  }
}
