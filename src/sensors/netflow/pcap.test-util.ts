/**
 * Test-only: UDP payloads out of a capture file, to replay real exporter datagrams. Reads classic
 * pcap (either byte order, µs or ns) and pcapng (SHB/IDB/EPB/SPB; tshark writes pcapng even when
 * the file is named .pcap), link types Ethernet (1, with VLAN tags), raw IP (101, 228, 229) and
 * Linux SLL (113) / SLL2 (276), IPv4 and IPv6 (no extension headers, no fragments). Not a sensor:
 * the real pcap reader lives in src/sensors/pcap/.
 */
import { readFileSync } from 'node:fs';

export interface UdpDatagram {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export function readUdpPayloads(path: string): UdpDatagram[] {
  const buf = new Uint8Array(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: UdpDatagram[] = [];
  const magic = dv.getUint32(0, true);
  if (magic === 0x0a0d0d0a) {
    let off = 0;
    let le = true;
    const linkTypes: number[] = [];
    while (off + 12 <= buf.length) {
      if (dv.getUint32(off, true) === 0x0a0d0d0a) le = dv.getUint32(off + 8, true) === 0x1a2b3c4d;
      const type = dv.getUint32(off, le);
      const len = dv.getUint32(off + 4, le);
      if (len < 12 || off + len > buf.length) break;
      if (type === 0x0a0d0d0a) linkTypes.length = 0;
      else if (type === 1) linkTypes.push(dv.getUint16(off + 8, le));
      else if (type === 6) {
        const cap = dv.getUint32(off + 20, le);
        frame(buf.subarray(off + 28, off + 28 + cap), linkTypes[dv.getUint32(off + 8, le)] ?? 1, out);
      } else if (type === 3) frame(buf.subarray(off + 12, off + len - 4), linkTypes[0] ?? 1, out);
      off += len;
    }
    return out;
  }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && dv.getUint32(0, false) !== 0xa1b2c3d4 && dv.getUint32(0, false) !== 0xa1b23c4d) throw new Error(`${path}: not a capture file`);
  const link = dv.getUint32(20, le) & 0xffff;
  for (let off = 24; off + 16 <= buf.length; ) {
    const cap = dv.getUint32(off + 8, le);
    frame(buf.subarray(off + 16, off + 16 + cap), link, out);
    off += 16 + cap;
  }
  return out;
}

function frame(f: Uint8Array, link: number, out: UdpDatagram[]): void {
  let off: number;
  let etherType: number;
  const be16 = (o: number): number => (f[o]! << 8) | f[o + 1]!;
  if (link === 1) {
    off = 14;
    etherType = be16(12);
    while ((etherType === 0x8100 || etherType === 0x88a8) && off + 4 <= f.length) {
      etherType = be16(off + 2);
      off += 4;
    }
  } else if (link === 113) {
    off = 16;
    etherType = be16(14);
  } else if (link === 276) {
    off = 20;
    etherType = be16(0);
  } else if (link === 101 || link === 228 || link === 229) {
    off = 0;
    etherType = f[0]! >> 4 === 6 ? 0x86dd : 0x0800;
  } else return;
  if (etherType === 0x0800 && off + 20 <= f.length) {
    const ihl = (f[off]! & 15) * 4;
    if (f[off + 9] !== 17) return;
    const ip = (o: number): string => `${f[o]!}.${f[o + 1]!}.${f[o + 2]!}.${f[o + 3]!}`;
    udp(f, off + ihl, ip(off + 12), ip(off + 16), out);
  } else if (etherType === 0x86dd && off + 40 <= f.length) {
    if (f[off + 6] !== 17) return;
    const ip = (o: number): string => Array.from({ length: 8 }, (_, i) => be16(o + 2 * i).toString(16)).join(':');
    udp(f, off + 40, ip(off + 8), ip(off + 24), out);
  }
}

function udp(f: Uint8Array, off: number, src: string, dst: string, out: UdpDatagram[]): void {
  if (off + 8 > f.length) return;
  const len = (f[off + 4]! << 8) | f[off + 5]!;
  out.push({
    src, dst,
    srcPort: (f[off]! << 8) | f[off + 1]!,
    dstPort: (f[off + 2]! << 8) | f[off + 3]!,
    payload: f.slice(off + 8, Math.min(f.length, off + Math.max(8, len))),
  });
}
