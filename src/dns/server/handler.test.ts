/**
 * The handler against random and mutated packets (fast-check): it never throws, never answers a
 * response, and whatever it sends back is a well-formed DNS response with the query's ID.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { IntelStage } from '../chain/intel.ts';
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

describe('block answers from their shape\'s template', () => {
  const blockChain = (action: 'nxdomain' | 'nodata' | 'refused' | 'sinkhole'): Chain => new Chain([new IntelStage({
    domain: (n) => (n.endsWith('pool.test') ? { value: n.split('.').slice(-3).join('.'), category: 'mining-pool', source: 'feed' } : null),
    ip: () => null, size: () => 1,
  }, { action, ttl: 60, sinkholeV4: '192.0.2.253', sinkholeV6: '2001:db8::253' })]);

  const query = (id: number, name: string, type: number, edns: 'none' | 'edns' | 'do', rd: boolean): Uint8Array => encode({
    id, flags: { qr: false, opcode: 0, aa: false, tc: false, rd, ra: false, ad: false, cd: !rd, rcode: 0 },
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [],
    edns: edns === 'none' ? null : { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: edns === 'do', options: [] },
  });

  it('gives every client the same answer the generic encoder gives, with its own question, flags and EDE text', async () => {
    for (const action of ['nxdomain', 'nodata', 'refused', 'sinkhole'] as const) {
      const h = new QueryHandler(blockChain(action), null);
      for (const type of [TYPE.A, TYPE.AAAA, TYPE.TXT]) {
        for (const edns of ['none', 'edns', 'do'] as const) {
          // Same length twice (the second from the template), then another name of that length.
          for (const [i, name] of ['xmr.a.pool.test', 'XMR.B.Pool.test', 'eth.c.pool.test', 'a-much-longer-label.d.pool.test'].entries()) {
            const rd = i % 2 === 0;
            const out = await h.handle(query(100 + i, name, type, edns, rd), '127.0.0.1', 1, 'udp');
            const m = decode(out!);
            expect(m.id).toBe(100 + i);
            expect(m.questions).toEqual([{ name, type, class: 1 }]);
            expect(m.flags).toMatchObject({ qr: true, aa: true, rd, cd: !rd, ra: true, rcode: action === 'nxdomain' ? RCODE.NXDOMAIN : action === 'refused' ? RCODE.REFUSED : RCODE.NOERROR });
            const sinkholed = action === 'sinkhole' && type !== TYPE.TXT;
            expect(m.answers.map((r) => [r.name, r.ttl, r.data])).toEqual(sinkholed ? [[name, 60, type === TYPE.A ? { kind: 'a', address: '192.0.2.253' } : { kind: 'aaaa', address: '2001:db8::253' }]] : []);
            expect(m.authorities.map((r) => [r.name, r.type])).toEqual(action === 'refused' || sinkholed ? [] : [[name, TYPE.SOA]]);
            const ede = m.edns?.options.find((o) => o.code === 15);
            if (edns === 'none') expect(m.edns).toBeNull();
            else expect(new TextDecoder().decode(ede!.data.subarray(2))).toBe(`mining-pool: ${name.toLowerCase().split('.').slice(-3).join('.')} [feed]`);
          }
        }
      }
    }
  });
});
