/**
 * The handler against random and mutated packets (fast-check): it never throws, never answers a
 * response, and whatever it sends back is a well-formed DNS response with the query's ID.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { answer } from '../chain/types.ts';
import { decode, encode, RCODE, TYPE } from '../wire/index.ts';
import { QueryHandler } from './handler.ts';

const chain = new Chain([{
  name: 'answer', describe: () => '',
  resolve: (q) => Promise.resolve(answer('resolved', 'x', RCODE.NOERROR, { answers: [{ name: q.qname, type: TYPE.A, class: 1, ttl: 5, data: { kind: 'a', address: '192.0.2.1' } }] })),
}]);

const VALID = encode({
  id: 0xbeef, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
  questions: [{ name: 'www.example.test', type: TYPE.A, class: 1 }], answers: [], authorities: [], additionals: [],
  edns: { udpSize: 4096, extendedRcode: 0, version: 0, dnssecOk: false, options: [{ code: 10, data: new Uint8Array(8) }] },
});

async function check(h: QueryHandler, bytes: Uint8Array): Promise<void> {
  const out = await h.handle(bytes, '127.0.0.1', 5353, 'udp');
  if (out === null) return;
  expect(out.length).toBeGreaterThanOrEqual(12);
  expect((out[0]! << 8) | out[1]!).toBe((bytes[0]! << 8) | bytes[1]!);
  expect(out[2]! & 0x80).toBe(0x80);
  expect(bytes[2]! & 0x80).toBe(0); // never an answer to a response
  expect(() => decode(out)).not.toThrow();
}

describe('query handler under hostile input', () => {
  it('answers a valid query, and keeps its ID', async () => {
    const h = new QueryHandler(chain, null);
    const out = await h.handle(VALID, '127.0.0.1', 1, 'udp');
    expect(decode(out!)).toMatchObject({ id: 0xbeef, flags: { qr: true, rcode: 0 }, answers: [{ data: { address: '192.0.2.1' } }] });
  });

  it('never throws on random bytes', async () => {
    const h = new QueryHandler(chain, null);
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), (b) => check(h, b)), { numRuns: 2000 });
  });

  it('never throws on mutated valid queries, and answers FORMERR or drops what it cannot read', async () => {
    const h = new QueryHandler(chain, null);
    const mutation = fc.array(fc.tuple(fc.nat(VALID.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    await fc.assert(fc.asyncProperty(mutation, fc.nat(VALID.length), async (muts, cut) => {
      const b = VALID.slice(0, Math.max(cut, 1));
      for (const [i, v] of muts) if (i < b.length) b[i] = v;
      await check(h, b);
    }), { numRuns: 3000 });
    expect(h.stats.malformed).toBeGreaterThan(0);
  });

  it('answers BADVERS to EDNS version 1 and NOTIMP to another opcode (RFC 6891 §6.1.3, RFC 1035 §4.1.1)', async () => {
    const h = new QueryHandler(chain, null);
    const v1 = decode(VALID);
    const badvers = await h.handle(encode({ ...v1, edns: { ...v1.edns!, version: 1 } }), '127.0.0.1', 1, 'udp');
    const m = decode(badvers!);
    expect(((m.edns?.extendedRcode ?? 0) << 4) | m.flags.rcode).toBe(RCODE.BADVERS);
    const notify = await h.handle(encode({ ...v1, flags: { ...v1.flags, opcode: 4 } }), '127.0.0.1', 1, 'udp');
    expect(decode(notify!).flags.rcode).toBe(RCODE.NOTIMP);
  });
});
