/**
 * One query's life, transport aside: bytes in → checks (RFC 1035 §4.1.1 FORMERR / NOTIMP,
 * RFC 6891 §6.1.3 BADVERS) → the resolver chain → response bytes (truncated to the client's UDP
 * size with TC set, RFC 1035 §4.2.1 / RFC 6891 §6.2.5) → one dns event in the query log. Nothing
 * throws to the socket: an error is a SERVFAIL and a counted failure; `null` means send nothing.
 */
import type { DnsEvent, DnsOutcome } from '../../model/events.ts';
import { decodeQuery, encode, OPTION, RCODE, skipName, TYPE, WireError, type Edns, type Message, type ResourceRecord } from '../wire/index.ts';
import type { Chain } from '../chain/chain.ts';
import { LatencyCounts } from './latency.ts';
import { answer, type Answer, type MaybeAnswer, type Query, type Transport } from '../chain/types.ts';

/** Where answered queries go (the event sink); false when it is behind (counted as a drop). */
export interface QueryLog {
  record(ev: DnsEvent): boolean;
}

export interface HandlerStats {
  queries: number;
  malformed: number;
  dropped: number;
  errors: number;
  logDrops: number;
  byOutcome: Map<DnsOutcome, number>;
  /** Matched queries by outcome and indicator category (`blocked\u0000mining-pool` → n). */
  byCategory: Map<string, number>;
}

/** What handle() gives back: bytes to send, null for nothing, or either later. */
export type Reply = Uint8Array | null | Promise<Uint8Array | null>;

/** Largest UDP answer we send, whatever the client offers: avoids IP fragmentation (DNS Flag Day 2020). */
const MAX_UDP = 1232;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
/** An OPT record (root name, type, class, TTL, RDLENGTH: 11 bytes) holding one empty EDE option (code, length, info-code: 6). */
const EMPTY_EDE_OPT = 17;

export class QueryHandler {
  readonly stats: HandlerStats = { queries: 0, malformed: 0, dropped: 0, errors: 0, logDrops: 0, byOutcome: new Map(), byCategory: new Map() };
  /** Latency of every answered query (metrics). */
  readonly latency = new LatencyCounts();

  /** Encoded block answers by shape (see fromBlockTemplate); cleared with a new chain (new block options). */
  private readonly blockTemplates = new Map<string, { head: Uint8Array; body: Uint8Array; opt: Uint8Array }>();

  constructor(private chain: Chain, private readonly log: QueryLog | null) {}

  /** Swaps the chain (a reload): queries in flight finish on the old one, new ones use the new. */
  setChain(chain: Chain): void {
    this.chain = chain;
    this.blockTemplates.clear();
  }

  /**
   * The response bytes, or null to send nothing. Synchronous when the chain answered at once (a
   * cache hit, a block, a refusal): the caller then sends without a Promise in between.
   */
  handle(buf: Uint8Array, source: string, sourcePort: number, transport: Transport, into?: Uint8Array, intoOff = 0): Reply {
    const start = performance.now();
    this.stats.queries++;
    let parsed: ReturnType<typeof decodeQuery>;
    try {
      parsed = decodeQuery(buf);
    } catch (e) {
      this.stats.malformed++;
      if (!(e instanceof WireError) || buf.length < 12 || (buf[2]! & 0x80) !== 0) return null;
      return this.bare(buf, RCODE.FORMERR);
    }
    const { flags, question, edns } = parsed;
    if (flags.qr) {
      this.stats.malformed++;
      return null; // a response sent to us: never answer it (reflection loops)
    }
    if (flags.opcode !== 0) return this.bare(buf, RCODE.NOTIMP, edns);
    if (question === null) {
      this.stats.malformed++;
      return this.bare(buf, RCODE.FORMERR, edns);
    }
    if (edns !== null && edns.version > 0) return this.bare(buf, RCODE.BADVERS, edns);
    const q: Query = {
      id: parsed.id, qname: question.name, name: question.name.toLowerCase(), qtype: question.type, qclass: question.class,
      rd: flags.rd, cd: flags.cd, edns, transport, source, sourcePort, client: source, site: '', unit: null, start,
    };
    let a: MaybeAnswer;
    try {
      a = this.chain.resolve(q);
    } catch {
      a = this.failed();
    }
    if (a instanceof Promise) {
      // The caller may reuse `buf` once this returns (the batched UDP listener does): keep the
      // header and question, all that the response copies from it.
      const kept = buf.slice(0, parsed.questionEnd);
      return a.then((x) => this.finish(kept, parsed.questionEnd, q, x), () => this.finish(kept, parsed.questionEnd, q, this.failed()));
    }
    return this.finish(buf, parsed.questionEnd, q, a, into, intoOff);
  }

  private failed(): Answer {
    this.stats.errors++;
    return answer('servfail', 'internal-error', RCODE.SERVFAIL);
  }

  /** Counts, logs and encodes one answered query. */
  private finish(buf: Uint8Array, questionEnd: number, q: Query, a: Answer, into?: Uint8Array, intoOff = 0): Uint8Array | null {
    const edns = q.edns;
    this.stats.byOutcome.set(a.outcome, (this.stats.byOutcome.get(a.outcome) ?? 0) + 1);
    if (a.category !== undefined) {
      const k = `${a.outcome}\u0000${a.category}`;
      this.stats.byCategory.set(k, (this.stats.byCategory.get(k) ?? 0) + 1);
    }
    const latencyUs = Math.round((performance.now() - q.start) * 1000);
    this.logQuery(q, a, latencyUs);
    this.latency.observe(latencyUs);
    if (a.drop === true) {
      this.stats.dropped++;
      return null;
    }
    const transport = q.transport;
    const maxSize = transport === 'udp' ? (edns === null ? 512 : Math.min(Math.max(512, edns.udpSize), MAX_UDP)) : 65535;
    if (a.wire !== undefined && a.ede === undefined && a.fixedTtl === undefined && a.rcode <= 15) {
      const fast = this.fromTemplate(buf, questionEnd, q, a, edns, maxSize, into, intoOff);
      if (fast !== null) return fast;
    }
    // (A name under the SOA's own names could be compressed against the question: no template then.)
    if (a.blockShape !== undefined && a.ede !== undefined && a.rcode <= 15 && !q.name.endsWith('.invalid')) {
      const fast = this.fromBlockTemplate(buf, questionEnd, q, a, edns, maxSize, into, intoOff);
      if (fast !== null) return fast;
    }
    return encode(this.response(q, a, edns), { maxSize });
  }

  /**
   * A cache hit answered by patching the entry's encoded response: ID, flags, the question as
   * this client wrote it (case included) and every TTL minus the entry's age. Encoding the same
   * records again for every hit cost most of a hit's time (and its garbage). Null when the
   * template does not fit (the slow path truncates).
   */
  private fromTemplate(buf: Uint8Array, questionEnd: number, q: Query, a: Answer, edns: Edns | null, maxSize: number, into?: Uint8Array, intoOff = 0): Uint8Array | null {
    const shape = edns === null ? 0 : edns.dnssecOk ? 2 : 1;
    const wire = a.wire!;
    let t = wire.templates.get(shape);
    if (t === undefined) {
      const bytes = encode(this.response(q, { ...a, age: 0 }, edns), { maxSize: 65535 });
      t = { bytes, questionEnd, ...ttlFields(bytes) };
      wire.templates.set(shape, t);
    }
    if (t.bytes.length > maxSize || t.questionEnd !== questionEnd) return null;
    // Straight into the caller's send slot when it gave one (the batched UDP listener), else a
    // Buffer from Node's pool: dgram sends Buffers measurably cheaper than plain Uint8Arrays.
    const out = into !== undefined && intoOff + t.bytes.length <= into.length ? into.subarray(intoOff, intoOff + t.bytes.length) : Buffer.allocUnsafe(t.bytes.length);
    out.set(t.bytes);
    out[0] = buf[0]!;
    out[1] = buf[1]!;
    out[2] = 0x80 | (a.aa === true ? 0x04 : 0) | (q.rd ? 0x01 : 0);
    out[3] = 0x80 | (a.ad === true ? 0x20 : 0) | (q.cd ? 0x10 : 0) | (a.rcode & 15);
    out.set(buf.subarray(12, questionEnd), 12);
    const age = a.age ?? 0;
    const { ttlOffsets, ttls } = t;
    for (let i = 0; i < ttlOffsets.length; i++) {
      const v = Math.max(0, ttls[i]! - age);
      const o = ttlOffsets[i]!;
      out[o] = v >>> 24;
      out[o + 1] = (v >>> 16) & 255;
      out[o + 2] = (v >>> 8) & 255;
      out[o + 3] = v & 255;
    }
    return out;
  }

  /**
   * A block answered from the encoding of its shape: header and records as encoded once for this
   * shape and question length (compression pointers inside the records depend on where they
   * start), the question as this client wrote it, and the EDE option with this block's text. The
   * generic encoder was most of a blocked query's time (bench:dns blocked mix).
   */
  private fromBlockTemplate(buf: Uint8Array, questionEnd: number, q: Query, a: Answer, edns: Edns | null, maxSize: number, into?: Uint8Array, intoOff = 0): Uint8Array | null {
    const shape = edns === null ? 0 : edns.dnssecOk ? 2 : 1;
    const key = `${a.blockShape!}|${a.ede!.code}|${a.rcode}|${questionEnd}|${shape}`;
    let t = this.blockTemplates.get(key);
    if (t === undefined) {
      const bytes = encode(this.response(q, { ...a, ede: { code: a.ede!.code, text: '' } }, edns), { maxSize: 65535 });
      // With EDNS the message ends with the OPT record holding only the empty EDE option (17 bytes).
      const optLen = edns === null ? 0 : EMPTY_EDE_OPT;
      t = { head: bytes.slice(0, 12), body: bytes.slice(questionEnd, bytes.length - optLen), opt: bytes.slice(bytes.length - optLen) };
      if (this.blockTemplates.size >= 1024) this.blockTemplates.clear();
      this.blockTemplates.set(key, t);
    }
    const text = edns === null ? EMPTY : encoder.encode(a.ede!.text);
    const len = questionEnd + t.body.length + t.opt.length + text.length;
    if (len > maxSize) return null;
    const out = into !== undefined && intoOff + len <= into.length ? into.subarray(intoOff, intoOff + len) : Buffer.allocUnsafe(len);
    out.set(t.head);
    out[0] = buf[0]!;
    out[1] = buf[1]!;
    out[2] = (t.head[2]! & 0xfe) | (q.rd ? 0x01 : 0);
    out[3] = (t.head[3]! & 0xef) | (q.cd ? 0x10 : 0);
    out.set(buf.subarray(12, questionEnd), 12);
    out.set(t.body, questionEnd);
    if (t.opt.length > 0) {
      const o = questionEnd + t.body.length;
      out.set(t.opt, o);
      // OPT RDLENGTH (at 9) and the EDE option's length (at 13) grow by the text.
      const rdlen = 6 + text.length;
      out[o + 9] = rdlen >> 8;
      out[o + 10] = rdlen & 255;
      out[o + 13] = (2 + text.length) >> 8;
      out[o + 14] = (2 + text.length) & 255;
      out.set(text, o + t.opt.length);
    }
    return out;
  }

  private response(q: Query, a: Answer, edns: Edns | null): Message {
    const rcode = edns === null && a.rcode > 15 ? RCODE.SERVFAIL : a.rcode;
    return {
      id: q.id,
      flags: { qr: true, opcode: 0, aa: a.aa === true, tc: false, rd: q.rd, ra: true, ad: a.ad === true, cd: q.cd, rcode: rcode & 15 },
      questions: [{ name: q.qname, type: q.qtype, class: q.qclass }],
      answers: aged(a.answers, a),
      authorities: aged(a.authorities, a),
      additionals: a.additionals,
      edns: edns === null ? null : {
        udpSize: MAX_UDP, extendedRcode: rcode >> 4, version: 0, dnssecOk: edns.dnssecOk,
        options: a.ede === undefined ? [] : [{ code: OPTION.EDE, data: edeData(a.ede.code, a.ede.text) }],
      },
    };
  }

  /**
   * A response with the header only (the question may be what was malformed) and an rcode; with
   * an OPT when the query had one, which an extended rcode such as BADVERS needs (RFC 6891 §6.1.3).
   */
  private bare(buf: Uint8Array, rcode: number, edns: Edns | null = null): Uint8Array {
    const id = (buf[0]! << 8) | buf[1]!;
    return encode({
      id,
      flags: { qr: true, opcode: (buf[2]! >> 3) & 15, aa: false, tc: false, rd: (buf[2]! & 1) === 1, ra: true, ad: false, cd: false, rcode: rcode & 15 },
      questions: [], answers: [], authorities: [], additionals: [],
      edns: edns === null ? null : { udpSize: MAX_UDP, extendedRcode: rcode >> 4, version: 0, dnssecOk: false, options: [] },
    });
  }

  private logQuery(q: Query, a: Answer, latencyUs: number): void {
    if (this.log === null) return;
    const ev: DnsEvent = {
      kind: 'dns', ts: Date.now(), client: q.client, site: q.site, unit: q.unit,
      via: q.client === q.source ? null : q.source, name: q.name, qtype: q.qtype, rcode: a.rcode, outcome: a.outcome,
      reason: a.reason, indicator: a.indicator ?? null, category: a.category ?? null, latencyUs,
    };
    if (!this.log.record(ev)) this.stats.logDrops++;
  }
}

/** RFC 8914 §2: INFO-CODE (16 bits) then EXTRA-TEXT (UTF-8). */
function edeData(code: number, text: string): Uint8Array {
  const t = encoder.encode(text);
  const out = new Uint8Array(2 + t.length);
  out[0] = code >> 8;
  out[1] = code & 255;
  out.set(t, 2);
  return out;
}

/** Records with the answer's age taken off their TTLs (or its fixed TTL), copied only if needed. */
function aged(rrs: ResourceRecord[], a: Answer): ResourceRecord[] {
  if (a.fixedTtl !== undefined) return rrs.map((rr) => ({ ...rr, ttl: a.fixedTtl! }));
  const age = a.age ?? 0;
  if (age <= 0) return rrs;
  return rrs.map((rr) => ({ ...rr, ttl: Math.max(0, rr.ttl - age) }));
}

/** Offsets and values of every record TTL in an encoded message (the OPT's TTL holds flags: skipped). */
function ttlFields(b: Uint8Array): { ttlOffsets: Uint32Array; ttls: Uint32Array } {
  const counts = [(b[4]! << 8) | b[5]!, (b[6]! << 8) | b[7]!, (b[8]! << 8) | b[9]!, (b[10]! << 8) | b[11]!];
  let off = 12;
  for (let i = 0; i < counts[0]!; i++) off = skipName(b, off) + 4;
  const offsets: number[] = [];
  const ttls: number[] = [];
  const records = counts[1]! + counts[2]! + counts[3]!;
  for (let i = 0; i < records; i++) {
    off = skipName(b, off);
    const type = (b[off]! << 8) | b[off + 1]!;
    if (type !== TYPE.OPT) {
      offsets.push(off + 4);
      ttls.push(((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0);
    }
    off += 10 + ((b[off + 8]! << 8) | b[off + 9]!);
  }
  return { ttlOffsets: Uint32Array.from(offsets), ttls: Uint32Array.from(ttls) };
}
