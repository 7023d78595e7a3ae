import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MinewardenEvent, TlsEvent } from '../../model/events.ts';
import { SensorHealth, type EventOutput } from '../types.ts';
import type { PayloadMessage, PcapHttp } from './apps/index.ts';
import { cat, epb, frame, idb, pcapFile, shb, type Seg } from './build.test-util.ts';
import { readPcap, type PcapSummary } from './reader.ts';
import { PcapSensor } from './sensor.ts';

const SHARED = new URL('../../../../shared/testdata/', import.meta.url);
const STRATUM = new URL('pcap/stratum_xmrig_rx0.pcap', SHARED).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mw-pcap-'));
let fileNo = 0;

class Collect implements EventOutput {
  events: MinewardenEvent[] = [];
  record(ev: MinewardenEvent): boolean {
    this.events.push(ev);
    return this.events.length % 3 !== 0; // says "behind" now and then: the reader must await drained()
  }
  noteHostName(): void {}
  drained = (): Promise<void> => Promise.resolve();
  of<K extends MinewardenEvent['kind']>(kind: K): Extract<MinewardenEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<MinewardenEvent, { kind: K }> => e.kind === kind);
  }
}

interface Run {
  out: Collect;
  sum: PcapSummary;
  payloads: PayloadMessage[];
  http: PcapHttp[];
  health: SensorHealth;
}

async function run(path: string, chunkBytes?: number): Promise<Run> {
  const out = new Collect();
  const payloads: PayloadMessage[] = [];
  const http: PcapHttp[] = [];
  const health = new SensorHealth('t', 'pcap');
  const sum = await readPcap(path, out, { health, onPayload: (m) => payloads.push(m), onHttp: (h) => http.push(h), chunkBytes });
  return { out, sum, payloads, http, health };
}

function write(bytes: Uint8Array): string {
  const p = join(dir, `f${fileNo++}.pcap`);
  writeFileSync(p, bytes);
  return p;
}

/** A capture from segments, 1 ms apart. */
function capture(segs: Seg[]): string {
  return write(pcapFile(segs.map((s, i) => ({ tsUs: 1_700_000_000_000_000 + i * 1000, data: frame(s) }))));
}

const C = { src: '10.0.0.5', dst: '203.0.113.9' };
const S = { src: '203.0.113.9', dst: '10.0.0.5' };

describe('the real XMRig stratum capture', () => {
  it('gives the DNS lookups, the pool flow with tshark byte counts, and the JSON-RPC messages', async () => {
    const { out, sum, payloads, health } = await run(STRATUM, 4096);
    expect(sum).toMatchObject({ format: 'pcapng', packets: 29, bytes: 5002, truncated: false, error: null, flows: 2, malformed: 0 });
    expect(health.errors).toBe(0);
    const tcp = out.of('flow').find((f) => f.proto === 6)!;
    // tshark -z conv,tcp: 42942 → 3333 15 frames / 2257 bytes, back 10 frames / 2413 bytes (Ethernet
    // frames); we count IP bytes as NetFlow does: minus 14 per frame.
    expect(tcp).toMatchObject({ src: '127.0.0.1', srcPort: 42942, dst: '127.0.0.1', dstPort: 3333, pktsOut: 15, bytesOut: 2257 - 15 * 14, pktsIn: 10, bytesIn: 2413 - 10 * 14, tcpState: 'SAF', sensor: 'pcap:stratum_xmrig_rx0.pcap', client: '127.0.0.1' });
    expect(tcp.end - tcp.ts).toBe(24971);
    const dns = out.of('dns');
    expect(dns.map((d) => [d.name, d.qtype, d.rcode, d.outcome])).toEqual([['pool.supportxmr.com', 1, 0, 'resolved'], ['pool.supportxmr.com', 28, 0, 'resolved']]);
    expect(dns[0]!.latencyUs).toBe(18537);

    const login = JSON.parse(payloads[0]!.text) as { method: string; params: { login: string; pass: string; agent: string; algo: string[] } };
    expect(payloads[0]!.fromClient).toBe(true);
    expect(payloads[0]!.flow).toEqual({ proto: 6, src: '127.0.0.1', srcPort: 42942, dst: '127.0.0.1', dstPort: 3333 });
    expect(login.method).toBe('login');
    expect(login.params.agent).toContain('XMRig/6.26.0');
    expect(login.params.pass).toBe('worker1');
    expect(login.params.login).toMatch(/^44AFFq5k\w+P3A$/);
    expect(login.params.algo).toContain('rx/0');
    const reply = JSON.parse(payloads[1]!.text) as { id: number; result: { job: { job_id: string; blob: string } } };
    expect(payloads[1]!.fromClient).toBe(false);
    expect(reply.id).toBe(1);
    expect(reply.result.job.blob).toMatch(/^[0-9a-f]+$/);
    const methods = payloads.map((p) => (JSON.parse(p.text) as { method?: string }).method ?? 'result');
    expect(methods.filter((m) => m === 'job')).toHaveLength(3);
    expect(methods.filter((m) => m === 'submit')).toHaveLength(3);
    expect(payloads).toHaveLength(11);
  });

  it('reads a truncated copy up to the cut and reports the truncation once', async () => {
    const full = readFileSync(STRATUM);
    const { sum, health, out } = await run(write(full.subarray(0, 3000)), 4096);
    expect(sum.truncated).toBe(true);
    expect(sum.packets).toBeGreaterThan(5);
    expect(sum.packets).toBeLessThan(29);
    expect(health.errors).toBe(1);
    expect(health.view().samples[0]!.reason).toMatch(/truncated/);
    expect(out.of('flow').length).toBe(2);
  });
});

describe('the NetFlow exporter captures', () => {
  for (const [name, port, pkts] of [['netflow_v5_softflowd.pcap', 2055, 15], ['netflow_v9_softflowd.pcap', 9996, 15]] as const) {
    it(`${name}: one UDP flow to the collector port`, async () => {
      const { out, sum } = await run(new URL(`netflow/${name}`, SHARED).pathname);
      expect(sum.packets).toBe(pkts);
      const flows = out.of('flow');
      expect(flows).toHaveLength(1);
      expect(flows[0]).toMatchObject({ proto: 17, dstPort: port, pktsOut: pkts, pktsIn: 0, tcpState: null });
      expect(out.of('dns')).toHaveLength(0);
    });
  }
});

describe('the Zeek wikipedia capture (classic pcap)', () => {
  it('gives the 34 connections of conn.log, DNS and HTTP', async () => {
    const { out } = await run(new URL('zeek/wikipedia/wikipedia.pcap', SHARED).pathname);
    expect(out.of('flow')).toHaveLength(34);
    const http = out.of('http');
    expect(http.some((h) => h.host === 'bits.wikimedia.org' && h.url === '/skins-1.5/monobook/main.css' && h.status === 304)).toBe(true);
    expect(out.of('dns').some((d) => d.name === 'upload.wikimedia.org.ncsa.uiuc.edu' && d.rcode === 3)).toBe(true);
  });
});

describe('TCP flows and reassembly', () => {
  it('reassembles out-of-order and retransmitted segments into JSON-RPC lines', async () => {
    const { payloads, out } = await run(capture([
      { ...C, sport: 5000, dport: 4444, flags: 0x02, seq: 100 },
      { ...S, sport: 4444, dport: 5000, flags: 0x12, seq: 900 },
      { ...C, sport: 5000, dport: 4444, flags: 0x18, seq: 111, payload: '"method":"login"}\n' }, // second half first
      { ...C, sport: 5000, dport: 4444, flags: 0x18, seq: 101, payload: '{"id":1,  ' },
      { ...C, sport: 5000, dport: 4444, flags: 0x18, seq: 101, payload: '{"id":1,  ' }, // retransmission
      { ...S, sport: 4444, dport: 5000, flags: 0x11, seq: 901 },
      { ...C, sport: 5000, dport: 4444, flags: 0x11, seq: 129 },
    ]));
    expect(payloads.map((p) => [p.text, p.fromClient])).toEqual([['{"id":1,  "method":"login"}', true]]);
    const f = out.of('flow');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ src: '10.0.0.5', dst: '203.0.113.9', pktsOut: 5, pktsIn: 2, tcpState: 'SAF', client: '10.0.0.5' });
  });

  it('takes the SYN-ACK receiver as initiator and the internal side as client', async () => {
    const { out } = await run(capture([
      { ...S, sport: 443, dport: 6000, flags: 0x12, seq: 1 },
      { ...C, sport: 6000, dport: 443, flags: 0x04, seq: 1 },
    ]));
    expect(out.of('flow')[0]).toMatchObject({ src: '10.0.0.5', srcPort: 6000, dst: '203.0.113.9', tcpState: 'SAR', pktsOut: 1, pktsIn: 1 });
  });

  it('ends flows on idle timeout and evicts the oldest past the cap', async () => {
    const p = capture([
      { ...C, sport: 1, dport: 9, proto: 'udp' },
      { ...C, sport: 2, dport: 9, proto: 'udp' },
      { ...C, sport: 3, dport: 9, proto: 'udp' },
    ]);
    const out = new Collect();
    const sum = await readPcap(p, out, { health: new SensorHealth('t', 'pcap'), flows: { maxFlows: 2 } });
    expect(sum.evictedFlows).toBe(1);
    expect(out.of('flow').map((f) => f.srcPort)).toEqual([1, 2, 3]);
    const idle = new Collect();
    await readPcap(p, idle, { health: new SensorHealth('t', 'pcap'), flows: { idleUs: 500 } });
    expect(idle.of('flow').map((f) => f.srcPort)).toEqual([1, 2, 3]);
  });

  it('reads VLAN-tagged frames in a pcapng built here', async () => {
    const f = frame({ ...C, sport: 7, dport: 8, proto: 'udp', vlans: [100, 200], payload: 'v' });
    const { out } = await run(write(cat([shb(), idb(1, 9), epb(0, 1_700_000_000_000_000_000n, f), epb(0, 1_700_000_000_500_000_000n, f)])));
    expect(out.of('flow')[0]).toMatchObject({ proto: 17, srcPort: 7, dstPort: 8, pktsOut: 2, ts: 1_700_000_000_000, end: 1_700_000_000_500 });
  });
});

describe('HTTP', () => {
  it('pairs pipelined requests with responses and keeps the first body bytes (MZ)', async () => {
    const body = 'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00rest-of-the-exe';
    const req1 = 'GET /a.exe HTTP/1.1\r\nHost: files.example\r\nUser-Agent: curl/8.5\r\n\r\n';
    const req2 = 'GET /b HTTP/1.1\r\nHost: files.example\r\n\r\n';
    const resp1 = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const resp2 = 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n';
    const latin = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    const r1 = latin(resp1);
    const { http, out } = await run(capture([
      { ...C, sport: 7000, dport: 80, flags: 0x02, seq: 0 },
      { ...S, sport: 80, dport: 7000, flags: 0x12, seq: 0 },
      { ...C, sport: 7000, dport: 80, seq: 1, payload: req1 + req2 },
      { ...S, sport: 80, dport: 7000, seq: 1 + 40, payload: r1.subarray(40) },
      { ...S, sport: 80, dport: 7000, seq: 1, payload: r1.subarray(0, 40) },
      { ...S, sport: 80, dport: 7000, seq: 1 + r1.length, payload: resp2 },
    ]));
    expect(out.of('http')).toHaveLength(2);
    const [a, b] = http;
    expect(a!.event).toMatchObject({ method: 'GET', host: 'files.example', url: '/a.exe', userAgent: 'curl/8.5', status: 200, contentType: 'application/octet-stream', size: body.length, client: '10.0.0.5', server: '203.0.113.9', serverPort: 80 });
    expect(Array.from(a!.bodyHead)).toEqual(Array.from(latin(body.slice(0, 16))));
    expect(String.fromCharCode(...a!.bodyHead.subarray(0, 2))).toBe('MZ');
    expect(b!.event).toMatchObject({ url: '/b', status: 404, size: 4 });
    expect(new TextDecoder().decode(b!.bodyHead)).toBe('nope');
  });
});

/** A ClientHello with the cipher, extension, group and signature lists of a published Chrome
 * fingerprint (browserleaks output: JA3 text and hash, JA4 and ja4_r), GREASE included. */
function chromeHello(sni: string): Uint8Array {
  const u16 = (v: number): number[] => [v >> 8, v & 255];
  const vec16 = (b: number[]): number[] => [...u16(b.length), ...b];
  const ciphers = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const ext = (type: number, data: number[]): number[] => [...u16(type), ...vec16(data)];
  const name = [...new TextEncoder().encode(sni)];
  const exts: Record<number, number[]> = {
    0x002d: [1, 1], 0x0033: vec16([]), 0x0010: vec16([2, 0x68, 0x32, 8, ...new TextEncoder().encode('http/1.1')]),
    0xfe0d: [], 0x0017: [], 0x44cd: [0, 3, 2, 0x68, 0x32], 0x0000: vec16([0, ...vec16(name)]),
    0x000b: [1, 0], 0x000a: vec16([0x1a, 0x1a, ...u16(4588), ...u16(29), ...u16(23), ...u16(24)]),
    0x002b: [6, 0x2a, 0x2a, 3, 4, 3, 3], 0xff01: [0], 0x0023: [], 0x0012: [], 0x0005: [1, 0, 0, 0, 0],
    0x000d: vec16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].flatMap(u16)), 0x001b: [2, 0, 2],
  };
  const order = [0x2a2a, 0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01, 0x0023, 0x0012, 0x0005, 0x000d, 0x001b, 0x3a3a];
  const extBytes = order.flatMap((t) => ext(t, exts[t] ?? []));
  const body = [3, 3, ...new Array<number>(32).fill(7), 0, ...vec16(ciphers.flatMap(u16)), 1, 0, ...vec16(extBytes)];
  const hs = [1, 0, body.length >> 8, body.length & 255, ...body];
  // Two records: the handshake message spans them (RFC 8446 §5.1).
  const cut = 50;
  const rec = (p: number[]): number[] => [22, 3, 1, ...u16(p.length), ...p];
  return Uint8Array.from([...rec(hs.slice(0, cut)), ...rec(hs.slice(cut))]);
}

describe('TLS', () => {
  it('reads SNI, version, JA3 and JA4 from a ClientHello spread over records and segments', async () => {
    const hello = chromeHello('tls.browserleaks.com');
    const { out } = await run(capture([
      { ...C, sport: 8000, dport: 443, flags: 0x02, seq: 10 },
      { ...C, sport: 8000, dport: 443, seq: 11 + 100, payload: hello.subarray(100) },
      { ...C, sport: 8000, dport: 443, seq: 11, payload: hello.subarray(0, 100) },
    ]));
    const tls = out.of('tls');
    expect(tls).toHaveLength(1);
    const ja3Text = '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0';
    expect(tls[0]).toMatchObject({ sni: 'tls.browserleaks.com', version: 'TLSv1.3', server: '203.0.113.9', serverPort: 443, client: '10.0.0.5' } satisfies Partial<TlsEvent>);
    expect(tls[0]!.ja3).toBe(createHash('md5').update(ja3Text).digest('hex'));
    expect(tls[0]!.ja3).toBe('98487aa16281980e7d1120d399efb6a4'); // as published
    expect(tls[0]!.ja4).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd'); // as published
  });
});

describe('robustness', () => {
  it('random and mutated captures never throw and are counted', async () => {
    const seed = new Uint8Array(readFileSync(STRATUM));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 30 }), fc.nat(seed.length), async (muts, len) => {
        const b = seed.slice(0, len);
        for (const [at, v] of muts) if (at < b.length) b[at] = v;
        await run(write(b), 4096);
      }),
      { numRuns: 150 },
    );
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (b) => void (await run(write(b)))), { numRuns: 50 });
  });

  it('the sensor reads its files once and reports health', async () => {
    const out = new Collect();
    const s = new PcapSensor({ paths: [STRATUM, join(dir, 'missing.pcap')], site: 'lab' }, out);
    await s.start();
    await s.done;
    expect(s.summaries).toHaveLength(1);
    expect(out.events.every((e) => e.site === 'lab')).toBe(true);
    expect(s.health()).toMatchObject({ kind: 'pcap', events: out.events.length, errors: 1 });
    await s.stop();
  });
});

