/** Property tests: random and mutated export packets never throw, never loop, and errors are reported. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateCache } from './cache.ts';
import { decodeNetflow } from './decode.ts';
import {
  Bytes, dataSet, ipfixMessage, ipfixOptionsTemplateSet, ipfixTemplateSet, v4Flow, V4_FLOW, v9Packet, v9TemplateSet,
} from './packets.test-util.ts';
import { readUdpPayloads } from './pcap.test-util.ts';

const real = [
  ...readUdpPayloads(new URL('../../../../shared/testdata/netflow/netflow_v5_softflowd.pcap', import.meta.url).pathname),
  ...readUdpPayloads(new URL('../../../../shared/testdata/netflow/netflow_v9_softflowd.pcap', import.meta.url).pathname),
].map((d) => d.payload);

const T0 = 1_800_000_000_000;
const built = [
  ipfixMessage(1, 1_800_000_000, [
    ipfixTemplateSet([[256, V4_FLOW], [257, [{ id: 8, len: 4 }, { id: 82, len: 0xffff }, { id: 1, len: 4, pen: 29305 }]]]),
    ipfixOptionsTemplateSet(258, [{ id: 149, len: 4 }], [{ id: 34, len: 4 }]),
    dataSet(256, [v4Flow('10.0.0.1', 1, '10.0.0.2', 2, 6, 2, 10, 1, T0, T0)]),
    dataSet(257, [new Bytes().ip('1.2.3.4').varlen([1, 2, 3]).u32(5).bytes()]),
  ]),
  v9Packet(3, 1_800_000_000, 1000, [v9TemplateSet([[300, V4_FLOW]]), dataSet(300, [v4Flow('10.0.0.1', 1, '10.0.0.2', 2, 6, 2, 10, 1, T0, T0)])]),
];
const seeds = [...real, ...built];

function decodeSafely(cache: TemplateCache, p: Uint8Array): { flows: number; errors: number } {
  const r = decodeNetflow(p, '192.0.2.9', cache, T0);
  for (const f of r.flows) {
    expect(Number.isFinite(f.bytes) && Number.isFinite(f.packets) && Number.isFinite(f.start)).toBe(true);
    expect(typeof f.src).toBe('string');
  }
  return { flows: r.flows.length, errors: r.errors.length };
}

describe('decoder fuzzing', () => {
  it('never throws on random bytes, with or without a plausible version', () => {
    const cache = new TemplateCache({ maxPendingSets: 50 });
    fc.assert(
      fc.property(fc.constantFrom(5, 9, 10, 0, 7), fc.uint8Array({ maxLength: 1600 }), (version, body) => {
        const p = new Uint8Array(body.length + 2);
        p.set(body, 2);
        p[1] = version;
        decodeSafely(cache, p);
      }),
      { numRuns: 3000 },
    );
    expect(cache.stats().pending).toBeLessThanOrEqual(50);
  });

  it('never throws on mutated real and built packets (bit flips, truncation, splices)', () => {
    const cache = new TemplateCache();
    for (const s of seeds) decodeSafely(cache, s);
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.option(fc.nat()),
        (i, flips, cut) => {
          const p = seeds[i]!.slice();
          for (const [at, v] of flips) p[at % p.length] = v;
          decodeSafely(cache, cut === null ? p : p.subarray(0, cut % (p.length + 1)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('counts what it cannot read', () => {
    const cache = new TemplateCache();
    expect(decodeSafely(cache, new Uint8Array([0, 9, 0]))).toEqual({ flows: 0, errors: 1 });
    expect(decodeSafely(cache, new Uint8Array(40).fill(0xff))).toEqual({ flows: 0, errors: 1 });
    const trunc = real[0]!.subarray(0, 100);
    expect(decodeSafely(cache, trunc)).toEqual({ flows: 1, errors: 1 });
  });
});
