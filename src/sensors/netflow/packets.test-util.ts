/**
 * Test and benchmark only: builds v9 (RFC 3954) and IPFIX (RFC 7011) export packets, so tests can
 * state exactly what an exporter sent (templates, options, variable-length and enterprise fields).
 */
import ipaddr from 'ipaddr.js';

export interface FieldSpec {
  id: number;
  len: number;
  /** Enterprise number (IPFIX only): sets the enterprise bit. */
  pen?: number;
}

/** Big-endian byte writer. */
export class Bytes {
  private readonly parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: number): this {
    return this.u32(Math.floor(v / 2 ** 32)).u32(v % 2 ** 32);
  }
  ip(text: string): this {
    for (const b of ipaddr.parse(text).toByteArray()) this.u8(b);
    return this;
  }
  raw(b: Uint8Array | number[]): this {
    for (const x of b) this.u8(x);
    return this;
  }
  /** RFC 7011 §7 variable-length encoding. */
  varlen(b: Uint8Array | number[]): this {
    if (b.length < 255) this.u8(b.length);
    else this.u8(255).u16(b.length);
    return this.raw(b);
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function set(id: number, body: Uint8Array, pad = true): Uint8Array {
  const padding = pad ? (4 - ((body.length + 4) % 4)) % 4 : 0;
  return new Bytes().u16(id).u16(body.length + 4 + padding).raw(body).raw(new Array<number>(padding).fill(0)).bytes();
}

function specs(w: Bytes, fields: FieldSpec[], ipfix: boolean): void {
  for (const f of fields) {
    if (ipfix && f.pen !== undefined) w.u16(f.id | 0x8000).u16(f.len).u32(f.pen);
    else w.u16(f.id).u16(f.len);
  }
}

export function ipfixTemplateSet(templates: [number, FieldSpec[]][]): Uint8Array {
  const w = new Bytes();
  for (const [id, fields] of templates) {
    w.u16(id).u16(fields.length);
    specs(w, fields, true);
  }
  return set(2, w.bytes(), false);
}

export function ipfixOptionsTemplateSet(id: number, scope: FieldSpec[], fields: FieldSpec[]): Uint8Array {
  const w = new Bytes().u16(id).u16(scope.length + fields.length).u16(scope.length);
  specs(w, [...scope, ...fields], true);
  return set(3, w.bytes());
}

export function v9TemplateSet(templates: [number, FieldSpec[]][]): Uint8Array {
  const w = new Bytes();
  for (const [id, fields] of templates) {
    w.u16(id).u16(fields.length);
    specs(w, fields, false);
  }
  return set(0, w.bytes(), false);
}

export function v9OptionsTemplateSet(id: number, scope: FieldSpec[], fields: FieldSpec[]): Uint8Array {
  const w = new Bytes().u16(id).u16(scope.length * 4).u16(fields.length * 4);
  specs(w, [...scope, ...fields], false);
  return set(1, w.bytes());
}

export function dataSet(id: number, records: Uint8Array[]): Uint8Array {
  const w = new Bytes();
  for (const r of records) w.raw(r);
  return set(id, w.bytes());
}

export function ipfixMessage(domain: number, exportSecs: number, sets: Uint8Array[], seq = 0): Uint8Array {
  const len = 16 + sets.reduce((n, s) => n + s.length, 0);
  const w = new Bytes().u16(10).u16(len).u32(exportSecs).u32(seq).u32(domain);
  for (const s of sets) w.raw(s);
  return w.bytes();
}

export function v9Packet(sourceId: number, unixSecs: number, uptimeMs: number, sets: Uint8Array[], seq = 0): Uint8Array {
  const w = new Bytes().u16(9).u16(sets.length).u32(uptimeMs).u32(unixSecs).u32(seq).u32(sourceId);
  for (const s of sets) w.raw(s);
  return w.bytes();
}

/** The common IPv4 5-tuple + counters + ms times template used by tests and the benchmark. */
export const V4_FLOW: FieldSpec[] = [
  { id: 8, len: 4 }, { id: 12, len: 4 }, { id: 7, len: 2 }, { id: 11, len: 2 }, { id: 4, len: 1 },
  { id: 6, len: 1 }, { id: 1, len: 8 }, { id: 2, len: 8 }, { id: 152, len: 8 }, { id: 153, len: 8 },
];

export function v4Flow(src: string, sport: number, dst: string, dport: number, proto: number, flags: number, bytes: number, pkts: number, startMs: number, endMs: number): Uint8Array {
  return new Bytes().ip(src).ip(dst).u16(sport).u16(dport).u8(proto).u8(flags).u64(bytes).u64(pkts).u64(startMs).u64(endMs).bytes();
}
