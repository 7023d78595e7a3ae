import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeQuery } from './decode.ts';
import { encode } from './encode.ts';
import { WireError } from './errors.ts';
import { CLASS_IN, TYPE } from './types.ts';
import type { Message, RData, ResourceRecord } from './types.ts';
import { DIG_QUERY, sampleResponse } from './wire.test-util.ts';

/** Presentation form of label bytes, written independently of name.ts (RFC 1035 §5.1). */
function present(bytes: Uint8Array): string {
  let s = '';
  for (const c of bytes) {
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/** Labels without upper-case letters, so case-insensitive compression keeps names exact. */
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((s) => Uint8Array.from(Buffer.from(s))),
  fc.uint8Array({ minLength: 1, maxLength: 63 }).map((b) => b.map((c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c))),
);
const name = fc
  .array(fc.oneof(label, fc.constantFrom('com', 'example').map((s) => Uint8Array.from(Buffer.from(s)))), { maxLength: 6 })
  .filter((ls) => ls.reduce((n, l) => n + l.length + 1, 1) <= 255)
  .map((ls) => ls.map(present).join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // WHATWG URL serializes IPv6 hosts in RFC 5952 form: an independent canonicalizer.
  return new URL(`http://[${g.join(':')}]/`).hostname.slice(1, -1);
});

const record: fc.Arbitrary<ResourceRecord> = fc
  .oneof(
    fc.tuple(fc.constant(TYPE.A), fc.ipV4().map((address): RData => ({ kind: 'a', address }))),
    fc.tuple(fc.constant(TYPE.AAAA), v6.map((address): RData => ({ kind: 'aaaa', address }))),
    fc.tuple(fc.constantFrom(TYPE.CNAME, TYPE.NS, TYPE.PTR, TYPE.DNAME), name.map((n): RData => ({ kind: 'name', name: n }))),
    fc.tuple(fc.constant(TYPE.MX), fc.record({ kind: fc.constant('mx' as const), preference: u16, exchange: name })),
    fc.tuple(fc.constant(TYPE.SRV), fc.record({ kind: fc.constant('srv' as const), priority: u16, weight: u16, port: u16, target: name })),
    fc.tuple(fc.constant(TYPE.SOA), fc.record({ kind: fc.constant('soa' as const), mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 })),
    fc.tuple(fc.constantFrom(TYPE.TXT, TYPE.HTTPS, 99, 65280), fc.uint8Array({ maxLength: 40 }).map((bytes): RData => ({ kind: 'raw', bytes }))),
  )
  .chain(([type, data]) => fc.record({ name, type: fc.constant(type), class: u16, ttl: u32, data: fc.constant(data) }));

const message: fc.Arbitrary<Message> = fc.record({
  id: u16,
  flags: fc.record({
    qr: fc.boolean(), opcode: fc.integer({ min: 0, max: 15 }), aa: fc.boolean(), tc: fc.boolean(), rd: fc.boolean(),
    ra: fc.boolean(), ad: fc.boolean(), cd: fc.boolean(), rcode: fc.integer({ min: 0, max: 15 }),
  }),
  questions: fc.array(fc.record({ name, type: u16, class: fc.constantFrom(CLASS_IN, 3, 255) }), { maxLength: 2 }),
  answers: fc.array(record, { maxLength: 5 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record.filter((r) => r.type !== TYPE.OPT), { maxLength: 2 }),
  edns: fc.option(
    fc.record({
      udpSize: u16, extendedRcode: fc.integer({ min: 0, max: 255 }), version: fc.integer({ min: 0, max: 255 }), dnssecOk: fc.boolean(),
      options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 3 }),
    }),
    { nil: null },
  ),
});

/** Runs both decoders; anything thrown that is not a WireError fails the property. */
function survives(buf: Uint8Array): boolean {
  for (const f of [decode, decodeQuery]) {
    try {
      f(buf);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
    }
  }
  return true;
}

const seeds = [DIG_QUERY, encode(sampleResponse())];

describe('properties', () => {
  it('decode(encode(m)) equals m', () => {
    fc.assert(fc.property(message, (m) => {
      expect(decode(encode(m))).toEqual(m);
    }), { numRuns: 500 });
  });

  it('decoders only ever throw WireError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), survives), { numRuns: 3000 });
    // Plausible headers get past the count check more often.
    const header = fc.tuple(u16, u16, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 300 }), ([id, fl, qd, an, ns, ar], body) => {
      const buf = new Uint8Array(12 + body.length);
      new DataView(buf.buffer).setUint16(0, id);
      new DataView(buf.buffer).setUint16(2, fl);
      [qd, an, ns, ar].forEach((n, i) => new DataView(buf.buffer).setUint16(4 + 2 * i, n));
      buf.set(body, 12);
      return survives(buf);
    }), { numRuns: 3000 });
  });

  it('decoders only ever throw WireError on mutated valid packets, in bounded time', () => {
    const packets = fc.oneof(fc.constantFrom(...seeds), message.map((m) => encode(m)));
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(packets, mutation, fc.nat(), (pkt, muts, cut) => {
      const buf = pkt.slice(0, cut % 4 === 0 ? cut % (pkt.length + 1) : pkt.length);
      for (const [at, v] of muts) if (buf.length > 0) buf[at % buf.length] = v;
      // Bounded: a compression loop would never return (the test times out); the 1 s bound only
      // catches a blow-up, generous enough for a loaded CI machine.
      const t = performance.now();
      survives(buf);
      return performance.now() - t < 1000;
    }), { numRuns: 5000 });
  });
});
