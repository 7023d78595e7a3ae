import { describe, expect, it } from 'vitest';
import { decode, decodeQuery } from './decode.ts';
import { encode } from './encode.ts';
import { CLASS_IN, OPTION, TYPE } from './types.ts';
import { DIG_QUERY, hex } from './wire.test-util.ts';

/** A resolver's answer for www.example.com A: a CNAME chain and two A records, compressed. */
const RESPONSE = hex(`
  9a1b 8180 0001 0004 0000 0001                  # QR RD RA, QD=1 AN=4 NS=0 AR=1
  03 777777 07 6578616d706c65 03 636f6d 00       # @12 www.example.com (example.com @16)
  0001 0001                                      # A IN; answers from @33
  c00c 0005 0001 00000e10 0006 03 63646e c010    # www.example.com CNAME cdn.example.com (@45), TTL 3600
  c02d 0005 0001 0000012c 0013                   # @51 cdn.example.com CNAME, TTL 300, rdlen 19
  02 6531 0a 616b616d616965646765 03 6e6574 00   # @63 e1.akamaiedge.net
  c03f 0001 0001 00000014 0004 5db8d822          # @82 e1.akamaiedge.net A 93.184.216.34, TTL 20
  c03f 0001 0001 00000014 0004 5db8d823          # @98 … A 93.184.216.35
  00 0029 04d0 00 00 0000 0000                   # @114 OPT udp 1232, no options
`);

describe('real packets', () => {
  it('decodes the query dig sends', () => {
    expect(DIG_QUERY.length).toBe(52);
    const expected = {
      id: 0x9a1b,
      flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: true, cd: false, rcode: 0 },
      question: { name: 'example.com', type: TYPE.A, class: CLASS_IN },
      edns: {
        udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false,
        options: [{ code: OPTION.COOKIE, data: hex('5f3a1c9d2e4b7701') }],
      },
      questionEnd: 29,
    };
    expect(decodeQuery(DIG_QUERY)).toEqual(expected);
    const full = decode(DIG_QUERY);
    expect(full).toEqual({
      id: expected.id, flags: expected.flags, questions: [expected.question],
      answers: [], authorities: [], additionals: [], edns: expected.edns,
    });
    expect(encode(full)).toEqual(DIG_QUERY);
  });

  it('decodes a compressed CNAME chain response', () => {
    expect(RESPONSE.length).toBe(125);
    const msg = decode(RESPONSE);
    expect(msg.id).toBe(0x9a1b);
    expect(msg.flags).toEqual({ qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 });
    expect(msg.questions).toEqual([{ name: 'www.example.com', type: TYPE.A, class: CLASS_IN }]);
    expect(msg.answers).toEqual([
      { name: 'www.example.com', type: TYPE.CNAME, class: CLASS_IN, ttl: 3600, data: { kind: 'name', name: 'cdn.example.com' } },
      { name: 'cdn.example.com', type: TYPE.CNAME, class: CLASS_IN, ttl: 300, data: { kind: 'name', name: 'e1.akamaiedge.net' } },
      { name: 'e1.akamaiedge.net', type: TYPE.A, class: CLASS_IN, ttl: 20, data: { kind: 'a', address: '93.184.216.34' } },
      { name: 'e1.akamaiedge.net', type: TYPE.A, class: CLASS_IN, ttl: 20, data: { kind: 'a', address: '93.184.216.35' } },
    ]);
    expect(msg.authorities).toEqual([]);
    expect(msg.additionals).toEqual([]);
    expect(msg.edns).toEqual({ udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [] });
    // The encoder compresses the same way, byte for byte.
    expect(encode(msg)).toEqual(RESPONSE);
    const q = decodeQuery(RESPONSE);
    expect([q.question, q.questionEnd, q.edns]).toEqual([msg.questions[0], 33, msg.edns]);
  });
});
