/** Shared helpers of the wire codec tests. */
import { TYPE, CLASS_IN } from './types.ts';
import type { Flags, Message } from './types.ts';

/** Bytes from hex written with spaces, newlines and `#` comments. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${clean}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function flags(over: Partial<Flags> = {}): Flags {
  return { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0, ...over };
}

/** A typical 3-answer response: CNAME + two A records, with EDNS. */
export function sampleResponse(): Message {
  return {
    id: 0x1234,
    flags: flags({ qr: true, ra: true }),
    questions: [{ name: 'www.example.com', type: TYPE.A, class: CLASS_IN }],
    answers: [
      { name: 'www.example.com', type: TYPE.CNAME, class: CLASS_IN, ttl: 300, data: { kind: 'name', name: 'edge.example.com' } },
      { name: 'edge.example.com', type: TYPE.A, class: CLASS_IN, ttl: 60, data: { kind: 'a', address: '192.0.2.1' } },
      { name: 'edge.example.com', type: TYPE.A, class: CLASS_IN, ttl: 60, data: { kind: 'a', address: '192.0.2.2' } },
    ],
    authorities: [],
    additionals: [],
    edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [] },
  };
}

/** The query `dig example.com A` sends (dig 9.18: RD+AD, EDNS udp 1232, an 8-byte client COOKIE). */
export const DIG_QUERY = hex(`
  9a1b 0120 0001 0000 0000 0001                  # id, flags RD AD, QD=1 AN=0 NS=0 AR=1
  07 6578616d706c65 03 636f6d 00 0001 0001       # example.com A IN
  00 0029 04d0 00 00 0000 000c                   # OPT: root, udp 1232, ext 0, v0, DO=0, rdlen 12
  000a 0008 5f3a1c9d2e4b7701                     # COOKIE, 8-byte client cookie
`);
