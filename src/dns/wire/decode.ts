/**
 * Message decoding (RFC 1035 §4.1) of untrusted bytes: every read is bounds-checked, counts are
 * checked against the message size before anything is allocated, and nothing but WireError is
 * thrown. Offsets count from the start of `buf`, so a message inside a larger buffer is passed as
 * a subarray. Bytes after the last record are ignored.
 */
import { WireError } from './errors.ts';
import { formatA, formatAAAA } from './ip.ts';
import { readName, skipName } from './name.ts';
import { TYPE } from './types.ts';
import type { Edns, EdnsOption, Flags, Message, Question, RData, ResourceRecord } from './types.ts';

const HEADER = 12;
/** Smallest question: root name (1) + type + class. */
const MIN_QUESTION = 5;
/** Smallest record: root name (1) + type, class, TTL, RDLENGTH (10). */
const MIN_RR = 11;

function truncated(what: string): WireError {
  return new WireError('truncated', `${what} runs past the end of the message`);
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Header flags (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2). The Z bit is dropped. */
export function readFlags(buf: Uint8Array): Flags {
  const hi = buf[2]!;
  const lo = buf[3]!;
  return {
    qr: (hi & 0x80) !== 0,
    opcode: (hi >>> 3) & 0xf,
    aa: (hi & 0x04) !== 0,
    tc: (hi & 0x02) !== 0,
    rd: (hi & 0x01) !== 0,
    ra: (lo & 0x80) !== 0,
    ad: (lo & 0x20) !== 0,
    cd: (lo & 0x10) !== 0,
    rcode: lo & 0xf,
  };
}

interface Counts {
  qd: number;
  an: number;
  ns: number;
  ar: number;
}

function readCounts(buf: Uint8Array): Counts {
  if (buf.length < HEADER) throw truncated('header');
  const c = { qd: u16(buf, 4), an: u16(buf, 6), ns: u16(buf, 8), ar: u16(buf, 10) };
  if (c.qd * MIN_QUESTION + (c.an + c.ns + c.ar) * MIN_RR > buf.length - HEADER) {
    throw new WireError('bad-count', `counts ${c.qd}/${c.an}/${c.ns}/${c.ar} cannot fit ${buf.length} bytes`);
  }
  return c;
}

/** Reads the name at `at` as the whole RDATA up to `end` (RFC 1035 §3.3). */
function rdataName(buf: Uint8Array, at: number, end: number): { name: string; at: number } {
  const r = readName(buf, at);
  if (r.end > end) throw new WireError('bad-rdata', 'name runs past RDLENGTH');
  return { name: r.name, at: r.end };
}

function need(at: number, n: number, end: number): void {
  if (at + n > end) throw new WireError('bad-rdata', 'RDATA shorter than its type needs');
}

/** Typed RDATA for the types the gateway reads; RDLENGTH must be consumed exactly. */
function readRData(buf: Uint8Array, type: number, at: number, end: number): RData {
  let data: RData;
  let used: number;
  switch (type) {
    case TYPE.A:
      need(at, 4, end);
      data = { kind: 'a', address: formatA(buf, at) };
      used = at + 4;
      break;
    case TYPE.AAAA:
      need(at, 16, end);
      data = { kind: 'aaaa', address: formatAAAA(buf, at) };
      used = at + 16;
      break;
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
    case TYPE.DNAME: {
      const r = rdataName(buf, at, end);
      data = { kind: 'name', name: r.name };
      used = r.at;
      break;
    }
    case TYPE.MX: {
      need(at, 2, end);
      const r = rdataName(buf, at + 2, end);
      data = { kind: 'mx', preference: u16(buf, at), exchange: r.name };
      used = r.at;
      break;
    }
    case TYPE.SRV: {
      // RFC 2782: priority, weight, port, target.
      need(at, 6, end);
      const r = rdataName(buf, at + 6, end);
      data = { kind: 'srv', priority: u16(buf, at), weight: u16(buf, at + 2), port: u16(buf, at + 4), target: r.name };
      used = r.at;
      break;
    }
    case TYPE.SOA: {
      const m = rdataName(buf, at, end);
      const r = rdataName(buf, m.at, end);
      const p = r.at;
      need(p, 20, end);
      data = {
        kind: 'soa', mname: m.name, rname: r.name,
        serial: u32(buf, p), refresh: u32(buf, p + 4), retry: u32(buf, p + 8), expire: u32(buf, p + 12), minimum: u32(buf, p + 16),
      };
      used = p + 20;
      break;
    }
    default:
      // RFC 3597 §5: unknown types are opaque. A copy, so the message outlives a reused buffer.
      return { kind: 'raw', bytes: buf.slice(at, end) };
  }
  if (used !== end) throw new WireError('bad-rdata', `RDATA of type ${type} is ${end - at} bytes, used ${used - at}`);
  return data;
}

/** The OPT pseudo-record (RFC 6891 §6.1.2–6.1.3) from its fixed fields and RDATA. */
function readEdns(buf: Uint8Array, ownerIsRoot: boolean, cls: number, ttl: number, at: number, end: number): Edns {
  if (!ownerIsRoot) throw new WireError('bad-edns', 'OPT owner name is not the root');
  const options: EdnsOption[] = [];
  while (at < end) {
    if (at + 4 > end) throw new WireError('bad-edns', 'EDNS option header runs past RDLENGTH');
    const code = u16(buf, at);
    const len = u16(buf, at + 2);
    at += 4;
    if (at + len > end) throw new WireError('bad-edns', `EDNS option ${code} runs past RDLENGTH`);
    options.push({ code, data: buf.slice(at, at + len) });
    at += len;
  }
  return {
    udpSize: cls,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    options,
  };
}

/** Decodes a whole message. The OPT record of the additional section becomes `edns`. */
export function decode(buf: Uint8Array): Message {
  const c = readCounts(buf);
  const len = buf.length;
  let pos = HEADER;
  const questions: Question[] = new Array<Question>(c.qd);
  for (let i = 0; i < c.qd; i++) {
    const r = readName(buf, pos);
    pos = r.end;
    if (pos + 4 > len) throw truncated('question');
    questions[i] = { name: r.name, type: u16(buf, pos), class: u16(buf, pos + 2) };
    pos += 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  const totals = [c.an, c.ns, c.ar];
  let edns: Edns | null = null;
  for (let s = 0; s < 3; s++) {
    const list = sections[s]!;
    for (let i = totals[s]!; i > 0; i--) {
      const owner = pos;
      const r = readName(buf, pos);
      pos = r.end;
      if (pos + 10 > len) throw truncated('record');
      const type = u16(buf, pos);
      const cls = u16(buf, pos + 2);
      const ttl = u32(buf, pos + 4);
      const rdlen = u16(buf, pos + 8);
      const at = pos + 10;
      const end = at + rdlen;
      if (end > len) throw truncated('RDATA');
      pos = end;
      if (s === 2 && type === TYPE.OPT) {
        // RFC 6891 §6.1.1: at most one OPT per message.
        if (edns !== null) throw new WireError('bad-edns', 'more than one OPT record');
        edns = readEdns(buf, buf[owner] === 0, cls, ttl, at, end);
        continue;
      }
      list.push({ name: r.name, type, class: cls, ttl, data: readRData(buf, type, at, end) });
    }
  }
  return {
    id: u16(buf, 0),
    flags: readFlags(buf),
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    edns,
  };
}

/** What the gateway needs of an incoming query. */
export interface QueryView {
  id: number;
  flags: Flags;
  /** The first question; null when QDCOUNT is 0. */
  question: Question | null;
  edns: Edns | null;
  /** Offset after the whole question section (12 when QDCOUNT is 0). */
  questionEnd: number;
}

/**
 * Fast path for queries: builds only the first question and the OPT record. Further questions
 * and the answer and authority records (a query normally has none) are skipped by their name
 * and RDLENGTH; the additional section is walked the same way to find the OPT record.
 */
export function decodeQuery(buf: Uint8Array): QueryView {
  const c = readCounts(buf);
  const len = buf.length;
  let pos = HEADER;
  let question: Question | null = null;
  for (let i = 0; i < c.qd; i++) {
    let name = '';
    if (i === 0) {
      const r = readName(buf, pos);
      name = r.name;
      pos = r.end;
    } else {
      pos = skipName(buf, pos);
    }
    if (pos + 4 > len) throw truncated('question');
    if (i === 0) question = { name, type: u16(buf, pos), class: u16(buf, pos + 2) };
    pos += 4;
  }
  const questionEnd = pos;
  let edns: Edns | null = null;
  const records = c.an + c.ns + c.ar;
  for (let i = 0; i < records; i++) {
    const owner = pos;
    pos = skipName(buf, pos);
    if (pos + 10 > len) throw truncated('record');
    const at = pos + 10;
    const end = at + u16(buf, pos + 8);
    if (end > len) throw truncated('RDATA');
    if (i >= c.an + c.ns && u16(buf, pos) === TYPE.OPT) {
      if (edns !== null) throw new WireError('bad-edns', 'more than one OPT record');
      edns = readEdns(buf, buf[owner] === 0, u16(buf, pos + 2), u32(buf, pos + 4), at, end);
    }
    pos = end;
  }
  return { id: u16(buf, 0), flags: readFlags(buf), question, edns, questionEnd };
}
