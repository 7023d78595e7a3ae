/**
 * Fast path for EVE `flow` lines: one forward walk over the line's bytes (a Buffer, not a JS
 * string) that keeps the fields a FlowEvent needs and skips the rest, instead of building the whole
 * ~45-key object with JSON.parse. Why bytes: on Node 20.20 a loop over a Uint8Array ran ~3x faster
 * than charCodeAt over the same line as a string, and a string version of this walk was slower
 * than JSON.parse. Values become strings only for the fields kept; times and counts are read in
 * place. Figures: bench/eve.ts.
 *
 * It only accepts lines whose shape makes the walk exact, and otherwise returns null so the caller
 * falls back to JSON.parse (flow.ts holds the one mapping both use):
 * - no backslash in any string: then every `"` delimits a string, so quote-to-quote is exact;
 * - kept strings are ASCII (a multi-byte character would need UTF-8 decoding: JSON.parse has it);
 * - compact JSON (`"key":value`, no spaces); `flow` and `tcp` at the top level, each once; other
 *   objects and arrays are stepped over whole; a known key holding a value of another type falls back;
 * - integers plain, non-negative and safe (≤ 2^53 - 1), no leading zeros.
 * Duplicate keys: the last wins, as with JSON.parse. It does not validate what it skips (a bad
 * literal in an unknown field passes here where JSON.parse would refuse the line).
 */
import { parseSuricataTimeAt } from './codes.ts';
import type { FlowFields } from './flow.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const BACKSLASH = 0x5c;

const TOP = 0;
const FLOW = 1;
const TCP = 2;

/** b[from, to) is one line; returns its flow fields, or null to say "use JSON.parse". */
export function fastFlowBytes(b: Uint8Array, from: number, to: number): FlowFields | null {
  const n = to;
  if (n - from < 2 || b[from] !== OPEN || b[n - 1] !== CLOSE) return null;
  // Every field present from the start, in one order: one object shape for V8.
  const f: FlowFields = { timestamp: undefined, host: undefined, src_ip: '', src_port: undefined, dest_ip: '', dest_port: undefined, proto: '', start: undefined, end: undefined, bytes_toserver: undefined, bytes_toclient: undefined, pkts_toserver: undefined, pkts_toclient: undefined, tcp_flags: undefined, tcp_state: undefined };
  let flowType = false;
  let src: string | undefined, dst: string | undefined, proto: string | undefined;
  let sawFlow = false, sawTcp = false;
  let obj = TOP;
  let pos = from + 1;
  if (b[pos] === CLOSE) return null;
  for (;;) {
    if (b[pos] !== QUOTE) return null;
    const k = pos + 1;
    const ke = stringEnd(b, k, n);
    if (ke < 0 || b[ke + 1] !== COLON) return null;
    const klen = ke - k;
    const v = ke + 2;
    const vc = b[v];
    let next: number;
    if (vc === QUOTE) {
      const ve = stringEnd(b, v + 1, n);
      if (ve < 0) return null;
      next = ve + 1;
      const key = keyAt(obj, b, k, klen);
      if (key !== 0) {
        const s = v + 1;
        switch (key) {
          case K_EVENT_TYPE:
            // Not a flow line: say so at once, before walking the rest of it.
            flowType = ve - s === 4 && eq(b, s, B_FLOW);
            if (!flowType) return null;
            break;
          case K_TIMESTAMP: f.timestamp = parseSuricataTimeAt(b, s, ve); break;
          case K_START: f.start = parseSuricataTimeAt(b, s, ve); break;
          case K_END: f.end = parseSuricataTimeAt(b, s, ve); break;
          case K_HOST: f.host = lastHost = interned(b, s, ve, lastHost); break;
          case K_PROTO: proto = lastProto = interned(b, s, ve, lastProto); break;
          case K_TCP_FLAGS: f.tcp_flags = lastFlags = interned(b, s, ve, lastFlags); break;
          case K_STATE: f.tcp_state = lastState = interned(b, s, ve, lastState); break;
          case K_SRC_IP: src = ascii(b, s, ve); break;
          case K_DEST_IP: dst = ascii(b, s, ve); break;
          default: return null; // a known key holding a string where we expect another type
        }
        if (asciiBad) return (asciiBad = false), null;
      }
    } else if (vc === OPEN || vc === OPEN_ARRAY) {
      const key = keyAt(obj, b, k, klen);
      if (vc === OPEN && obj === TOP && ((key === K_FLOW && !sawFlow) || (key === K_TCP && !sawTcp))) {
        obj = key === K_FLOW ? FLOW : TCP;
        if (key === K_FLOW) sawFlow = true;
        else sawTcp = true;
        if (b[v + 1] !== CLOSE) {
          pos = v + 1;
          continue;
        }
        next = v + 1; // {}: closed below, like any object
      } else {
        // A value we do not read (metadata, ether, tunnel, …) is stepped over whole; a known key
        // holding an object or array, or a second flow/tcp (JSON.parse keeps only the last), falls back.
        if (key !== 0) return null;
        next = skipNested(b, v, n);
        if (next < 0) return null;
      }
    } else {
      // A number or literal: runs to the next ',' or '}'; only [0-9a-z.+-E] may appear in it.
      let e = v;
      for (; e < n; e++) {
        const c = b[e]!;
        if (c === COMMA || c === CLOSE) break;
        if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x45)) return null;
      }
      if (e === v) return null;
      next = e;
      const key = keyAt(obj, b, k, klen);
      if (key !== 0) {
        const num = plainInt(b, v, e);
        if (num < 0) return null; // not a plain integer (or a string key holding a number: see default)
        switch (key) {
          case K_SRC_PORT: f.src_port = num; break;
          case K_DEST_PORT: f.dest_port = num; break;
          case K_BYTES_TS: f.bytes_toserver = num; break;
          case K_BYTES_TC: f.bytes_toclient = num; break;
          case K_PKTS_TS: f.pkts_toserver = num; break;
          case K_PKTS_TC: f.pkts_toclient = num; break;
          default: return null;
        }
      }
    }
    // After a value: ',' then the next key, or '}' closing this object.
    let c = b[next];
    while (c === CLOSE) {
      if (obj === TOP) {
        if (next !== n - 1) return null;
        if (!flowType || !sawFlow || src === undefined || dst === undefined || proto === undefined) return null;
        f.src_ip = src;
        f.dest_ip = dst;
        f.proto = proto;
        return f;
      }
      obj = TOP;
      c = b[++next];
    }
    if (c !== COMMA) return null;
    pos = next + 1;
  }
}

/** Index of the quote closing a string whose text starts at `at`; -1 on a backslash or no end. */
function stringEnd(b: Uint8Array, at: number, n: number): number {
  for (let i = at; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

/** The end (index after) of the object or array opening at `at`; -1 on a backslash or no end. */
function skipNested(b: Uint8Array, at: number, n: number): number {
  let depth = 0;
  for (let i = at; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) {
      i = stringEnd(b, i + 1, n);
      if (i < 0) return -1;
    } else if (c === OPEN || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE || c === CLOSE_ARRAY) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Set by ascii()/interned() on a non-ASCII byte (the line then goes to JSON.parse). */
let asciiBad = false;

/**
 * b[s, e) as a string, ASCII only. String.fromCharCode with the bytes as arguments measured ~3x
 * cheaper than Buffer#latin1Slice (a call into C++) for an address-sized string.
 */
function ascii(b: Uint8Array, s: number, e: number): string {
  for (let i = s; i < e; i++) if (b[i]! >= 0x80) return (asciiBad = true), '';
  // Explicit arguments, no helper closure: a closure per call (and tsx's __name on it) cost more than the copy.
  switch (e - s) {
    case 7: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!);
    case 11: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!);
    case 12: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!);
    case 13: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!);
    case 14: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!);
    case 15: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!);
    default: return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
  }
}

/** Last strings of the low-cardinality fields: a line repeating one (nearly all) makes no string. */
let lastHost = '', lastProto = '', lastFlags = '', lastState = '';

function interned(b: Uint8Array, s: number, e: number, last: string): string {
  return last.length === e - s && same(b, s, last) ? last : ascii(b, s, e);
}

/** b at s holds the ASCII text t. */
function same(b: Uint8Array, s: number, t: string): boolean {
  for (let i = 0; i < t.length; i++) if (b[s + i] !== t.charCodeAt(i)) return false;
  return true;
}

const K_EVENT_TYPE = 1, K_TIMESTAMP = 2, K_HOST = 3, K_SRC_IP = 4, K_DEST_IP = 5, K_PROTO = 6, K_SRC_PORT = 7, K_DEST_PORT = 8;
const K_START = 9, K_END = 10, K_BYTES_TS = 11, K_BYTES_TC = 12, K_PKTS_TS = 13, K_PKTS_TC = 14, K_TCP_FLAGS = 15, K_STATE = 16;
const K_FLOW = 17, K_TCP = 18;

/** Keys as bytes: comparing bytes to bytes; a string's charCodeAt measured slower here. */
const bytes = (t: string): Uint8Array => Buffer.from(t, 'latin1');
const B_BYTES_TOCLIENT = bytes('bytes_toclient');
const B_BYTES_TOSERVER = bytes('bytes_toserver');
const B_DEST_IP = bytes('dest_ip');
const B_DEST_PORT = bytes('dest_port');
const B_END = bytes('end');
const B_EVENT_TYPE = bytes('event_type');
const B_FLOW = bytes('flow');
const B_HOST = bytes('host');
const B_PKTS_TOCLIENT = bytes('pkts_toclient');
const B_PKTS_TOSERVER = bytes('pkts_toserver');
const B_PROTO = bytes('proto');
const B_SRC_IP = bytes('src_ip');
const B_SRC_PORT = bytes('src_port');
const B_START = bytes('start');
const B_STATE = bytes('state');
const B_TCP = bytes('tcp');
const B_TCP_FLAGS = bytes('tcp_flags');
const B_TIMESTAMP = bytes('timestamp');

/** b at s holds the bytes t. */
function eq(b: Uint8Array, s: number, t: Uint8Array): boolean {
  for (let i = 0; i < t.length; i++) if (b[s + i] !== t[i]) return false;
  return true;
}

/** Key at b[k, k+len) → its id at that level (0 = a key we skip); the length decides most. */
function topKey(b: Uint8Array, k: number, len: number): number {
  switch (len) {
    case 10: return eq(b, k, B_EVENT_TYPE) ? K_EVENT_TYPE : 0;
    case 9: return eq(b, k, B_TIMESTAMP) ? K_TIMESTAMP : eq(b, k, B_DEST_PORT) ? K_DEST_PORT : 0;
    case 8: return eq(b, k, B_SRC_PORT) ? K_SRC_PORT : 0;
    case 7: return eq(b, k, B_DEST_IP) ? K_DEST_IP : 0;
    case 6: return eq(b, k, B_SRC_IP) ? K_SRC_IP : 0;
    case 5: return eq(b, k, B_PROTO) ? K_PROTO : 0;
    case 4: return eq(b, k, B_HOST) ? K_HOST : eq(b, k, B_FLOW) ? K_FLOW : 0;
    case 3: return eq(b, k, B_TCP) ? K_TCP : 0;
    default: return 0;
  }
}

function flowKey(b: Uint8Array, k: number, len: number): number {
  switch (len) {
    case 14: return eq(b, k, B_BYTES_TOSERVER) ? K_BYTES_TS : eq(b, k, B_BYTES_TOCLIENT) ? K_BYTES_TC : 0;
    case 13: return eq(b, k, B_PKTS_TOSERVER) ? K_PKTS_TS : eq(b, k, B_PKTS_TOCLIENT) ? K_PKTS_TC : 0;
    case 5: return eq(b, k, B_START) ? K_START : 0;
    case 3: return eq(b, k, B_END) ? K_END : 0;
    default: return 0;
  }
}

function tcpKey(b: Uint8Array, k: number, len: number): number {
  return len === 9 && eq(b, k, B_TCP_FLAGS) ? K_TCP_FLAGS : len === 5 && eq(b, k, B_STATE) ? K_STATE : 0;
}

function keyAt(obj: number, b: Uint8Array, k: number, len: number): number {
  return obj === TOP ? topKey(b, k, len) : obj === FLOW ? flowKey(b, k, len) : tcpKey(b, k, len);
}

/** b[from, to) as a plain non-negative safe integer (no leading zero), else -1 (JSON.parse decides). */
function plainInt(b: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len === 0 || len > 16 || (len > 1 && b[from] === 0x30)) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  // 16 digits may pass 2^53: past it the sum above is inexact, and JSON.parse says what it is.
  return v <= Number.MAX_SAFE_INTEGER ? v : -1;
}
