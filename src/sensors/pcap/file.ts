/**
 * Capture file readers: classic libpcap (both byte orders, µs and ns magic) and pcapng
 * (draft-ietf-opsawg-pcapng: SHB in either byte order, IDB with if_tsresol/if_tsoffset, EPB, SPB,
 * the obsolete PB; unknown blocks skipped by their length).
 *
 * `PcapDecoder` is incremental: `next(buf, pos, end)` decodes one record at `pos` and returns the
 * offset after it, or -1 when the record is not complete in `buf` (the caller reads more and calls
 * again with the leftover moved to the front). The packet is written into the decoder's reusable
 * `pkt` as offsets into `buf` (`buf`, `off`, `len`); its `data` is a view made only when asked for
 * (a subarray per packet was a tenth of the reading time), valid until the caller reuses that
 * buffer. Nothing is allocated per packet.
 */

export const MAGIC_US = 0xa1b2c3d4;
export const MAGIC_NS = 0xa1b23c4d;
export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
/** A record larger than this is taken as corruption (no capture has 64 MiB frames). */
export const MAX_RECORD = 64 * 1024 * 1024;

export interface RawPacket {
  /** Capture time in microseconds since the epoch. */
  tsUs: number;
  linktype: number;
  /** The captured bytes (a view; see the module comment). */
  data: Uint8Array;
  /** Length on the wire (≥ data.length when the capture was snapped). */
  origLen: number;
}

interface Iface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per second (if_tsresol, default 10^6). */
  unitsPerSec: number;
  /** if_tsoffset, seconds added to every timestamp. */
  offsetSec: number;
}

/** The decoder's reusable packet: the captured bytes are buf[off, off + len). */
export class Packet implements RawPacket {
  tsUs = 0;
  linktype = 0;
  origLen = 0;
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  get data(): Uint8Array {
    return this.buf.subarray(this.off, this.off + this.len);
  }
}

// Small integers rather than strings: next() runs once per record.
const enum State { Start, Classic, Pcapng, Dead }

export class PcapDecoder {
  readonly pkt = new Packet();
  format: 'pcap' | 'pcapng' | 'unknown' = 'unknown';
  /** Set (once) when the file is not a capture or a record is corrupt; decoding stops. */
  error: string | null = null;
  private state = State.Start;
  private le = true;
  private nsec = false;
  private linktype = 0;
  private ifaces: Iface[] = [];
  private lastTsUs = 0;

  /** Bytes the next call needs at `pos` at least (for growing the read buffer). */
  need = 4;

  /**
   * Decodes one record at pos. Returns the offset after it; -1 = need more bytes; -2 = dead
   * (error set). When the record was a packet, `emitted` is true and `pkt` holds it.
   */
  emitted = false;

  next(buf: Uint8Array, pos: number, end: number): number {
    this.emitted = false;
    const avail = end - pos;
    switch (this.state) {
      case State.Classic:
        return this.classicRecord(buf, pos, avail);
      case State.Pcapng:
        return this.block(buf, pos, avail);
      case State.Start:
        return this.header(buf, pos, avail);
      case State.Dead:
        return -2;
    }
  }

  private fail(why: string): number {
    this.error = why;
    this.state = State.Dead;
    return -2;
  }

  private header(buf: Uint8Array, pos: number, avail: number): number {
    if (avail < 4) return (this.need = 4), -1;
    const be = u32(buf, pos, false);
    if (be === PCAPNG_SHB) {
      this.state = State.Pcapng;
      this.format = 'pcapng';
      return this.block(buf, pos, avail);
    }
    const le = u32(buf, pos, true);
    let little: boolean;
    if (le === MAGIC_US || le === MAGIC_NS) little = true;
    else if (be === MAGIC_US || be === MAGIC_NS) little = false;
    else return this.fail('not a pcap or pcapng file');
    if (avail < 24) return (this.need = 24), -1;
    this.le = little;
    this.nsec = u32(buf, pos, little) === MAGIC_NS;
    // The link-layer header type is the low 16 bits; the upper bits carry FCS info (pcap spec §4).
    this.linktype = u32(buf, pos + 20, little) & 0xffff;
    this.state = State.Classic;
    this.format = 'pcap';
    this.need = 16;
    return pos + 24;
  }

  private classicRecord(buf: Uint8Array, pos: number, avail: number): number {
    if (avail < 16) return (this.need = 16), -1;
    const le = this.le;
    const incl = u32(buf, pos + 8, le);
    if (incl > MAX_RECORD) return this.fail(`record length ${incl} is implausible`);
    if (avail < 16 + incl) return (this.need = 16 + incl), -1;
    const sec = u32(buf, pos, le);
    const frac = u32(buf, pos + 4, le);
    const p = this.pkt;
    p.tsUs = sec * 1e6 + (this.nsec ? Math.floor(frac / 1000) : frac);
    p.linktype = this.linktype;
    p.buf = buf;
    p.off = pos + 16;
    p.len = incl;
    p.origLen = Math.max(u32(buf, pos + 12, le), incl);
    this.emitted = true;
    this.need = 16;
    return pos + 16 + incl;
  }

  private block(buf: Uint8Array, pos: number, avail: number): number {
    if (avail < 12) return (this.need = 12), -1;
    const typeBe = u32(buf, pos, false);
    let le = this.le;
    if (typeBe === PCAPNG_SHB) {
      // The section's byte order is given by its byte-order magic, not by the previous section.
      const bom = u32(buf, pos + 8, true);
      if (bom === BOM) le = true;
      else if (u32(buf, pos + 8, false) === BOM) le = false;
      else return this.fail('pcapng section header without byte-order magic');
    }
    const len = u32(buf, pos + 4, le);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) return this.fail(`pcapng block length ${len} is invalid`);
    if (avail < len) return (this.need = len), -1;
    this.need = 12;
    const next = pos + len;
    const bodyEnd = next - 4;
    if (typeBe === PCAPNG_SHB) {
      if (len < 28) return this.fail('pcapng section header too short');
      this.le = le;
      this.ifaces = [];
      return next;
    }
    const type = u32(buf, pos, le);
    switch (type) {
      case 1:
        this.idb(buf, pos + 8, bodyEnd);
        return next;
      case 6:
      case 2:
        return this.epb(buf, pos, bodyEnd, type === 2) ? next : this.badBlock(next);
      case 3:
        return this.spb(buf, pos, bodyEnd) ? next : this.badBlock(next);
      default:
        return next; // NRB, ISB, DSB, custom blocks: not needed here.
    }
  }

  /** Counted by the caller through `badBlocks`; the file goes on (block framing is intact). */
  badBlocks = 0;
  private badBlock(next: number): number {
    this.badBlocks++;
    return next;
  }

  private idb(buf: Uint8Array, at: number, end: number): void {
    const le = this.le;
    const iface: Iface = { linktype: 0, snaplen: 0, unitsPerSec: 1e6, offsetSec: 0 };
    if (at + 8 > end) {
      this.ifaces.push(iface);
      return;
    }
    iface.linktype = u16(buf, at, le);
    iface.snaplen = u32(buf, at + 4, le);
    // Options: code u16, length u16, value padded to 32 bits; opt_endofopt = 0.
    let o = at + 8;
    while (o + 4 <= end) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      const v = o + 4;
      if (code === 0 || v + olen > end) break;
      if (code === 9 && olen >= 1) {
        // if_tsresol: MSB clear = negative power of 10, set = negative power of 2.
        const r = buf[v]!;
        const exp = r & 0x7f;
        const units = r & 0x80 ? 2 ** exp : 10 ** exp;
        if (Number.isFinite(units) && units > 0) iface.unitsPerSec = units;
      } else if (code === 14 && olen >= 8) {
        iface.offsetSec = u32(buf, le ? v : v + 4, le) + u32(buf, le ? v + 4 : v, le) * 2 ** 32;
      }
      o = v + ((olen + 3) & ~3);
    }
    this.ifaces.push(iface);
  }

  private epb(buf: Uint8Array, pos: number, bodyEnd: number, obsolete: boolean): boolean {
    const le = this.le;
    const b = pos + 8;
    if (b + 20 > bodyEnd) return false;
    const ifId = obsolete ? u16(buf, b, le) : u32(buf, b, le);
    const iface = this.ifaces[ifId];
    if (iface === undefined) return false;
    const hi = u32(buf, b + 4, le);
    const lo = u32(buf, b + 8, le);
    const cap = u32(buf, b + 12, le);
    const data = b + 20;
    if (data + cap > bodyEnd) return false;
    const units = hi * 4294967296 + lo;
    const p = this.pkt;
    p.tsUs = iface.unitsPerSec === 1e6 ? units : Math.floor((units / iface.unitsPerSec) * 1e6);
    if (iface.offsetSec) p.tsUs += iface.offsetSec * 1e6;
    this.lastTsUs = p.tsUs;
    p.linktype = iface.linktype;
    p.buf = buf;
    p.off = data;
    p.len = cap;
    p.origLen = Math.max(u32(buf, b + 16, le), cap);
    this.emitted = true;
    return true;
  }

  private spb(buf: Uint8Array, pos: number, bodyEnd: number): boolean {
    // Simple Packet Block: interface 0, no timestamp (we reuse the last one seen), captured
    // length = min(original length, snaplen, what the block holds).
    const iface = this.ifaces[0];
    if (iface === undefined || pos + 12 > bodyEnd) return false;
    const orig = u32(buf, pos + 8, this.le);
    let cap = Math.min(orig, bodyEnd - (pos + 12));
    if (iface.snaplen > 0) cap = Math.min(cap, iface.snaplen);
    const p = this.pkt;
    p.tsUs = this.lastTsUs;
    p.linktype = iface.linktype;
    p.buf = buf;
    p.off = pos + 12;
    p.len = cap;
    p.origLen = orig;
    this.emitted = true;
    return true;
  }
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export interface BytesSummary {
  truncated: boolean;
  error: string | null;
  badBlocks: number;
}

/**
 * Every packet of an in-memory capture. The yielded record is reused: copy what you keep.
 * A truncated tail ends the iteration; `summary.truncated` says so.
 */
export function* packetsOf(bytes: Uint8Array, summary?: BytesSummary): Generator<RawPacket> {
  const d = new PcapDecoder();
  let pos = 0;
  for (;;) {
    const n = d.next(bytes, pos, bytes.length);
    if (n < 0) break;
    pos = n;
    if (d.emitted) yield d.pkt;
  }
  if (summary) {
    summary.error = d.error;
    summary.badBlocks = d.badBlocks;
    summary.truncated = d.error === null && pos < bytes.length;
  }
}
