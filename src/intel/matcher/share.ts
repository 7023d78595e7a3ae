/**
 * A matcher's typed arrays copied once into SharedArrayBuffers, so DNS worker threads each wrap
 * the same memory in their own IntelMatcher instead of holding a copy each (a 1M-indicator
 * matcher is tens of MB). Everything in MatcherParts is immutable after the build, so sharing
 * needs no locks.
 */
import type { MatcherParts, StringTable, WordTable } from './types.ts';

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

function share<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer, off: number, len: number) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength), 0, a.length);
  out.set(a);
  return out;
}

function shareStrings(t: StringTable): StringTable {
  // slots and slotBytes are two views of one buffer: keep them so.
  const slots = share(t.slots);
  return { slots, slotBytes: new Uint8Array(slots.buffer, 0, t.slotBytes.length), capacity: t.capacity };
}

function shareWords(t: WordTable): WordTable {
  return { width: t.width, keys: share(t.keys), ids: share(t.ids), mask: t.mask };
}

export function shareParts(p: MatcherParts): MatcherParts {
  return {
    ...p,
    type: share(p.type), confidence: share(p.confidence), category: share(p.category), source: share(p.source),
    family: share(p.family), expiresAt: share(p.expiresAt), ref: share(p.ref), offsets: share(p.offsets), bytes: share(p.bytes),
    domains: shareStrings(p.domains), domainFilter: share(p.domainFilter), urls: shareStrings(p.urls), hashes: shareStrings(p.hashes),
    v4: shareWords(p.v4), v6: shareWords(p.v6), v4Port: shareWords(p.v4Port), v6Port: shareWords(p.v6Port),
  };
}
