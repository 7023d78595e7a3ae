/**
 * Hashing and the two open-addressing table shapes the matcher uses. Tables are typed arrays
 * (no per-entry JS objects), so a million entries cost the garbage collector nothing to trace
 * and a rebuild allocates a handful of large buffers instead of millions of small ones.
 *
 * Reads like `a[i]!` are within bounds by construction (slot & mask, offsets < length).
 */
import { Buffer } from 'node:buffer';
import type { StringTable, WordTable } from './types.ts';

/** FNV-1a prime: the per-character step of the string hash. */
export const FNV_PRIME = 0x01000193;

/** Final avalanche (MurmurHash3 fmix32), so that whichever bits index a slot or filter are well mixed. */
export function mix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hash of s[start, end) read right to left: FNV-1a over UTF-16 code units with bit 0x20 set,
 * which folds ASCII upper case to lower case without a branch (the verification that follows
 * every hash match compares exactly; the few other characters it merges are not valid in
 * names). Right to left so that one pass over a domain name yields the hash of every parent
 * suffix on the way (see IntelMatcher.matchDomain). Returns an int32.
 */
export function hashRange(s: string, start: number, end: number, seed: number): number {
  let h = seed;
  for (let i = end - 1; i >= start; i--) h = Math.imul(h ^ (s.charCodeAt(i) | 32), FNV_PRIME);
  return h;
}

/** Slot count for `n` keys at load <= 1/2: a power of two, at least 2 (so a probe always meets an empty slot). */
export function capacityFor(n: number): number {
  let cap = 2;
  while (cap < n * 2) cap *= 2;
  return cap;
}

/**
 * Memory for typed arrays, not zeroed. Zeroing is either a memset of recycled memory in one go
 * or a page fault per 4 KiB on first touch; with a fresh 46 MB table touched by random inserts,
 * the first steps of a reload took 20–95 ms each. So the builder takes memory raw, writes every
 * element of the columns before reading it, and clears the tables itself in slices
 * (finalize.ts), which also spreads the page faults.
 */
export function rawBuffer(bytes: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(bytes).buffer;
}

/** Int32 words per string-table slot, and value bytes held in a slot (see types.ts StringTable). */
export const SLOT = 8;
export const INLINE = 20;
/** Bytes of a long value held in its slot (the offset takes a word). */
export const INLINE_LONG = 16;

/** A string table for n keys. Not zeroed: the caller clears `slots` before use. */
export function newStringTable(n: number): StringTable {
  const capacity = Math.max(4, Math.ceil(n / 0.7));
  const slots = new Int32Array(rawBuffer(capacity * SLOT * 4));
  return { slots, slotBytes: new Uint8Array(slots.buffer), capacity };
}

/** Home slot of a mixed hash: its high bits scaled to the capacity (no power of two needed). */
export function homeSlot(m: number, capacity: number): number {
  return Math.floor(((m >>> 0) * capacity) / 4294967296);
}

/**
 * Filter in front of the domain table: 8 bits per entry (1 MiB for 1M domains, which mostly
 * stays in cache where the 46 MiB table does not), two bits set per key inside one 32-bit
 * word. A probe of the table is a cache miss; most suffixes of a query are not listed, and the
 * filter turns away ~95 % of those (measured: 0.11 false passes per lookup of 2.7 suffixes).
 * Worth ~25 % of the lookup rate (see matcher.ts); 4, 16 or 32 bits per entry measured the same.
 */
export const FILTER_BITS_PER_ENTRY = 8;

/** A filter for n keys. Not zeroed: the caller clears it before use. */
export function newFilter(n: number): Int32Array {
  let words = 1;
  while (words * 32 < n * FILTER_BITS_PER_ENTRY) words *= 2;
  return new Int32Array(rawBuffer(words * 4));
}

/** The two bits of a mixed hash m inside its filter word. */
export function filterBits(m: number): number {
  return (1 << (m & 31)) | (1 << ((m >>> 5) & 31));
}

/** The filter word of a mixed hash m (bits 10 and up, so independent of filterBits). */
export function filterWord(m: number, filter: Int32Array): number {
  return (m >>> 10) & (filter.length - 1);
}

/** A word table for n keys. Not zeroed: the caller clears `ids` before use (keys are written before read). */
export function newWordTable(width: number, n: number): WordTable {
  const cap = capacityFor(n);
  return { width, keys: new Uint32Array(rawBuffer(cap * width * 4)), ids: new Int32Array(rawBuffer(cap * 4)), mask: cap - 1 };
}

export function wordHash(key: Uint32Array, width: number): number {
  let h = 0x2545f491;
  for (let w = 0; w < width; w++) h = mix32(Math.imul(h, 31) + key[w]!);
  return h;
}

/** The slot holding `key` (ids[slot] != 0) or the empty slot where it belongs (ids[slot] == 0). */
export function wordSlot(t: WordTable, key: Uint32Array): number {
  const { width, keys, ids, mask } = t;
  let slot = wordHash(key, width) & mask;
  for (;;) {
    if (ids[slot] === 0) return slot;
    const base = slot * width;
    let w = 0;
    while (w < width && keys[base + w] === key[w]) w++;
    if (w === width) return slot;
    slot = (slot + 1) & mask;
  }
}

/** Lookup side: entry id for `key`, or -1. */
export function wordFind(t: WordTable, key: Uint32Array): number {
  return t.ids[wordSlot(t, key)]! - 1;
}
