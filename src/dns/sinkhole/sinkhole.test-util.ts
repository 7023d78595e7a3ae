/**
 * Test helpers for the sinkhole: real bytes to sniff. The XMRig login comes from the real capture
 * in ../shared/testdata (read in place); curl's requests were captured once on loopback and are
 * kept here as hex; a Node ClientHello is captured afresh by `captureClientHello`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** ../shared/testdata/pcap/stratum_xmrig_rx0.pcap: XMRig 6.26.0 mining rx/0 to a loopback pool. Missing data fails loudly. */
export const XMRIG_PCAP = resolve(repoRoot, '../shared/testdata/pcap/stratum_xmrig_rx0.pcap');

export interface TcpSegment {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

/**
 * The TCP payloads of an Ethernet/IPv4 capture, classic pcap or pcapng (the file above is pcapng,
 * as Dumpcap writes it). pcap: 24-byte global header, 16-byte record headers (libpcap format);
 * pcapng: blocks of type, length, body, length — Enhanced Packet Blocks (type 6) carry packets
 * (draft-ietf-opsawg-pcapng §4.3). Ethernet(14) → IPv4(IHL×4) → TCP(data offset×4) → payload.
 */
export function tcpPayloads(file: string): TcpSegment[] {
  const d = readFileSync(file);
  const frames: Buffer[] = [];
  const magic = d.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) {
    const le = d.readUInt32LE(8) === 0x1a2b3c4d;
    const u32 = (o: number): number => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
    for (let off = 0; off + 12 <= d.length;) {
      const type = u32(off);
      const len = u32(off + 4);
      if (len < 12 || off + len > d.length) break;
      if (type === 6) frames.push(d.subarray(off + 28, off + 28 + u32(off + 20)));
      off += len;
    }
  } else if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const u32 = (o: number): number => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
    for (let off = 24; off + 16 <= d.length;) {
      const incl = u32(off + 8);
      frames.push(d.subarray(off + 16, off + 16 + incl));
      off += 16 + incl;
    }
  } else {
    throw new Error(`${file}: not a pcap or pcapng file`);
  }
  const out: TcpSegment[] = [];
  for (const f of frames) {
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800) continue; // Ethernet II, IPv4 only
    const ip = f.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip[9] !== 6) continue; // TCP
    const total = ip.readUInt16BE(2);
    const tcp = ip.subarray(ihl, total);
    const payload = tcp.subarray((tcp[12]! >> 4) * 4);
    if (payload.length === 0) continue;
    out.push({
      src: ip.subarray(12, 16).join('.'), dst: ip.subarray(16, 20).join('.'),
      srcPort: tcp.readUInt16BE(0), dstPort: tcp.readUInt16BE(2), payload: Buffer.from(payload),
    });
  }
  return out;
}

/** The first thing XMRig sent its pool in the capture: the `login` request line. */
export function xmrigLogin(): Buffer {
  const first = tcpPayloads(XMRIG_PCAP).find((s) => s.dstPort === 3333);
  if (first === undefined) throw new Error('no client payload to port 3333 in the capture');
  return first.payload;
}

/** `curl -s --max-time 2 http://127.0.0.1:PORT/ -H 'Host: pool.example'` (curl 7.88.1), as it arrived. */
export const CURL_HTTP = Buffer.from(
  '474554202f20485454502f312e310d0a486f73743a20706f6f6c2e6578616d706c650d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a',
  'hex',
);

/**
 * `curl -sk --resolve pool.supportxmr.com:PORT:127.0.0.1 https://pool.supportxmr.com:PORT/` (curl 7.88.1,
 * OpenSSL 3.0.19): its ClientHello as it arrived, 517 bytes (SNI pool.supportxmr.com, ALPN h2, http/1.1).
 */
export const CURL_CLIENT_HELLO = Buffer.from(
  '1603010200010001fc0303a68803c90b6ad63d12995a6ce0ea59729d4fc1135dea0a501080d763a647e2b52076a3810c9b0468431a28c11f0e045bed316a15616792a49d0f25a590761e7964003e130213031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff01000175000000180016000013706f6f6c2e737570706f7274786d722e636f6d000b000403000102000a00160014001d0017001e00190018010001010102010301040010000e000c02683208687474702f312e31001600000017000000310000000d002a0028040305030603080708080809080a080b080408050806040105010601030303010302040205020602002b0009080304030303020301002d00020101003300260024001d00207838123bdf041dff942a173c676ced32a15b3b7bcace7b0df9f10a9ac41c9c4c001500aa' +
    '00'.repeat(170),
  'hex',
);

/** Node's own ClientHello to `servername` with `alpn`, captured by a throwaway server on 127.0.0.1. */
export async function captureClientHello(servername: string, alpn: string[]): Promise<Buffer> {
  return new Promise<Buffer>((done, fail) => {
    const chunks: Buffer[] = [];
    const server = createServer((s) => {
      s.on('data', (d: Buffer) => {
        chunks.push(d);
        const b = Buffer.concat(chunks);
        if (b.length >= 5 && b.length >= 5 + b.readUInt16BE(3)) {
          s.destroy();
          server.close();
          done(b);
        }
      });
      s.on('error', () => {});
    });
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      if (a === null || typeof a === 'string') return fail(new Error('no port'));
      const c = tlsConnect({ host: '127.0.0.1', port: a.port, servername, ALPNProtocols: alpn, rejectUnauthorized: false });
      c.on('error', () => {});
    });
  });
}
