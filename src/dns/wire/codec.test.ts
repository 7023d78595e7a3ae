import { describe, expect, it } from 'vitest';
import { decode, decodeQuery } from './decode.ts';
import { encode, rcodeOf, setRcode } from './encode.ts';
import { WireError } from './errors.ts';
import { CLASS_IN, OPTION, RCODE, TYPE } from './types.ts';
import type { Message, ResourceRecord } from './types.ts';
import { flags, sampleResponse } from './wire.test-util.ts';

const rr = (name: string, type: number, data: ResourceRecord['data'], ttl = 3600): ResourceRecord => ({ name, type, class: CLASS_IN, ttl, data });

function everyKind(): Message {
  return {
    id: 0xbeef,
    flags: { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: true, cd: true, rcode: RCODE.NXDOMAIN },
    questions: [{ name: 'example.com', type: TYPE.ANY, class: CLASS_IN }],
    answers: [
      rr('example.com', TYPE.A, { kind: 'a', address: '255.0.10.1' }),
      rr('example.com', TYPE.AAAA, { kind: 'aaaa', address: '2001:db8::1' }),
      rr('example.com', TYPE.AAAA, { kind: 'aaaa', address: '::' }),
      rr('example.com', TYPE.AAAA, { kind: 'aaaa', address: '1:0:0:2::3' }),
      rr('WWW.example.com', TYPE.CNAME, { kind: 'name', name: 'example.com' }),
      rr('example.com', TYPE.NS, { kind: 'name', name: 'ns1.example.net' }),
      rr('1.2.0.192.in-addr.arpa', TYPE.PTR, { kind: 'name', name: 'host.example.com' }),
      rr('old.example.com', TYPE.DNAME, { kind: 'name', name: 'new.example.com' }),
      rr('example.com', TYPE.MX, { kind: 'mx', preference: 10, exchange: 'mail.example.com' }),
      rr('_sip._tcp.example.com', TYPE.SRV, { kind: 'srv', priority: 1, weight: 65535, port: 5060, target: 'sip.example.com' }),
      rr('example.com', TYPE.TXT, { kind: 'raw', bytes: Uint8Array.from([5, 104, 101, 108, 108, 111]) }),
      rr('example.com', TYPE.HTTPS, { kind: 'raw', bytes: new Uint8Array(0) }),
    ],
    authorities: [
      rr('example.com', TYPE.SOA, {
        kind: 'soa', mname: 'ns1.example.com', rname: 'host\\.master.example.com',
        serial: 0xffffffff, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300,
      }, 0xffffffff),
    ],
    additionals: [rr('ns1.example.net', TYPE.A, { kind: 'a', address: '198.51.100.7' })],
    edns: {
      udpSize: 4096, extendedRcode: 1, version: 0, dnssecOk: true,
      options: [{ code: OPTION.COOKIE, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }, { code: OPTION.PADDING, data: new Uint8Array(3) }],
    },
  };
}

describe('encode / decode', () => {
  it('round-trips every RData kind, flags and EDNS', () => {
    const msg = everyKind();
    expect(decode(encode(msg))).toEqual(msg);
    expect(rcodeOf(msg)).toBe(16 + RCODE.NXDOMAIN);
  });

  it('round-trips a message without EDNS and an empty one', () => {
    const msg = { ...sampleResponse(), edns: null };
    expect(decode(encode(msg))).toEqual(msg);
    const empty: Message = { id: 0, flags: flags({ rd: false }), questions: [], answers: [], authorities: [], additionals: [], edns: null };
    expect(encode(empty).length).toBe(12);
    expect(decode(encode(empty))).toEqual(empty);
  });

  it('compression shrinks repeated names and points only backwards', () => {
    const msg = sampleResponse();
    const wire = encode(msg);
    // Uncompressed: question 17+4, owners 17+18+18, rdata 18 — compressed owners/rdata are pointers.
    expect(wire.length).toBe(12 + 21 + (2 + 10 + 7) + (2 + 10 + 4) * 2 + 11);
    const names = msg.answers.map((a) => a.name.length + 2).reduce((a, b) => a + b, 0) + 'edge.example.com'.length + 2;
    expect(wire.length).toBeLessThan(12 + 21 + names + 3 * 10 + 4 + 4 + 11);
  });

  it('does not compress DNAME or SRV targets (RFC 6672 §2.5, RFC 2782)', () => {
    const m: Message = { ...sampleResponse(), answers: [rr('www.example.com', TYPE.DNAME, { kind: 'name', name: 'www.example.com' })] };
    const wire = encode(m);
    expect(wire.length).toBe(12 + 21 + 2 + 10 + 17 + 11);
    const s: Message = { ...m, answers: [rr('www.example.com', TYPE.SRV, { kind: 'srv', priority: 0, weight: 0, port: 1, target: 'www.example.com' })] };
    expect(encode(s).length).toBe(12 + 21 + 2 + 10 + 6 + 17 + 11);
    expect(decode(encode(s))).toEqual(s);
  });

  it('compression keys ignore case, so a later name takes the case already written (RFC 4343 §3)', () => {
    const m: Message = { ...sampleResponse(), answers: [rr('WWW.example.com', TYPE.A, { kind: 'a', address: '192.0.2.1' })] };
    expect(decode(encode(m)).answers[0]!.name).toBe('www.example.com');
  });

  it('decodes a message inside a larger buffer the same', () => {
    const wire = encode(everyKind());
    const big = new Uint8Array(wire.length + 300).fill(0xc0);
    big.set(wire, 137);
    expect(decode(big.subarray(137, 137 + wire.length))).toEqual(decode(wire));
    expect(decodeQuery(big.subarray(137, 137 + wire.length))).toEqual(decodeQuery(wire));
  });

  it('raw RDATA and EDNS option data are copies', () => {
    const wire = encode(everyKind());
    const msg = decode(wire);
    wire.fill(0);
    expect(msg).toEqual(everyKind());
  });

  it('rejects RDATA that does not fit the type or value', () => {
    const bad = (data: ResourceRecord['data'], type: number): string => {
      try {
        encode({ ...sampleResponse(), answers: [rr('x', type, data)] });
      } catch (e) {
        return (e as WireError).code;
      }
      return 'ok';
    };
    expect(bad({ kind: 'a', address: '1.2.3.4' }, TYPE.AAAA)).toBe('bad-rdata');
    expect(bad({ kind: 'name', name: 'x' }, TYPE.MX)).toBe('bad-rdata');
    for (const a of ['1.2.3', '1.2.3.256', '1.2.3.4.5', '01234.1.1.1', 'a.b.c.d', '']) expect(bad({ kind: 'a', address: a }, TYPE.A)).toBe('bad-rdata');
    for (const a of ['1::2::3', '12345::', ':1', '1:2:3:4:5:6:7:8:9', 'g::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4']) expect(bad({ kind: 'aaaa', address: a }, TYPE.AAAA)).toBe('bad-rdata');
    expect(bad({ kind: 'aaaa', address: '::FFFF:192.0.2.1' }, TYPE.AAAA)).toBe('ok');
  });

  it('formats AAAA per RFC 5952', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ];
    for (const [input, out] of cases) {
      const m: Message = { ...sampleResponse(), answers: [rr('x', TYPE.AAAA, { kind: 'aaaa', address: input })] };
      expect(decode(encode(m)).answers[0]!.data).toEqual({ kind: 'aaaa', address: out });
    }
  });
});

describe('truncation', () => {
  it('drops the records and sets TC when over maxSize, keeping question and OPT', () => {
    const msg = sampleResponse();
    for (let i = 0; i < 40; i++) msg.answers.push(rr('edge.example.com', TYPE.A, { kind: 'a', address: `10.0.0.${i}` }));
    msg.additionals.push(rr('edge.example.com', TYPE.A, { kind: 'a', address: '10.1.1.1' }));
    expect(encode(msg).length).toBeGreaterThan(512);
    const wire = encode(msg, { maxSize: 512 });
    expect(wire.length).toBeLessThanOrEqual(512);
    const got = decode(wire);
    expect(got.flags).toEqual({ ...msg.flags, tc: true });
    expect(got.questions).toEqual(msg.questions);
    expect(got.answers).toEqual([]);
    expect(got.authorities).toEqual([]);
    expect(got.additionals).toEqual([]);
    expect(got.edns).toEqual(msg.edns);
    expect(wire.length).toBe(12 + 21 + 11);
  });

  it('keeps a message that fits exactly, drops OPT and questions when even they do not fit', () => {
    const msg = sampleResponse();
    const full = encode(msg);
    expect(encode(msg, { maxSize: full.length })).toEqual(full);
    expect(decode(encode(msg, { maxSize: full.length - 1 })).flags.tc).toBe(true);
    const noOpt = decode(encode(msg, { maxSize: 40 }));
    expect([noOpt.flags.tc, noOpt.questions.length, noOpt.edns]).toEqual([true, 1, null]);
    expect(encode(msg, { maxSize: 20 }).length).toBe(12);
    expect(() => encode(msg, { maxSize: 11 })).toThrow(WireError);
  });
});

describe('rcode helpers', () => {
  it('splits an extended RCODE between header and OPT (RFC 6891 §6.1.3)', () => {
    const msg = sampleResponse();
    setRcode(msg, RCODE.BADVERS);
    expect([msg.flags.rcode, msg.edns!.extendedRcode, rcodeOf(msg)]).toEqual([0, 1, 16]);
    expect(rcodeOf(decode(encode(msg)))).toBe(RCODE.BADVERS);
    setRcode(msg, RCODE.SERVFAIL);
    expect(rcodeOf(msg)).toBe(2);
    const plain = { ...sampleResponse(), edns: null };
    expect(() => setRcode(plain, 16)).toThrow(WireError);
    expect(plain.flags.rcode).toBe(0);
    setRcode(plain, RCODE.REFUSED);
    expect(rcodeOf(plain)).toBe(5);
  });
});
