import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { parseV4, parseV6 } from './ip.ts';

function words(bytes: number[]): number[] {
  const out: number[] = [];
  for (let w = 0; w < 4; w++) out.push(((bytes[4 * w]! << 24) | (bytes[4 * w + 1]! << 16) | (bytes[4 * w + 2]! << 8) | bytes[4 * w + 3]!) >>> 0);
  return out;
}

describe('parseV4', () => {
  it('agrees with ipaddr.js on dotted quads', () => {
    fc.assert(
      fc.property(fc.ipV4(), (s) => {
        const b = ipaddr.IPv4.parse(s).toByteArray();
        expect(parseV4(s, 0, s.length)).toBe(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
      }),
    );
  });

  it('rejects what is not a canonical dotted quad', () => {
    for (const s of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '256.0.0.0', '01.0.0.0', '1.2.3.4a', '1.2.3.-4']) {
      expect(parseV4(s, 0, s.length)).toBe(-1);
    }
  });
});

describe('parseV6', () => {
  // Reference: the WHATWG URL host parser, then ipaddr.js on its hex serialisation (ipaddr.js alone
  // reads the deprecated IPv4-compatible ::a.b.c.d as IPv4-mapped; RFC 4291 §2.5.5.1 says zeros).
  it('agrees with the WHATWG host parser on every spelling fast-check writes', () => {
    const out = new Uint32Array(4);
    fc.assert(
      fc.property(fc.ipV6(), (s) => {
        expect(parseV6(s, 0, s.length, out)).toBe(true);
        const host = new URL(`http://[${s}]/`).hostname.slice(1, -1);
        expect([...out]).toEqual(words(ipaddr.IPv6.parse(host).toByteArray()));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects malformed addresses', () => {
    const out = new Uint32Array(4);
    for (const s of ['', ':', ':1', '1:', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', '[::1]', 'fe80::1%eth0']) {
      expect(parseV6(s, 0, s.length, out)).toBe(false);
    }
  });
});
