/** Builders for tests: frames (Ethernet/IPv4/IPv6/TCP/UDP) and capture files (pcap, pcapng). */

export function ip4(s: string): number[] {
  return s.split('.').map(Number);
}

export interface Seg {
  src?: string;
  dst?: string;
  sport: number;
  dport: number;
  proto?: 'tcp' | 'udp';
  flags?: number;
  seq?: number;
  payload?: Uint8Array | string;
  /** VLAN ids to stack (outer first); the outer one uses 802.1ad when there are two. */
  vlans?: number[];
}

const enc = (p: Uint8Array | string | undefined): Uint8Array => (p === undefined ? new Uint8Array(0) : typeof p === 'string' ? new TextEncoder().encode(p) : p);

/** An IPv4 packet (no link header). */
export function ipv4Packet(s: Seg): Uint8Array {
  const pay = enc(s.payload);
  const tcp = (s.proto ?? 'tcp') === 'tcp';
  const l4 = tcp ? 20 : 8;
  const total = 20 + l4 + pay.length;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, total);
  b[8] = 64;
  b[9] = tcp ? 6 : 17;
  b.set(ip4(s.src ?? '10.0.0.1'), 12);
  b.set(ip4(s.dst ?? '192.0.2.1'), 16);
  v.setUint16(20, s.sport);
  v.setUint16(22, s.dport);
  if (tcp) {
    v.setUint32(24, s.seq ?? 0);
    b[32] = 5 << 4;
    b[33] = s.flags ?? 0x18;
  } else {
    v.setUint16(24, 8 + pay.length);
  }
  b.set(pay, 20 + l4);
  return b;
}

/** An Ethernet frame around an IP packet (optionally VLAN-tagged). */
export function ether(ip: Uint8Array, vlans: number[] = [], type = 0x0800): Uint8Array {
  const b = new Uint8Array(14 + 4 * vlans.length + ip.length);
  const v = new DataView(b.buffer);
  let o = 12;
  vlans.forEach((id, i) => {
    v.setUint16(o, vlans.length > 1 && i === 0 ? 0x88a8 : 0x8100);
    v.setUint16(o + 2, id);
    o += 4;
  });
  v.setUint16(o, type);
  b.set(ip, o + 2);
  return b;
}

export function frame(s: Seg): Uint8Array {
  return ether(ipv4Packet(s), s.vlans ?? []);
}

export interface Rec {
  tsUs: number;
  data: Uint8Array;
}

/** Classic pcap. */
export function pcapFile(recs: Rec[], opts: { le?: boolean; nsec?: boolean; linktype?: number } = {}): Uint8Array {
  const le = opts.le ?? true;
  const size = 24 + recs.reduce((n, r) => n + 16 + r.data.length, 0);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, opts.nsec ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 65535, le);
  v.setUint32(20, opts.linktype ?? 1, le);
  let o = 24;
  for (const r of recs) {
    const sec = Math.floor(r.tsUs / 1e6);
    const us = r.tsUs - sec * 1e6;
    v.setUint32(o, sec, le);
    v.setUint32(o + 4, opts.nsec ? us * 1000 : us, le);
    v.setUint32(o + 8, r.data.length, le);
    v.setUint32(o + 12, r.data.length, le);
    b.set(r.data, o + 16);
    o += 16 + r.data.length;
  }
  return b;
}

/** A pcapng block: type, body, lengths. */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const b = new Uint8Array(12 + padded);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, b.length, le);
  b.set(body, 8);
  v.setUint32(b.length - 4, b.length, le);
  return b;
}

function bytes(n: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(n);
  fill(new DataView(b.buffer));
  return b;
}

export function shb(le = true): Uint8Array {
  return block(0x0a0d0d0a, bytes(16, (v) => {
    v.setUint32(0, 0x1a2b3c4d, le);
    v.setUint16(4, 1, le);
    v.setBigInt64(8, -1n, le);
  }), le);
}

/** IDB; tsresol as the option byte (6 = µs, 9 = ns, 0x80|n = 2^-n). */
export function idb(linktype: number, tsresol?: number, le = true): Uint8Array {
  return block(1, bytes(tsresol === undefined ? 8 : 20, (v) => {
    v.setUint16(0, linktype, le);
    v.setUint32(4, 262144, le);
    if (tsresol !== undefined) {
      v.setUint16(8, 9, le);
      v.setUint16(10, 1, le);
      v.setUint8(12, tsresol);
      // opt_endofopt at 16.
    }
  }), le);
}

export function epb(ifId: number, units: bigint, data: Uint8Array, le = true): Uint8Array {
  const body = bytes(20 + data.length, (v) => {
    v.setUint32(0, ifId, le);
    v.setUint32(4, Number(units >> 32n), le);
    v.setUint32(8, Number(units & 0xffffffffn), le);
    v.setUint32(12, data.length, le);
    v.setUint32(16, data.length, le);
  });
  body.set(data, 20);
  return block(6, body, le);
}

export function spb(data: Uint8Array, le = true): Uint8Array {
  const body = bytes(4 + data.length, (v) => v.setUint32(0, data.length, le));
  body.set(data, 4);
  return block(3, body, le);
}

/** The obsolete Packet Block (type 2). */
export function pb(ifId: number, units: bigint, data: Uint8Array, le = true): Uint8Array {
  const body = bytes(20 + data.length, (v) => {
    v.setUint16(0, ifId, le);
    v.setUint32(4, Number(units >> 32n), le);
    v.setUint32(8, Number(units & 0xffffffffn), le);
    v.setUint32(12, data.length, le);
    v.setUint32(16, data.length, le);
  });
  body.set(data, 20);
  return block(2, body, le);
}

export function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
