/**
 * Typed access to the native batched-UDP addon (native/udp-batch): recvmmsg/sendmmsg over
 * slots shared with JS, so a burst of queries costs one syscall and one JS call per batch rather
 * than per datagram, and SO_REUSEPORT so several worker threads can each own a socket on one port.
 * The addon is optional (built by the root `prepare` script); without it `loadUdpBatch()` gives
 * null and the reason, and the gateway stays on node:dgram.
 *
 * The shared views: slot i of `inBuf` holds datagram i of the batch being delivered (its length
 * in `inLen[i]`, -1 when it was longer than a slot and cut), its sender in `inAddr` as a 20-byte
 * record (ADDR_BYTES). They are overwritten by the next batch, so whatever an async path needs
 * must be copied inside `onBatch` (see copyAddr). Replies go into `outBuf`/`outLen`/`outAddr`
 * and out with `sendBatch(h, n)`, or one at a time later with `sendTo`.
 */
import { createRequire } from 'node:module';
import { formatA, formatAAAA } from '../wire/index.ts';

/** Bytes per address record: [0] = 4 or 6, [2..3] = port (big-endian), [4..19] = address. */
export const ADDR_BYTES = 20;

export interface UdpBatchOptions {
  /** SO_REUSEPORT: several handles (e.g. one per worker thread) may bind the same address. */
  reusePort?: boolean;
  /** Datagrams per recvmmsg/sendmmsg (1–1024; 64 by default). */
  batch?: number;
  /** Bytes per packet slot (512–65536, a multiple of 8; 4096 by default). Longer datagrams are cut and reported as -1. */
  slot?: number;
  rcvbuf?: number;
  sndbuf?: number;
}

/** One socket. The views stay readable after close (they just stop changing). */
export interface UdpBatchHandle {
  readonly inBuf: Uint8Array;
  readonly inLen: Int32Array;
  readonly inAddr: Uint8Array;
  readonly outBuf: Uint8Array;
  readonly outLen: Int32Array;
  readonly outAddr: Uint8Array;
  readonly batch: number;
  readonly slot: number;
  readonly family: 4 | 6;
}

export interface UdpBatchStats {
  received: number;
  sent: number;
  truncated: number;
  /** Replies not sent: bad length or address family, kernel errors, EAGAIN (the rest of the batch dropped). */
  sendErrors: number;
  recvErrors: number;
  batches: number;
}

export interface UdpBatchBinding {
  /**
   * Binds `host` (an IPv4 or IPv6 literal; v6 sockets are v6-only) and starts reading on this
   * thread's event loop. `onBatch(n)` runs with `this` = the handle once per batch of n datagrams
   * (at most 4 batches per loop turn). Throws an Error with `code` (e.g. EADDRINUSE) on failure.
   */
  open(host: string, port: number, opts: UdpBatchOptions, onBatch: (this: UdpBatchHandle, n: number) => void): UdpBatchHandle;
  /** Sends out slots 0..n-1 to their `outAddr` records; the number sent (failures are counted, not thrown). */
  sendBatch(h: UdpBatchHandle, n: number): number;
  /** One datagram to a 20-byte address record, now; false when it could not be sent. */
  sendTo(h: UdpBatchHandle, buf: Uint8Array, addr: Uint8Array): boolean;
  port(h: UdpBatchHandle): number;
  /** Idempotent; the port is free when it returns. */
  close(h: UdpBatchHandle): void;
  /** Whether the open socket keeps the event loop alive (it does by default, as dgram's). */
  ref(h: UdpBatchHandle, on: boolean): void;
  stats(h: UdpBatchHandle): UdpBatchStats;
}

const FUNCTIONS = ['open', 'sendBatch', 'sendTo', 'port', 'close', 'ref', 'stats'] as const;

let loaded: UdpBatchBinding | null | undefined;
let loadError: string | undefined;

/** The addon, or null when it was not built or does not load (the reason: udpBatchLoadError()). */
export function loadUdpBatch(): UdpBatchBinding | null {
  if (loaded !== undefined) return loaded;
  try {
    // Same depth from src/dns/server and dist/dns/server: the repository root, then native/.
    const mod: unknown = createRequire(import.meta.url)('../../../native/udp-batch/index.cjs');
    const missing = FUNCTIONS.filter((f) => typeof (mod as Record<string, unknown> | null)?.[f] !== 'function');
    if (missing.length > 0) throw new Error(`unexpected exports (missing ${missing.join(', ')})`);
    loaded = mod as UdpBatchBinding;
  } catch (e) {
    loadError = `udp-batch addon unavailable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    loaded = null;
  }
  return loaded;
}

export function udpBatchLoadError(): string | undefined {
  return loadError;
}

// ---- address records -------------------------------------------------------------------------

export function addrPort(addrs: Uint8Array, i: number): number {
  const o = i * ADDR_BYTES;
  return (addrs[o + 2]! << 8) | addrs[o + 3]!;
}

export function addrFamily(addrs: Uint8Array, i: number): 4 | 6 {
  return addrs[i * ADDR_BYTES] === 6 ? 6 : 4;
}

// A resolver's clients are few compared with its queries: text for an address is made once and
// reused. Bounded by clearing, which is cheap and rare.
const CACHE_MAX = 4096;
const v4Text = new Map<number, string>();
const v6Text = new Map<string, string>();

/** The address as text: dotted quad, or RFC 5952 IPv6. */
export function addrText(addrs: Uint8Array, i: number): string {
  const o = i * ADDR_BYTES + 4;
  if (addrs[i * ADDR_BYTES] !== 6) {
    const key = ((addrs[o]! << 24) | (addrs[o + 1]! << 16) | (addrs[o + 2]! << 8) | addrs[o + 3]!) >>> 0;
    let s = v4Text.get(key);
    if (s === undefined) {
      if (v4Text.size >= CACHE_MAX) v4Text.clear();
      s = formatA(addrs, o);
      v4Text.set(key, s);
    }
    return s;
  }
  let key = '';
  for (let k = 0; k < 16; k += 2) key += String.fromCharCode((addrs[o + k]! << 8) | addrs[o + k + 1]!);
  let s = v6Text.get(key);
  if (s === undefined) {
    if (v6Text.size >= CACHE_MAX) v6Text.clear();
    s = formatAAAA(addrs, o);
    v6Text.set(key, s);
  }
  return s;
}

/** A copy of record i, to answer later with sendTo (the shared record is reused by the next batch). */
export function copyAddr(addrs: Uint8Array, i: number): Uint8Array {
  return addrs.slice(i * ADDR_BYTES, (i + 1) * ADDR_BYTES);
}

/** Writes record `fromIndex` of `from` (a lone record, or e.g. `inAddr`) as record j of `outAddr`. */
export function writeAddr(outAddr: Uint8Array, j: number, from: Uint8Array, fromIndex = 0): void {
  const o = j * ADDR_BYTES;
  const f = fromIndex * ADDR_BYTES;
  for (let k = 0; k < ADDR_BYTES; k++) outAddr[o + k] = from[f + k]!;
}
