import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcapDecoder, packetsOf, type BytesSummary } from './file.ts';
import { cat, epb, frame, idb, pb, pcapFile, shb, spb, block } from './build.test-util.ts';

const STRATUM = new URL('../../../../shared/testdata/pcap/stratum_xmrig_rx0.pcap', import.meta.url);

function collect(bytes: Uint8Array): { ts: number[]; lens: number[]; links: number[]; sum: BytesSummary } {
  const sum: BytesSummary = { truncated: false, error: null, badBlocks: 0 };
  const ts: number[] = [];
  const lens: number[] = [];
  const links: number[] = [];
  for (const p of packetsOf(bytes, sum)) {
    ts.push(p.tsUs);
    lens.push(p.data.length);
    links.push(p.linktype);
  }
  return { ts, lens, links, sum };
}

describe('classic pcap', () => {
  const pkts = [{ tsUs: 1_700_000_000_123_456, data: frame({ sport: 1, dport: 2 }) }, { tsUs: 1_700_000_001_000_001, data: frame({ sport: 3, dport: 4, payload: 'x' }) }];
  for (const le of [true, false]) {
    for (const nsec of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${nsec ? 'nanosecond' : 'microsecond'} files`, () => {
        const r = collect(pcapFile(pkts, { le, nsec }));
        expect(r.ts).toEqual(pkts.map((p) => p.tsUs));
        expect(r.lens).toEqual(pkts.map((p) => p.data.length));
        expect(r.links).toEqual([1, 1]);
        expect(r.sum).toEqual({ truncated: false, error: null, badBlocks: 0 });
      });
    }
  }
  it('rejects a file that is not a capture, once', () => {
    expect(collect(new TextEncoder().encode('hello world, not a pcap')).sum.error).toMatch(/not a pcap/);
  });
});

describe('pcapng', () => {
  const data = frame({ sport: 5, dport: 6, payload: 'abc' });
  for (const le of [true, false]) {
    it(`reads EPB, SPB and the obsolete PB with per-interface link type and if_tsresol (${le ? 'LE' : 'BE'})`, () => {
      const file = cat([
        shb(le),
        idb(1, undefined, le), // interface 0: Ethernet, µs
        idb(101, 9, le), // interface 1: raw IP, ns
        idb(1, 0x80 | 10, le), // interface 2: 2^-10 s
        block(0x0bad, new Uint8Array(7), le), // unknown block: skipped by its length
        epb(0, 1_700_000_000_000_001n, data, le),
        epb(1, 1_700_000_000_000_002_000n, data.subarray(14), le),
        epb(2, 1024n * 5n, data, le),
        spb(data, le),
        pb(0, 42n, data, le),
      ]);
      const r = collect(file);
      expect(r.sum).toEqual({ truncated: false, error: null, badBlocks: 0 });
      expect(r.links).toEqual([1, 101, 1, 1, 1]);
      expect(r.ts).toEqual([1_700_000_000_000_001, 1_700_000_000_000_002, 5_000_000, 5_000_000, 42]);
      expect(r.lens).toEqual([data.length, data.length - 14, data.length, data.length, data.length]);
    });
  }

  it('starts a new interface list at each section, in the new byte order', () => {
    const file = cat([shb(true), idb(1), epb(0, 1n, data), shb(false), idb(101, undefined, false), epb(0, 2n, data.subarray(14), false)]);
    expect(collect(file).links).toEqual([1, 101]);
  });

  it('counts a packet block naming an unknown interface and goes on', () => {
    const r = collect(cat([shb(), idb(1), epb(3, 1n, data), epb(0, 2n, data)]));
    expect(r.sum.badBlocks).toBe(1);
    expect(r.ts).toEqual([2]);
  });

  it('reads the real stratum capture (29 packets, 25 s, ns resolution)', () => {
    const r = collect(readFileSync(STRATUM));
    expect(r.ts.length).toBe(29);
    expect(r.lens.reduce((a, b) => a + b, 0)).toBe(5002);
    expect((r.ts[28]! - r.ts[0]!) / 1e6).toBeCloseTo(24.990272, 5);
    expect(r.sum.truncated).toBe(false);
  });
});

describe('truncation and fuzz', () => {
  it('yields every packet before the cut and reports the truncation', () => {
    const full = readFileSync(STRATUM);
    const cut = full.subarray(0, 3000);
    const r = collect(cut);
    expect(r.sum.truncated).toBe(true);
    expect(r.ts.length).toBeGreaterThan(5);
    expect(r.ts.length).toBeLessThan(29);
    expect(r.ts).toEqual(collect(full).ts.slice(0, r.ts.length));
  });

  it('an incremental decoder over 1-byte steps reads what a whole-buffer pass reads', () => {
    const full = readFileSync(STRATUM);
    const d = new PcapDecoder();
    let pos = 0;
    let n = 0;
    for (let end = 1; end <= full.length; end++) {
      for (let r = d.next(full, pos, end); r >= 0; r = d.next(full, pos, end)) {
        pos = r;
        if (d.emitted) n++;
      }
    }
    expect(n).toBe(29);
  });

  it('never throws on random bytes or mutated captures', () => {
    const seed = new Uint8Array(readFileSync(STRATUM));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        collect(b);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), fc.nat(seed.length), (muts, len) => {
        const b = seed.slice(0, len);
        for (const [at, v] of muts) if (at < b.length) b[at] = v;
        collect(b);
      }),
      { numRuns: 300 },
    );
  });
});
