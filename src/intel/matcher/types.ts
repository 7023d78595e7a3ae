/**
 * Plain types of the in-memory matcher: what goes in, what a hit says, and the frozen parts a
 * built matcher wraps. No logic here.
 */
import type { IndicatorCore, IndicatorType } from '../../model/indicator.ts';

/** Value normalised (see ../normalize.ts); confidence rounded and clamped to 0–100. */
export interface MatcherEntryInput extends IndicatorCore {
  /** Epoch seconds after which this entry stops matching; 0 = never. */
  expiresAt: number;
  /** Opaque id the engine uses to find the full record (e.g. store row id). */
  ref: number;
}

/** An entry of a built matcher as `entry(id)` reports it. */
export type MatcherEntry = Readonly<MatcherEntryInput>;

/** How a hit matched its query. */
export type MatchHow = 'exact' | 'parent' | 'cidr' | 'ip-port' | 'url';

/** Why an input entry was not taken: counted and sampled by the builder, never thrown. */
export interface RejectedSample {
  type: string;
  value: string;
  reason: string;
}

/**
 * Open-addressing table of strings (linear probing, load <= 0.7). Slot i is the 32 bytes at
 * 8 * i in `slots` (int32 view) / 32 * i in `slotBytes` (byte view of the same buffer):
 *   [hash, ±(id + 1), length, then 20 value bytes]           for values of <= 20 bytes
 *   [hash, ±(id + 1), length, byte offset, first 16 bytes]   for longer ones (rest in `bytes`)
 * id + 1 = 0 marks an empty slot; negative when the entry has an expiry. The value bytes sit in
 * the slot because the check of a candidate is then one cache line, one page: on a 1M table
 * every further array touched is a dependent cache and TLB miss (in the profile of the
 * benchmark, the read of the rest of a long value alone takes ~7 % of the lookup time).
 */
export interface StringTable {
  readonly slots: Int32Array;
  readonly slotBytes: Uint8Array;
  readonly capacity: number;
}

/**
 * Open-addressing table of fixed-width keys of `width` uint32 words: `keys[slot * width + w]`,
 * `ids[slot]` = id + 1 (0 = empty slot).
 */
export interface WordTable {
  readonly width: number;
  readonly keys: Uint32Array;
  readonly ids: Int32Array;
  readonly mask: number;
}

/** Everything a built matcher holds: flat typed columns indexed by entry id plus lookup tables. */
export interface MatcherParts {
  readonly size: number;
  readonly seed: number;
  /** Index into INDICATOR_TYPES. */
  readonly type: Uint8Array;
  readonly confidence: Uint8Array;
  readonly category: Uint16Array;
  readonly source: Uint16Array;
  readonly family: Uint32Array;
  readonly expiresAt: Float64Array;
  readonly ref: Float64Array;
  /** Value of entry i is bytes[offsets[i] .. offsets[i + 1]) (Latin-1; normalised values are ASCII). */
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
  readonly categories: readonly string[];
  readonly families: readonly string[];
  readonly sources: readonly string[];
  readonly domains: StringTable;
  /** Blocked Bloom filter over the domain hashes (see tables.ts filterBits). */
  readonly domainFilter: Int32Array;
  readonly urls: StringTable;
  readonly hashes: StringTable;
  /** Key [addr, prefix length]; a plain IP is its /32. */
  readonly v4: WordTable;
  /** Prefix lengths present in `v4`, longest first. */
  readonly v4Lens: Uint8Array;
  /** Key [w0, w1, w2, w3, prefix length]; a plain IP is its /128. */
  readonly v6: WordTable;
  readonly v6Lens: Uint8Array;
  /** Key [addr, port]. */
  readonly v4Port: WordTable;
  /** Key [w0, w1, w2, w3, port]. */
  readonly v6Port: WordTable;
  readonly counts: Readonly<Record<IndicatorType, number>>;
  /** Inputs not taken (bad value or type), with the first few as samples. */
  readonly rejected: number;
  readonly rejectedSamples: readonly RejectedSample[];
  /** Inputs that lost to a duplicate of the same key. */
  readonly duplicates: number;
}
