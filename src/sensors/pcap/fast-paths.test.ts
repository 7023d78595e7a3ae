/** The allocation-free paths (offsets instead of views, byte tests before decoding, the array flow table) agree with the plain ones. */
import { describe, expect, it } from 'vitest';
import { looksLikeRequest } from './apps/http.ts';
import { jsonLines } from './apps/jsonrpc.ts';
import { frame, pcapFile } from './build.test-util.ts';
import { PcapDecoder } from './file.ts';
import { FlowTable, type Flow } from './flows.ts';
import { Decoded, Res, decodeAt, decodeFrame, formatIp } from './packet.ts';
import { Stream } from './reassembly.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function lines(input: string): string[] {
  const s = new Stream(1 << 20, 1 << 20);
  s.syn(0);
  s.add(1, bytes(input));
  const out: string[] = [];
  return out.slice(0, jsonLines(s, out));
}

/** What the previous string-first reader handed on, line by line. */
function reference(input: string): string[] {
  return input.split('\n').slice(0, -1).map((l) => l.trim()).filter((t) => t.startsWith('{') && ['"method"', '"result"', '"jsonrpc"'].some((m) => t.includes(m)));
}

describe('jsonLines byte tests', () => {
  it('hands on the same lines as testing the decoded, trimmed text', () => {
    const cases = [
      '{"id":1,"method":"login"}\n{"id":1,"result":{}}\r\n',
      '  \t{"jsonrpc":"2.0"}  \n{"id":2}\n[1,2]\n\n   \nplain text "method"\n',
      '\u00a0{"method":"x"}\u00a0\n\ufeff{"result":1}\n{"method":"ünïcödé"}\u2028\n',
      '{"meth" "od"}\n{"\u00e9method"}\n{"method"\n{"partial":"no newline","method":1}',
    ];
    for (const c of cases) expect(lines(c)).toEqual(reference(c));
  });

  it('keeps a partial line and consumes the complete ones', () => {
    const s = new Stream(1000);
    s.syn(0);
    s.add(1, bytes('{"method":"a"}\n{"meth'));
    const out: string[] = [];
    expect(jsonLines(s, out)).toBe(1);
    expect(out[0]).toBe('{"method":"a"}');
    s.add(22, bytes('od":"b"}\n'));
    expect(jsonLines(s, out)).toBe(1);
    expect(out[0]).toBe('{"method":"b"}');
    expect(s.length).toBe(0);
  });
});

describe('Stream.addAt and the buffer pool', () => {
  it('reads a segment by offsets like add() reads a view', () => {
    const seg = bytes('xxhello worldyy');
    const a = new Stream(100);
    const b = new Stream(100);
    a.syn(9);
    b.syn(9);
    a.add(10, seg.subarray(2, 13));
    b.addAt(10, seg, 2, 11);
    expect(new TextDecoder().decode(b.data())).toBe('hello world');
    expect(b.data()).toEqual(a.data());
    // Overlapping held bytes: only the new tail ('o ' of 'xxhello ' at stream bytes 5..12) is taken.
    expect(a.add(15, seg.subarray(0, 8))).toBe(true);
    expect(b.addAt(15, seg, 0, 8)).toBe(true);
    expect(new TextDecoder().decode(b.data())).toBe('hello worldo ');
    expect(b.data()).toEqual(a.data());
    // Starting before stream byte 0 and wholly held: nothing new.
    expect(b.addAt(5, seg, 0, 7)).toBe(false);
  });

  it('gives a stopped stream buffer to the next stream, which sees only its own bytes', () => {
    const a = new Stream(4096);
    a.syn(0);
    a.add(1, bytes('a'.repeat(700)));
    a.stop();
    const b = new Stream(4096);
    b.syn(0);
    b.add(1, bytes('short'));
    expect(new TextDecoder().decode(b.data())).toBe('short');
    b.add(6, bytes('b'.repeat(2000)));
    expect(b.data().length).toBe(2005);
    expect(b.data()[4]).toBe(0x74);
  });
});

describe('decoder offsets', () => {
  it('reports packets as offsets into the read buffer, with data made on demand', () => {
    const f1 = frame({ sport: 1, dport: 2, payload: 'one' });
    const f2 = frame({ sport: 3, dport: 4, proto: 'udp', payload: 'second' });
    const file = pcapFile([{ tsUs: 1, data: f1 }, { tsUs: 2, data: f2 }]);
    const dec = new PcapDecoder();
    const seen: Uint8Array[] = [];
    for (let pos = 0, n = 0; (n = dec.next(file, pos, file.length)) >= 0; pos = n) {
      if (!dec.emitted) continue;
      const p = dec.pkt;
      expect(p.buf).toBe(file);
      expect(p.data).toEqual(file.subarray(p.off, p.off + p.len));
      seen.push(p.data.slice());
    }
    expect(seen).toEqual([f1, f2]);
  });

  it('decodeAt on a frame inside a larger buffer matches decodeFrame', () => {
    const f = frame({ src: '10.0.0.1', dst: '192.0.2.9', sport: 5555, dport: 80, payload: 'GET / HTTP/1.1\r\n' });
    const big = new Uint8Array(f.length + 40).fill(0xee);
    big.set(f, 17);
    const a = new Decoded();
    const b = new Decoded();
    expect(decodeFrame(f, 1, a)).toBe(Res.Ok);
    expect(decodeAt(big, 17, 17 + f.length, 1, b)).toBe(Res.Ok);
    expect([formatIp(b.src, 4), formatIp(b.dst, 4), b.sport, b.dport, b.payLen, b.payOff - 17]).toEqual([formatIp(a.src, 4), formatIp(a.dst, 4), a.sport, a.dport, a.payLen, a.payOff]);
    expect(b.payload()).toEqual(a.payload());
    // A frame cut short inside the buffer is malformed even though bytes follow it.
    expect(decodeAt(big, 17, 17 + 30, 1, b)).toBe(Res.Malformed);
  });
});

describe('flow table growth', () => {
  it('keeps every flow findable across bucket array doublings', () => {
    const ended: Flow[] = [];
    const packets = new Map<string, number>();
    const t = new FlowTable({ packet: () => undefined, end: () => undefined }, (f) => ended.push(f));
    const d = new Decoded();
    const n = 5000;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < n; i++) {
        const fromClient = round === 0;
        const f = frame({ src: fromClient ? `10.0.${i >> 8}.${i & 255}` : '198.51.100.1', dst: fromClient ? '198.51.100.1' : `10.0.${i >> 8}.${i & 255}`, sport: fromClient ? 1000 + i : 443, dport: fromClient ? 443 : 1000 + i, proto: 'udp', payload: 'x' });
        expect(decodeFrame(f, 1, d)).toBe(Res.Ok);
        t.add(d, 1000 + round);
      }
    }
    expect(t.size).toBe(n);
    t.flush();
    for (const f of ended) packets.set(`${f.aText()}:${f.aPort}`, f.pktsA + f.pktsB);
    expect(ended.length).toBe(n);
    expect([...packets.values()].every((k) => k === 2)).toBe(true);
  });
});

describe('looksLikeRequest on bytes', () => {
  it('agrees with /^[A-Z]{3,10} / and the capitals-only "more"', () => {
    const ref = (s: string): boolean | 'more' => (s.length < 4 ? 'more' : /^[A-Z]{3,10} /.test(s.slice(0, 11)) || (s.length < 11 && /^[A-Z]+$/.test(s.slice(0, 11)) ? 'more' : false));
    for (const s of ['GET / HTTP/1.1', 'GE', 'OPTIONS * H', 'PROPFIND /x', 'ABCDEFGHIJK x', 'ABCDEFGHIJ x', 'POST', 'POSTX', 'Get / ', 'AB /x', '\u00c0GET /', 'GET\t/', 'CONNECT'])
      expect(looksLikeRequest(Uint8Array.from(s, (c) => c.charCodeAt(0))), s).toBe(ref(s));
  });
});
