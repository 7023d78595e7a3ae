/**
 * Hashing and the two open-addressing table shapes the matcher uses. Tables are typed arrays
 * (no per-entry JS objects), so a million entries cost the garbage collector nothing to trace
 * and a rebuild allocates a handful of large buffers instead of millions of small ones.
 *
 * Reads like `a[i]!` are within bounds by construction (slot & mask, offsets < length).
 */
import type { StringTable, WordTable } from './types.ts';

/** FNV-1a prime: the per-character step of the string hash. */
export const FNV_PRIME = 0x01000193;

/** Final avalanche (MurmurHash3 fmix32), so the low bits used as a slot index are well mixed. */
export function mix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hash of s[start, end) read right to left (FNV-1a over UTF-16 code units, ASCII upper case
 * folded when `fold`). Right to left so that one pass over a domain name yields the hash of
 * every parent suffix on the way (see IntelMatcher.matchDomain). Returns an int32.
 */
export function hashRange(s: string, start: number, end: number, seed: number, fold: boolean): number {
  let h = seed;
  for (let i = end - 1; i >= start; i--) {
    let c = s.charCodeAt(i);
    if (fold && c >= 65 && c <= 90) c |= 32;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h;
}

/** Slot count for `n` keys at load <= 1/2: a power of two, at least 2 (so a probe always meets an empty slot). */
export function capacityFor(n: number): number {
  let cap = 2;
  while (cap < n * 2) cap *= 2;
  return cap;
}

/** Int32 words per string-table slot (see types.ts StringTable). */
export const SLOT = 4;

export function newStringTable(n: number): StringTable {
  const cap = capacityFor(n);
  return { slots: new Int32Array(cap * SLOT), mask: cap - 1 };
}

/**
 * Filter in front of the domain table: 8 bits per entry (1 MiB for 1M domains, so it stays in
 * cache where the 16 MiB table does not), two bits set per key inside one 32-bit word.
 * A probe of the table is a cache miss; most suffixes of a query are not listed, and the
 * filter turns away ~95 % of those. Measured on 1M domains, half hits: see matcher.ts.
 */
export const FILTER_BITS_PER_ENTRY = 8;

export function newFilter(n: number): Int32Array {
  let words = 1;
  while (words * 32 < n * FILTER_BITS_PER_ENTRY) words *= 2;
  return new Int32Array(words);
}

/** The two bits of a mixed hash m inside its filter word. */
export function filterBits(m: number): number {
  return (1 << (m & 31)) | (1 << ((m >>> 5) & 31));
}

/** The filter word of a mixed hash m (bits 10 and up, so independent of filterBits). */
export function filterWord(m: number, filter: Int32Array): number {
  return (m >>> 10) & (filter.length - 1);
}

export function newWordTable(width: number, n: number): WordTable {
  const cap = capacityFor(n);
  return { width, keys: new Uint32Array(cap * width), ids: new Int32Array(cap), mask: cap - 1 };
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
