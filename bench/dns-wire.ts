/**
 * Micro-benchmark of the DNS wire codec (src/dns/wire): decodeQuery and decode of a typical
 * `dig` query (EDNS + COOKIE), decode and encode of a typical 3-answer response (CNAME + 2 A,
 * compressed, EDNS). Peer: the npm package dns-packet when it is installed (it is not a
 * dependency; nothing is installed for this), else skipped.
 *
 *   node --import tsx bench/dns-wire.ts
 *
 * Rates are operations per wall-clock second, the median of 5 runs of ~300 ms after warm-up.
 */
import { CLASS_IN, TYPE, decode, decodeQuery, encode } from '../src/dns/wire/index.ts';
import type { Message } from '../src/dns/wire/index.ts';

const RUNS = 5;
const RUN_MS = 300;

const QUERY = Uint8Array.from(Buffer.from('9a1b01200001000000000001076578616d706c6503636f6d00000100010000290' + '4d000000000000c000a00085f3a1c9d2e4b7701', 'hex'));

const RESPONSE_MSG: Message = {
  id: 0x1234,
  flags: { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
  questions: [{ name: 'www.example.com', type: TYPE.A, class: CLASS_IN }],
  answers: [
    { name: 'www.example.com', type: TYPE.CNAME, class: CLASS_IN, ttl: 300, data: { kind: 'name', name: 'edge.example-cdn.net' } },
    { name: 'edge.example-cdn.net', type: TYPE.A, class: CLASS_IN, ttl: 60, data: { kind: 'a', address: '192.0.2.1' } },
    { name: 'edge.example-cdn.net', type: TYPE.A, class: CLASS_IN, ttl: 60, data: { kind: 'a', address: '192.0.2.2' } },
  ],
  authorities: [],
  additionals: [],
  edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [] },
};
const RESPONSE = encode(RESPONSE_MSG);

let sink = 0;

function rate(fn: () => unknown): number {
  const results: number[] = [];
  for (let r = -1; r < RUNS; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < RUN_MS) {
      for (let i = 0; i < 1000; i++) if (fn() !== undefined) sink++;
      n += 1000;
      now = performance.now();
    }
    if (r >= 0) results.push((n * 1000) / (now - start));
  }
  results.sort((a, b) => a - b);
  return results[RUNS >> 1]!;
}

interface DnsPacket {
  decode(buf: Buffer): unknown;
  encode(msg: unknown): Buffer;
}

async function peer(): Promise<DnsPacket | null> {
  try {
    const name = 'dns-packet';
    // A computed specifier: the package is optional and has no types here.
    const mod = (await import(name)) as { default?: DnsPacket } & DnsPacket;
    return mod.default ?? mod;
  } catch {
    return null;
  }
}

function fmt(n: number): string {
  return `${(n / 1e6).toFixed(2)} M/s`.padStart(11);
}

const rows: [string, () => unknown, ((p: DnsPacket) => () => unknown) | null][] = [
  ['decodeQuery(query)', () => decodeQuery(QUERY), (p) => { const b = Buffer.from(QUERY); return () => p.decode(b); }],
  ['decode(query)', () => decode(QUERY), (p) => { const b = Buffer.from(QUERY); return () => p.decode(b); }],
  ['decode(response)', () => decode(RESPONSE), (p) => { const b = Buffer.from(RESPONSE); return () => p.decode(b); }],
  ['encode(response)', () => encode(RESPONSE_MSG), (p) => { const m = p.decode(Buffer.from(RESPONSE)); return () => p.encode(m); }],
];

const dnsPacket = await peer();
console.log(`DNS wire codec — query ${QUERY.length} B, response ${RESPONSE.length} B; node ${process.version}`);
console.log(dnsPacket === null ? 'peer: dns-packet not installed, skipped' : 'peer: dns-packet');
for (const [label, fn, peerFn] of rows) {
  const ours = rate(fn);
  let line = `${label.padEnd(20)} ${fmt(ours)}`;
  if (dnsPacket !== null && peerFn !== null) {
    const theirs = rate(peerFn(dnsPacket));
    line += `   dns-packet ${fmt(theirs)}   ×${(ours / theirs).toFixed(1)}`;
  }
  console.log(line);
}
if (sink < 0) console.log(sink);
