/**
 * Just enough TCP reassembly (RFC 9293 §3.4 sequence space) to read the start of each direction:
 * segments are placed by sequence number, retransmitted bytes are ignored (first copy wins, as
 * most IDSs do for the simple case), out-of-order segments wait in a short list until the gap
 * fills, and nothing is accepted past `limit` bytes of stream. Apps read `data()` and may
 * `consume()` what they have parsed, so a line-oriented reader keeps only a partial line.
 */

const MAX_PENDING = 32;

/**
 * Freed stream buffers by size (powers of two from 512 bytes), reused by the next streams: a
 * capture of many short connections otherwise allocates and collects two buffers per
 * connection. Bounded so a burst of connections does not pin memory afterwards.
 */
const MIN_BUF = 512;
const POOL_MAX_BYTES = 64 * 1024;
const POOL_PER_SIZE = 64;
const pool = new Map<number, Uint8Array[]>();

function take(size: number): Uint8Array {
  return pool.get(size)?.pop() ?? new Uint8Array(size);
}

function give(b: Uint8Array): void {
  const n = b.length;
  // Only pooled sizes (a power of two in range) come back; others are left to the collector.
  if (n > POOL_MAX_BYTES || n < MIN_BUF || (n & (n - 1)) !== 0) return;
  let list = pool.get(n);
  if (list === undefined) pool.set(n, (list = []));
  if (list.length < POOL_PER_SIZE) list.push(b);
}

interface Pending {
  rel: number;
  bytes: Uint8Array;
}

export class Stream {
  /** Sequence number of stream byte 0 (the SYN's seq + 1, or the first segment's seq). */
  private base = 0;
  private started = false;
  private buf: Uint8Array | null = null;
  /** Bytes held in buf. */
  private len = 0;
  /** Stream offset of buf[0] (bytes consumed by the app before it). */
  private consumed = 0;
  private pending: Pending[] = [];
  /** No more bytes will be accepted (limit reached, or the app lost interest). */
  done = false;
  /** Contiguous stream bytes seen so far. */
  get total(): number {
    return this.consumed + this.len;
  }

  /**
   * @param limit stream bytes to accept in all
   * @param cap bytes held at once (when the app does not consume)
   */
  constructor(
    public limit: number,
    public cap: number = limit,
  ) {}

  syn(seq: number): void {
    if (this.started) return;
    this.base = (seq + 1) >>> 0;
    this.started = true;
  }

  /** Adds a segment; true when new contiguous bytes became readable. */
  add(seq: number, data: Uint8Array): boolean {
    return this.addAt(seq, data, 0, data.length);
  }

  /** add() of the segment src[off, off + n), without making a view of it (per packet). */
  addAt(seq: number, src: Uint8Array, off: number, n: number): boolean {
    if (this.done || n === 0) return false;
    if (!this.started) {
      // Mid-stream start (no SYN seen): the first segment defines stream byte 0.
      this.base = seq >>> 0;
      this.started = true;
    }
    // Signed 32-bit distance handles sequence wrap-around (RFC 9293 §3.4).
    let rel = (seq - this.base) | 0;
    if (rel < 0) {
      if (-rel >= n) return false;
      off -= rel;
      n += rel;
      rel = 0;
    }
    if (rel >= this.limit) return false;
    if (rel + n > this.limit) n = this.limit - rel;
    const total = this.total;
    if (rel > total) {
      // A gap: keep a copy (the frame's buffer is reused) until the missing bytes arrive.
      if (this.pending.length < MAX_PENDING) this.pending.push({ rel, bytes: src.slice(off, off + n) });
      return false;
    }
    if (!this.append(rel, src, off, n)) return false;
    if (this.pending.length > 0) this.drainPending();
    if (this.total >= this.limit) this.done = true;
    return true;
  }

  private append(rel: number, src: Uint8Array, off: number, n: number): boolean {
    const total = this.total;
    if (rel + n <= total) return false; // retransmission of bytes we hold
    const from = off + (total - rel);
    const k = off + n - from;
    const need = this.len + k;
    if (need > this.cap) {
      this.done = true;
      return false;
    }
    let buf = this.buf;
    if (buf === null || buf.length < need) {
      // Powers of two (pooled sizes) while under the cap; the cap itself as the last step.
      let size = buf?.length ?? MIN_BUF;
      while (size < need) size *= 2;
      const grown = size > this.cap ? new Uint8Array(this.cap) : take(size);
      if (buf !== null) {
        grown.set(buf.subarray(0, this.len));
        give(buf);
      }
      this.buf = buf = grown;
    }
    // A short segment is copied by hand: set() with a view costs more than the loop below ~64 bytes.
    if (k < 64) for (let i = 0, o = this.len; i < k; i++) buf[o + i] = src[from + i]!;
    else buf.set(src.subarray(from, from + k), this.len);
    this.len = need;
    return true;
  }

  private drainPending(): void {
    for (let moved = true; moved && this.pending.length > 0; ) {
      moved = false;
      for (let i = 0; i < this.pending.length; i++) {
        const p = this.pending[i]!;
        if (p.rel > this.total) continue;
        this.pending.splice(i, 1);
        this.append(p.rel, p.bytes, 0, p.bytes.length);
        moved = true;
        break;
      }
    }
  }

  /** The readable bytes not yet consumed (a view: valid until the next add or consume). */
  data(): Uint8Array {
    return this.buf === null ? EMPTY : this.buf.subarray(0, this.len);
  }

  consume(n: number): void {
    if (this.buf === null || n <= 0) return;
    const k = Math.min(n, this.len);
    this.buf.copyWithin(0, k, this.len);
    this.len -= k;
    this.consumed += k;
  }

  /** The byte at readable offset i (i < data().length), without a view. */
  at(i: number): number {
    return this.buf![i]!;
  }

  /** The buffer behind data() (readable bytes are [0, length)); null before any byte. */
  raw(): Uint8Array | null {
    return this.buf;
  }

  /** Readable bytes not yet consumed. */
  get length(): number {
    return this.len;
  }

  /**
   * Stops buffering and returns the buffer to the pool: views from data() taken before are
   * invalid afterwards.
   */
  stop(): void {
    this.done = true;
    if (this.buf !== null) give(this.buf);
    this.buf = null;
    this.len = 0;
    this.pending = [];
  }
}

const EMPTY = new Uint8Array(0);
