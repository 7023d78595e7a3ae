/**
 * Message encoding (RFC 1035 §4.1) into one growable buffer, with name compression
 * (RFC 1035 §4.1.4) and truncation to a size limit (RFC 1035 §4.2.1, RFC 2181 §9).
 */
import { WireError } from './errors.ts';
import { writeA, writeAAAA } from './ip.ts';
import { writeName } from './name.ts';
import { TYPE } from './types.ts';
import type { Edns, Flags, Message, RData, ResourceRecord } from './types.ts';
import { Writer } from './writer.ts';

export interface EncodeOptions {
  /**
   * Largest message to produce (the UDP payload limit: 512 without EDNS, else the smaller of the
   * client's udpSize and ours). Capped at 65535, the TCP limit (RFC 1035 §4.2.2).
   */
  maxSize?: number;
}

const MAX_MESSAGE = 0xffff;

/** Reused across calls (encoding is synchronous); the result is a copy of exactly its size. */
let out = new Writer(512);
const comp = new Map<string, number>();

function flagBits(f: Flags): number {
  return (
    (f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x0400 : 0) | (f.tc ? 0x0200 : 0) | (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) | (f.ad ? 0x0020 : 0) | (f.cd ? 0x0010 : 0) | (f.rcode & 0xf)
  );
}

function checkKind(rr: ResourceRecord, ok: boolean): void {
  if (!ok) throw new WireError('bad-rdata', `RDATA kind '${rr.data.kind}' does not fit type ${rr.type}`);
}

/**
 * RDATA of one record. Names in CNAME, NS, PTR, MX and SOA are compressed (RFC 3597 §4 lists
 * the types where that is allowed); DNAME (RFC 6672 §2.5) and SRV (RFC 2782, "name compression
 * is not to be used for this field") are written in full, raw RDATA verbatim.
 */
function writeRData(w: Writer, rr: ResourceRecord, data: RData): void {
  switch (data.kind) {
    case 'a':
      checkKind(rr, rr.type === TYPE.A);
      writeA(w, data.address);
      return;
    case 'aaaa':
      checkKind(rr, rr.type === TYPE.AAAA);
      writeAAAA(w, data.address);
      return;
    case 'name': {
      const t = rr.type;
      checkKind(rr, t === TYPE.CNAME || t === TYPE.NS || t === TYPE.PTR || t === TYPE.DNAME);
      writeName(w, data.name, t === TYPE.DNAME ? undefined : comp);
      return;
    }
    case 'mx':
      checkKind(rr, rr.type === TYPE.MX);
      w.u16(data.preference);
      writeName(w, data.exchange, comp);
      return;
    case 'soa':
      checkKind(rr, rr.type === TYPE.SOA);
      writeName(w, data.mname, comp);
      writeName(w, data.rname, comp);
      w.u32(data.serial);
      w.u32(data.refresh);
      w.u32(data.retry);
      w.u32(data.expire);
      w.u32(data.minimum);
      return;
    case 'srv':
      checkKind(rr, rr.type === TYPE.SRV);
      w.u16(data.priority);
      w.u16(data.weight);
      w.u16(data.port);
      writeName(w, data.target);
      return;
    case 'raw':
      w.bytes(data.bytes);
      return;
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  writeName(w, rr.name, comp);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.pos;
  w.u16(0);
  writeRData(w, rr, rr.data);
  const rdlen = w.pos - lenAt - 2;
  if (rdlen > 0xffff) throw new WireError('bad-rdata', 'RDATA longer than 65535 bytes');
  w.setU16(lenAt, rdlen);
}

/** Bytes the OPT record will take: root name, fixed fields, options (RFC 6891 §6.1.2). */
function ednsSize(e: Edns | null): number {
  if (e === null) return 0;
  let n = 11;
  for (const o of e.options) n += 4 + o.data.length;
  return n;
}

function writeEdns(w: Writer, e: Edns): void {
  w.u8(0);
  w.u16(TYPE.OPT);
  w.u16(e.udpSize);
  // RFC 6891 §6.1.3: extended RCODE, version, DO, Z in the TTL field.
  w.u32(((e.extendedRcode & 0xff) << 24) | ((e.version & 0xff) << 16) | (e.dnssecOk ? 0x8000 : 0));
  const lenAt = w.pos;
  w.u16(0);
  for (const o of e.options) {
    if (o.data.length > 0xffff) throw new WireError('bad-edns', `EDNS option ${o.code} longer than 65535 bytes`);
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
  const rdlen = w.pos - lenAt - 2;
  if (rdlen > 0xffff) throw new WireError('bad-edns', 'OPT RDATA longer than 65535 bytes');
  w.setU16(lenAt, rdlen);
}

function count(n: number, what: string): number {
  if (n > 0xffff) throw new WireError('too-long', `more than 65535 ${what}`);
  return n;
}

/**
 * Encodes a message; the OPT record from `edns` goes last in the additional section. When the
 * result would exceed `maxSize`, the answer, authority and additional records are dropped and TC
 * is set (RFC 1035 §4.2.1, RFC 2181 §9: the client retries over TCP); the header, questions and
 * OPT stay. If even those do not fit, the OPT and then the questions go too (TC still set).
 */
export function encode(msg: Message, opts?: EncodeOptions): Uint8Array {
  const limit = Math.min(opts?.maxSize ?? MAX_MESSAGE, MAX_MESSAGE);
  if (!(limit >= 12)) throw new WireError('too-long', `maxSize ${opts?.maxSize} is below the 12-byte header`);
  const w = out;
  w.pos = 0;
  comp.clear();
  const edns = msg.edns;
  const optSize = ednsSize(edns);
  const bits = flagBits(msg.flags);
  w.u16(msg.id);
  w.u16(bits);
  w.u16(count(msg.questions.length, 'questions'));
  w.u16(count(msg.answers.length, 'answers'));
  w.u16(count(msg.authorities.length, 'authority records'));
  w.u16(count(msg.additionals.length + (edns === null ? 0 : 1), 'additional records'));
  for (const q of msg.questions) {
    writeName(w, q.name, comp);
    w.u16(q.type);
    w.u16(q.class);
  }
  const questionEnd = w.pos;
  let fits = questionEnd + optSize <= limit;
  for (let s = 0; s < 3 && fits; s++) {
    const list = s === 0 ? msg.answers : s === 1 ? msg.authorities : msg.additionals;
    for (let i = 0; i < list.length; i++) {
      writeRecord(w, list[i]!);
      if (w.pos + optSize > limit) {
        fits = false;
        break;
      }
    }
  }
  if (!fits) {
    // Only the question names are behind questionEnd, so their compression pointers stay valid.
    w.setU16(2, bits | 0x0200);
    w.setU16(6, 0);
    w.setU16(8, 0);
    w.setU16(10, 0);
    if (questionEnd > limit) {
      w.setU16(4, 0);
      w.pos = 12;
    } else {
      w.pos = questionEnd;
    }
  }
  if (edns !== null && w.pos + optSize <= limit) {
    writeEdns(w, edns);
    if (!fits) w.setU16(10, 1);
  }
  // One oversized record must not pin a huge buffer for the life of the process.
  if (w.buf.length > 2 * MAX_MESSAGE) out = new Writer(512);
  return w.buf.slice(0, w.pos);
}

/** The full RCODE: with EDNS, (extended << 4) | header rcode (RFC 6891 §6.1.3). */
export function rcodeOf(msg: Message): number {
  return msg.edns === null ? msg.flags.rcode : (msg.edns.extendedRcode << 4) | msg.flags.rcode;
}

/**
 * Sets the full RCODE in place: the low 4 bits in the header, the rest in the OPT record. An
 * RCODE over 15 (BADVERS and up) needs EDNS; without it that is a 'bad-edns' WireError.
 */
export function setRcode(msg: Message, rcode: number): void {
  if (!Number.isInteger(rcode) || rcode < 0 || rcode > 0xfff) throw new WireError('bad-edns', `RCODE ${rcode} out of range`);
  if (msg.edns === null && rcode > 0xf) throw new WireError('bad-edns', `RCODE ${rcode} needs EDNS`);
  msg.flags.rcode = rcode & 0xf;
  if (msg.edns !== null) msg.edns.extendedRcode = rcode >>> 4;
}
