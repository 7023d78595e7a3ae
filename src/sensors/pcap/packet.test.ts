import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoded, Res, decodeFrame, formatIp } from './packet.ts';
import { ether, frame, ipv4Packet } from './build.test-util.ts';

function dec(f: Uint8Array, link = 1): { r: Res; d: Decoded } {
  const d = new Decoded();
  return { r: decodeFrame(f, link, d), d };
}

describe('decodeFrame', () => {
  it('reads Ethernet/IPv4/TCP with the payload as a view of the frame', () => {
    const f = frame({ src: '10.1.2.3', dst: '198.51.100.7', sport: 40000, dport: 3333, seq: 77, flags: 0x18, payload: 'hi' });
    const { r, d } = dec(f);
    expect(r).toBe(Res.Ok);
    expect([formatIp(d.src, 4), formatIp(d.dst, 4), d.sport, d.dport, d.seq, d.tcpFlags, d.ipLen]).toEqual(['10.1.2.3', '198.51.100.7', 40000, 3333, 77, 0x18, 42]);
    expect(new TextDecoder().decode(d.payload())).toBe('hi');
    expect(d.payload().buffer).toBe(f.buffer);
  });

  it('excludes Ethernet padding from the payload by the IP total length', () => {
    const f = new Uint8Array(60);
    f.set(frame({ sport: 1, dport: 2, proto: 'udp', payload: 'ab' }));
    const { d } = dec(f);
    expect(d.payLen).toBe(2);
  });

  it('skips stacked 802.1ad + 802.1Q tags', () => {
    for (const vlans of [[10], [100, 20], [1, 2, 3]]) {
      const { r, d } = dec(frame({ sport: 9, dport: 53, proto: 'udp', vlans, payload: 'x' }));
      expect(r).toBe(Res.Ok);
      expect([d.proto, d.dport, d.payLen]).toEqual([17, 53, 1]);
    }
  });

  it('reads Linux SLL, SLL2, raw IP, NULL and LOOP link types', () => {
    const ip = ipv4Packet({ sport: 1, dport: 2, proto: 'udp', payload: 'z' });
    const sll = new Uint8Array(16 + ip.length);
    sll[14] = 0x08;
    sll.set(ip, 16);
    const sll2 = new Uint8Array(20 + ip.length);
    sll2[0] = 0x08;
    sll2.set(ip, 20);
    const nul = new Uint8Array(4 + ip.length);
    nul[0] = 2; // AF_INET, little-endian host
    nul.set(ip, 4);
    const loop = new Uint8Array(4 + ip.length);
    loop[3] = 2;
    loop.set(ip, 4);
    const cases: [Uint8Array, number][] = [[sll, 113], [sll2, 276], [ip, 101], [ip, 12], [ip, 14], [ip, 228], [nul, 0], [loop, 108]];
    for (const [f, link] of cases) expect([link, dec(f, link).r]).toEqual([link, Res.Ok]);
    expect(dec(ip, 147).r).toBe(Res.UnsupportedLink);
  });

  it('reads IPv6 through extension headers and skips non-first fragments', () => {
    const udp = new Uint8Array([0x30, 0x39, 0x00, 0x35, 0, 9, 0, 0, 0x41]);
    const hop = new Uint8Array(8);
    hop[0] = 44; // next: fragment
    const fragFirst = new Uint8Array([17, 0, 0x00, 0x01, 0, 0, 0, 1]); // offset 0, M=1
    const ip6 = (ext: Uint8Array[], first: number): Uint8Array => {
      const body = ext.reduce((n, e) => n + e.length, 0) + udp.length;
      const b = new Uint8Array(40 + body);
      b[0] = 0x60;
      new DataView(b.buffer).setUint16(4, body);
      b[6] = first;
      b[23] = 1; // src ::1
      b[24] = 0x20;
      b[25] = 0x01;
      b[26] = 0x0d;
      b[27] = 0xb8;
      b[39] = 5;
      let o = 40;
      for (const e of ext) {
        b.set(e, o);
        o += e.length;
      }
      b.set(udp, o);
      return b;
    };
    const ok = dec(ether(ip6([hop, fragFirst], 0), [], 0x86dd));
    expect(ok.r).toBe(Res.Ok);
    expect([ok.d.proto, ok.d.dport, ok.d.payLen, formatIp(ok.d.src, 6), formatIp(ok.d.dst, 6)]).toEqual([17, 53, 1, '::1', '2001:db8::5']);
    const later = new Uint8Array([17, 0, 0x00, 0x08, 0, 0, 0, 1]); // offset 1 (8 bytes)
    expect(dec(ether(ip6([later], 44), [], 0x86dd)).r).toBe(Res.Fragment);
  });

  it('skips non-first IPv4 fragments and reads IPv4 options', () => {
    const p = ipv4Packet({ sport: 1, dport: 2, proto: 'udp', payload: 'q' });
    const frag = p.slice();
    frag[7] = 0x10; // offset 16
    expect(dec(ether(frag)).r).toBe(Res.Fragment);
    // IHL 6: 4 bytes of options (NOP × 4).
    const opt = new Uint8Array(p.length + 4);
    opt.set(p.subarray(0, 20));
    opt[0] = 0x46;
    opt.fill(1, 20, 24);
    opt.set(p.subarray(20), 24);
    new DataView(opt.buffer).setUint16(2, opt.length);
    const { r, d } = dec(ether(opt));
    expect([r, d.dport, d.payLen]).toEqual([Res.Ok, 2, 1]);
  });

  it('formats IPv6 addresses per RFC 5952', () => {
    expect(formatIp([0x20010db8, 0, 0, 1], 6)).toBe('2001:db8::1');
    expect(formatIp([0, 0, 0, 0], 6)).toBe('::');
    expect(formatIp([0x20010db8, 0x00000001, 0x00010001, 0x00010001], 6)).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('never throws on random frames of any link type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276), (b, link) => {
        dec(b, link);
      }),
      { numRuns: 2000 },
    );
  });
});
