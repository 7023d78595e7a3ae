/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4) and in presentation form (RFC 1035 §5.1):
 * labels joined with '.', no trailing dot, '' for the root; '.' and '\' in a label escaped as
 * `\.` and `\\`, space and bytes outside 0x21–0x7E as `\DDD`.
 */
import { WireError } from './errors.ts';
import type { Writer } from './writer.ts';

/** RFC 1035 §2.3.4: a name is at most 255 bytes on the wire, a label at most 63. */
export const MAX_NAME = 255;
export const MAX_LABEL = 63;
/**
 * Pointer hops allowed while reading one name. A name has at most 127 labels and an encoder
 * needs at most one pointer per label, so more hops are an attack (a long chain of pointers to
 * pointers would otherwise cost O(message) per name and O(message²) per message).
 */
const MAX_HOPS = 128;

/**
 * Presentation text of one name being built: at most 255 wire bytes, each at most 4 characters
 * (`\DDD`). A plain array, as String.fromCharCode.apply is about twice as fast on it as on a
 * typed array; its length is reset for each name.
 */
const chars: number[] = [];

/** Appends the presentation form of buf[from, to) to `chars` at n; returns the new n. */
function present(buf: Uint8Array, from: number, to: number, n: number, lower: boolean): number {
  for (let i = from; i < to; i++) {
    let c = buf[i]!;
    if (c > 0x20 && c < 0x7f) {
      if (c === 0x2e || c === 0x5c) chars[n++] = 0x5c;
      else if (lower && c >= 0x41 && c <= 0x5a) c |= 0x20;
      chars[n++] = c;
    } else {
      chars[n++] = 0x5c;
      chars[n++] = 0x30 + ((c / 100) | 0);
      chars[n++] = 0x30 + (((c / 10) | 0) % 10);
      chars[n++] = 0x30 + (c % 10);
    }
  }
  return n;
}

function text(n: number): string {
  if (n === 0) return '';
  chars.length = n;
  return String.fromCharCode.apply(null, chars);
}

export interface ReadName {
  name: string;
  /** Offset just after the name where it started (after the first pointer, if any). */
  end: number;
}

/**
 * Reads the name at `off` (offsets count from the start of `buf`, which must be the start of the
 * message). RFC 1035 §4.1.4 pointers must point strictly before the start of the run of labels
 * that holds them, so each hop goes backwards and reading always ends; 0x40 (RFC 6891 §5,
 * deprecated extended labels) and 0x80 (reserved) label types are rejected.
 */
export function readName(buf: Uint8Array, off: number): ReadName {
  const len = buf.length;
  let pos = off;
  let runStart = off;
  let end = -1;
  let wire = 1;
  let hops = 0;
  let n = 0;
  for (;;) {
    if (pos >= len) throw new WireError('truncated', 'name runs past the end of the message');
    const b = buf[pos]!;
    if (b === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= len) throw new WireError('truncated', 'pointer runs past the end of the message');
      const target = ((b & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= runStart) throw new WireError('bad-pointer', `pointer at ${pos} to ${target} does not point backwards`);
      if (++hops > MAX_HOPS) throw new WireError('bad-pointer', 'too many compression pointers');
      if (end < 0) end = pos + 2;
      pos = runStart = target;
      continue;
    }
    if (kind !== 0) throw new WireError('bad-name', `reserved label type 0x${kind.toString(16)} at ${pos}`);
    wire += b + 1;
    if (wire > MAX_NAME) throw new WireError('too-long', 'name longer than 255 bytes');
    if (pos + 1 + b > len) throw new WireError('truncated', 'label runs past the end of the message');
    if (n > 0) chars[n++] = 0x2e;
    n = present(buf, pos + 1, pos + 1 + b, n, false);
    pos += b + 1;
  }
  return { name: text(n), end };
}

/**
 * The offset after the name at `off` without building it (for skipping records). Checks bounds,
 * label types and the 255-byte limit of the uncompressed part; a pointer ends the name here, and
 * its target is not followed.
 */
export function skipName(buf: Uint8Array, off: number): number {
  const len = buf.length;
  let pos = off;
  for (;;) {
    if (pos >= len) throw new WireError('truncated', 'name runs past the end of the message');
    const b = buf[pos]!;
    if (b === 0) return pos + 1;
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= len) throw new WireError('truncated', 'pointer runs past the end of the message');
      if ((((b & 0x3f) << 8) | buf[pos + 1]!) >= off) throw new WireError('bad-pointer', `pointer at ${pos} does not point backwards`);
      return pos + 2;
    }
    if (kind !== 0) throw new WireError('bad-name', `reserved label type 0x${kind.toString(16)} at ${pos}`);
    pos += b + 1;
    if (pos - off >= MAX_NAME) throw new WireError('too-long', 'name longer than 255 bytes');
  }
}

/** Matching form of a presentation name: ASCII A–Z lowered (RFC 4343 §3), nothing else touched. */
export function nameKey(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  }
  return name;
}

/** Uncompressed wire form of the name being written, and where each label starts in it. */
const wireBuf = new Uint8Array(MAX_NAME);
const labelAt = new Uint8Array(128);
/** Where each label starts in the compression key. */
const keyAt = new Uint16Array(128);

function badName(name: string, why: string): WireError {
  return new WireError('bad-name', `${why}: ${JSON.stringify(name.length > 300 ? name.slice(0, 300) + '…' : name)}`);
}

/**
 * Parses presentation text into `wireBuf`/`labelAt`; returns the label count (0 for the root).
 * A trailing dot is allowed ('.' is the root too); `\X` is X and `\DDD` a decimal byte; text
 * outside ASCII is rejected (IDNs go on the wire as A-labels, RFC 5890).
 */
/** Set by parse(): the text had no escapes and only 0x21–0x7E, so it is its own key text. */
let plain = true;

function parse(name: string): number {
  plain = true;
  if (name === '' || name === '.') return 0;
  let w = 0;
  let count = 0;
  let i = 0;
  const n = name.length;
  while (i < n) {
    if (count === 127) throw new WireError('too-long', 'name longer than 255 bytes');
    const start = w;
    labelAt[count++] = start;
    w++;
    while (i < n) {
      let c = name.charCodeAt(i++);
      if (c === 0x2e) break;
      if (c > 0x7e || c < 0x21) {
        if (c > 0x7f) throw badName(name, 'non-ASCII character in name');
        plain = false;
      }
      if (c === 0x5c) {
        plain = false;
        if (i >= n) throw badName(name, 'trailing backslash');
        c = name.charCodeAt(i++);
        if (c >= 0x30 && c <= 0x39) {
          const d2 = name.charCodeAt(i) - 0x30;
          const d3 = name.charCodeAt(i + 1) - 0x30;
          if (!(d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9)) throw badName(name, 'escape \\DDD needs three digits');
          c = (c - 0x30) * 100 + d2 * 10 + d3;
          if (c > 255) throw badName(name, 'escape \\DDD over 255');
          i += 2;
        } else if (c > 0x7f) {
          throw badName(name, 'non-ASCII character in name');
        }
      }
      if (w >= MAX_NAME - 1) throw new WireError('too-long', 'name longer than 255 bytes');
      wireBuf[w++] = c;
    }
    const len = w - start - 1;
    // A trailing dot ends the outer loop, so an empty label is always an error ('a..b', '.a').
    if (len === 0) throw badName(name, 'empty label');
    if (len > MAX_LABEL) throw new WireError('too-long', 'label longer than 63 bytes');
    wireBuf[start] = len;
  }
  if (w + 1 > MAX_NAME) throw new WireError('too-long', 'name longer than 255 bytes');
  wireBuf[w] = 0;
  return count;
}

/** Uncompressed wire form of a presentation name (RFC 1035 §3.1). */
export function encodeName(name: string): Uint8Array {
  const count = parse(name);
  return count === 0 ? Uint8Array.of(0) : wireBuf.slice(0, labelWireEnd(count));
}

function labelWireEnd(count: number): number {
  const last = labelAt[count - 1]!;
  return last + 1 + wireBuf[last]! + 1;
}

/**
 * Writes `name` at the writer's position. With `comp`, a map of lower-cased presentation
 * suffix → message offset shared across one message, an already written suffix becomes a
 * pointer (RFC 1035 §4.1.4) and new suffixes at offsets below 0x3FFF are added.
 */
export function writeName(out: Writer, name: string, comp?: Map<string, number>): void {
  const count = parse(name);
  if (count === 0) {
    out.u8(0);
    return;
  }
  const size = labelWireEnd(count);
  out.ensure(size);
  const dst = out.buf;
  if (comp === undefined) {
    // Byte loops: subarray() + set() cost more than copying a few bytes.
    for (let i = 0; i < size; i++) dst[out.pos + i] = wireBuf[i]!;
    out.pos += size;
    return;
  }
  // Keys in canonical lower-case presentation form, whatever escapes the caller wrote. Plain
  // text is already canonical, and a label starts at the same index in it as on the wire.
  let key: string;
  if (plain) {
    key = nameKey(name.charCodeAt(name.length - 1) === 0x2e ? name.slice(0, -1) : name);
    for (let l = 0; l < count; l++) keyAt[l] = labelAt[l]!;
  } else {
    let n = 0;
    for (let l = 0; l < count; l++) {
      if (l > 0) chars[n++] = 0x2e;
      keyAt[l] = n;
      const from = labelAt[l]!;
      n = present(wireBuf, from + 1, from + 1 + wireBuf[from]!, n, true);
    }
    key = text(n);
  }
  for (let l = 0; l < count; l++) {
    const suffix = l === 0 ? key : key.slice(keyAt[l]);
    const at = comp.get(suffix);
    if (at !== undefined) {
      out.u16(0xc000 | at);
      return;
    }
    if (out.pos < 0x3fff) comp.set(suffix, out.pos);
    const from = labelAt[l]!;
    const to = from + 1 + wireBuf[from]!;
    let p = out.pos;
    for (let i = from; i < to; i++) dst[p++] = wireBuf[i]!;
    out.pos = p;
  }
  out.u8(0);
}
