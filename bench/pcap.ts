/**
 * pcap reader throughput against `tshark -r FILE -q` on the same files, in the same run.
 *
 * Two captures of ~N MB each (default 200):
 *  - app-heavy: the real XMRig stratum capture (../shared/testdata/pcap) replayed with a new client
 *    address and port and a later start per replica: 2 flows, 2 DNS messages and 11 JSON-RPC lines
 *    per 29 packets, the worst case for the app layer.
 *  - typical: synthetic bulk TCP — HTTP downloads and TLS sessions of ~180 full-size segments each,
 *    with client ACKs, a DNS exchange before each — the shape of ordinary traffic.
 * Each is read best-of-R (default 3; rounds interleave ours and tshark so both see the same noise).
 * Reported per file: our wall time and the CPU time of our process (process.cpuUsage, the I/O
 * threads included), tshark's wall time, and the ratio tshark/ours (the target is ≥ 3×).
 * Nothing is sent anywhere: the files are written to a temp dir and removed.
 * Run: node --import tsx bench/pcap.ts [megabytes] [rounds]   (NO_TSHARK=1 to skip tshark)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packetsOf, readPcap, type PcapSummary } from '../src/sensors/pcap/index.ts';
import { SensorHealth, type EventOutput } from '../src/sensors/types.ts';

const targetMb = Number(process.argv[2] ?? 200);
const rounds = Math.max(1, Number(process.argv[3] ?? 3));
const dir = mkdtempSync(join(tmpdir(), 'mw-pcap-bench-'));

/** A classic pcap written through a 4 MiB block (one write per block). */
class PcapWriter {
  private readonly fd: number;
  private readonly block = new Uint8Array(4 << 20);
  private readonly v = new DataView(this.block.buffer);
  private o = 0;
  packets = 0;
  /** Bytes written so far, header included. */
  total = 24;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, 0xa1b2c3d4, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setUint32(16, 65535, true);
    h.setUint32(20, 1, true);
    writeSync(this.fd, new Uint8Array(h.buffer));
  }
  /** Appends one record; returns the frame's bytes (a view to fill in place). */
  frame(tsUs: number, len: number): DataView {
    if (this.o + 16 + len > this.block.length) this.flush();
    const v = this.v;
    v.setUint32(this.o, Math.floor(tsUs / 1e6), true);
    v.setUint32(this.o + 4, tsUs % 1e6, true);
    v.setUint32(this.o + 8, len, true);
    v.setUint32(this.o + 12, len, true);
    const f = new DataView(this.block.buffer, this.o + 16, len);
    this.block.fill(0, this.o + 16, this.o + 16 + len);
    this.o += 16 + len;
    this.total += 16 + len;
    this.packets++;
    return f;
  }
  bytes(f: DataView): Uint8Array {
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  flush(): void {
    writeSync(this.fd, this.block, 0, this.o);
    this.o = 0;
  }
  close(): number {
    this.flush();
    fsyncSync(this.fd); // writeback must not run during the timed reads
    closeSync(this.fd);
    return statSync(this.path).size;
  }
}

function appHeavy(path: string): PcapWriter {
  const seed = readFileSync(new URL('../../shared/testdata/pcap/stratum_xmrig_rx0.pcap', import.meta.url));
  const frames: { tsUs: number; data: Uint8Array }[] = [];
  for (const p of packetsOf(seed)) frames.push({ tsUs: p.tsUs, data: p.data.slice() });
  const t0 = frames[0]!.tsUs;
  const CLIENT_PORTS = new Set([42942, 46554]);
  const w = new PcapWriter(path);
  for (let k = 0; w.total < targetMb * 1e6; k++) {
    const port = 1024 + (k % 60000);
    for (const f of frames) {
      const dv = w.frame(f.tsUs - t0 + 1_700_000_000_000_000 + k * 30_000_000, f.data.length);
      w.bytes(dv).set(f.data);
      // The client side gets 10.<k>: a new address and port per replica (Ethernet 14 + IPv4 20).
      const fromClient = CLIENT_PORTS.has(dv.getUint16(34));
      dv.setUint32(fromClient ? 26 : 30, (10 << 24) | (k & 0xffffff));
      dv.setUint16(fromClient ? 34 : 36, port);
    }
  }
  return w;
}

const TCP_FLAGS = { FIN: 1, SYN: 2, PSH: 8, ACK: 16 };
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Ethernet + IPv4 + TCP (or UDP) frame with `pay` as payload. */
function ipFrame(w: PcapWriter, ts: number, src: number, dst: number, sp: number, dp: number, proto: 6 | 17, seq: number, ack: number, flags: number, pay: Uint8Array | number): void {
  const plen = typeof pay === 'number' ? pay : pay.length;
  const l4 = proto === 6 ? 20 : 8;
  const f = w.frame(ts, 14 + 20 + l4 + plen);
  f.setUint16(12, 0x0800);
  f.setUint8(14, 0x45);
  f.setUint16(16, 20 + l4 + plen);
  f.setUint8(22, 64);
  f.setUint8(23, proto);
  f.setUint32(26, src);
  f.setUint32(30, dst);
  f.setUint16(34, sp);
  f.setUint16(36, dp);
  if (proto === 6) {
    f.setUint32(38, seq);
    f.setUint32(42, ack);
    f.setUint8(46, 0x50);
    f.setUint8(47, flags);
    f.setUint16(48, 65535);
  } else f.setUint16(38, 8 + plen);
  if (typeof pay !== 'number') w.bytes(f).set(pay, 14 + 20 + l4);
  else if (plen > 0) w.bytes(f).fill(0x5a, 14 + 20 + l4); // bulk body bytes
}

function dnsMsg(id: number, name: string, response: boolean): Uint8Array {
  const q = [...name.split('.').flatMap((l) => [l.length, ...ascii(l)]), 0, 0, 1, 0, 1];
  const head = [id >> 8, id & 255, response ? 0x81 : 0x01, response ? 0x80 : 0, 0, 1, 0, response ? 1 : 0, 0, 0, 0, 0];
  const answer = response ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34] : [];
  return Uint8Array.from([...head, ...q, ...answer]);
}

function clientHello(sni: string): Uint8Array {
  const host = ascii(sni);
  const sniExt = [0, 0, 0, host.length + 5, 0, host.length + 3, 0, 0, host.length, ...host];
  const body = [3, 3, ...new Array<number>(32).fill(7), 0, 0, 4, 0x13, 0x01, 0x00, 0x2f, 1, 0, 0, sniExt.length, ...sniExt];
  const hs = [1, 0, body.length >> 8, body.length & 255, ...body];
  return Uint8Array.from([22, 3, 1, hs.length >> 8, hs.length & 255, ...hs]);
}

/** One DNS exchange, then an HTTP download or a TLS session of `segs` full-size segments. */
function session(w: PcapWriter, k: number, ts: number, segs: number): number {
  const c = (10 << 24) | (1 + (k & 0xffffff));
  const s = (198 << 24) | (51 << 16) | (100 << 8) | (k % 200);
  const cp = 1024 + (k % 60000);
  const tls = k % 2 === 1;
  const name = `host${k % 5000}.example.com`;
  ipFrame(w, ts, c, 0x08080808, cp, 53, 17, 0, 0, 0, dnsMsg(k & 0xffff, name, false));
  ipFrame(w, (ts += 20_000), 0x08080808, c, 53, cp, 17, 0, 0, 0, dnsMsg(k & 0xffff, name, true));
  const { FIN, SYN, PSH, ACK } = TCP_FLAGS;
  const dp = tls ? 443 : 80;
  let cs = 1000;
  let ss = 5000;
  ipFrame(w, (ts += 1000), c, s, cp, dp, 6, cs++, 0, SYN, 0);
  ipFrame(w, (ts += 30_000), s, c, dp, cp, 6, ss++, cs, SYN | ACK, 0);
  ipFrame(w, (ts += 100), c, s, cp, dp, 6, cs, ss, ACK, 0);
  const req = tls ? clientHello(name) : ascii(`GET /file${k}.bin HTTP/1.1\r\nHost: ${name}\r\nUser-Agent: bench/1.0\r\n\r\n`);
  ipFrame(w, (ts += 100), c, s, cp, dp, 6, cs, ss, PSH | ACK, req);
  cs += req.length;
  const bodyLen = segs * 1448;
  if (!tls) {
    const head = ascii(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bodyLen}\r\n\r\n`);
    ipFrame(w, (ts += 30_000), s, c, dp, cp, 6, ss, cs, PSH | ACK, head);
    ss += head.length;
  }
  for (let i = 0; i < segs; i++) {
    ipFrame(w, (ts += 50), s, c, dp, cp, 6, ss, cs, ACK, 1448);
    ss += 1448;
    if (i % 2 === 1) ipFrame(w, (ts += 10), c, s, cp, dp, 6, cs, ss, ACK, 0);
  }
  ipFrame(w, (ts += 1000), s, c, dp, cp, 6, ss++, cs, FIN | ACK, 0);
  ipFrame(w, (ts += 100), c, s, cp, dp, 6, cs++, ss, FIN | ACK, 0);
  ipFrame(w, (ts += 100), s, c, dp, cp, 6, ss, cs, ACK, 0);
  return ts;
}

function typical(path: string): PcapWriter {
  const w = new PcapWriter(path);
  let ts = 1_700_000_000_000_000;
  for (let k = 0; w.total < targetMb * 1e6; k++) ts = session(w, k, ts, 120 + (k % 120)) + 5000;
  return w;
}

const output: EventOutput = { record: () => true, noteHostName: () => undefined, drained: () => Promise.resolve() };

function tshark(file: string): number | null {
  const t = performance.now();
  const r = spawnSync('tshark', ['-r', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error !== undefined || r.status !== 0) return null;
  return (performance.now() - t) / 1000;
}

async function measure(label: string, make: (path: string) => PcapWriter): Promise<void> {
  const path = join(dir, `${label}.pcap`);
  const w = make(path);
  const size = w.close();
  console.log(`\n${label}: ${(size / 1e6).toFixed(1)} MB, ${w.packets.toLocaleString()} packets`);
  readFileSync(path); // warm the page cache so neither reader pays for the disk
  let wall = Infinity;
  let cpu = Infinity;
  let ts: number | null = Infinity;
  let sum = null as PcapSummary | null;
  let payloads = 0;
  for (let r = 0; r < rounds; r++) {
    payloads = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sum = await readPcap(path, output, { health: new SensorHealth('bench', 'pcap'), onPayload: () => payloads++ });
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
    if (ts !== null && process.env.NO_TSHARK === undefined) {
      const t = tshark(path);
      ts = t === null ? null : Math.min(ts, t);
    }
  }
  const e = sum!.events;
  console.log(`  minewarden readPcap: ${wall.toFixed(3)} s wall, ${cpu.toFixed(3)} s cpu  ${(w.packets / wall / 1e6).toFixed(2)} Mpkt/s  ${(size / 1e6 / wall).toFixed(0)} MB/s  (${e.flow} flows, ${e.dns} dns, ${e.http} http, ${e.tls} tls, ${payloads} payload messages)`);
  if (ts === null) console.log('  tshark -r FILE -q: not installed or failed');
  else if (process.env.NO_TSHARK === undefined) {
    console.log(`  tshark -r FILE -q:   ${ts.toFixed(3)} s wall`);
    console.log(`  RATIO ${label}: tshark/ours = ${(ts / wall).toFixed(2)}× by wall, ${(ts / cpu).toFixed(2)}× against our cpu  (target ≥ 3×)`);
  }
}

console.log(`best of ${rounds} rounds; rss grows with the JIT and the pools, not with the file`);
try {
  await measure('app-heavy', appHeavy);
  await measure('typical', typical);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nrss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
