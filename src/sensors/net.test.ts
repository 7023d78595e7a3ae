import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipv4At, ipv6At, isInternalDefault } from './net.ts';

describe('address text', () => {
  it('writes IPv6 as RFC 5952 does (checked against ipaddr.js), at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.nat(5), (bytes, zero, at) => {
        zero.forEach((z, g) => z && bytes.fill(0, 2 * g, 2 * g + 2));
        const buf = new Uint8Array(at + 16);
        buf.set(bytes, at);
        const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
        if (mapped) expect(ipv6At(buf, at)).toBe(`::ffff:${ipv4At(bytes, 12)}`);
        else expect(ipv6At(buf, at)).toBe(ipaddr.IPv6.parse(ipaddr.fromByteArray([...bytes]).toString()).toRFC5952String());
      }),
      { numRuns: 2000 },
    );
    expect(ipv6At(new Uint8Array(16), 0)).toBe('::');
    expect(ipv6At(Uint8Array.from([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]), 0)).toBe('2001:db8::1:0:0:1');
  });

  it('knows private, CGNAT, ULA and link-local ranges', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '100.127.1.1', '127.0.0.1', 'fd00::1', 'FC12::', 'fe80::1', '::1', '::ffff:10.0.0.1']) expect(isInternalDefault(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:db8::1', '::', '::ffff:8.8.8.8', 'garbage']) expect(isInternalDefault(a), a).toBe(false);
  });
});
