import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyslogFramer } from './framing.ts';
import { messageEvent } from './formats/index.ts';
import { parseSyslog } from './parse.ts';
import { isInternalDefault } from '../net.ts';

const NOW = Date.UTC(2024, 0, 3, 12);
const ctx = { isInternal: isInternalDefault, now: NOW, peer: '192.0.2.1' };

describe('RFC 5424', () => {
  it('reads every header field, structured data with escapes, and drops the BOM (RFC 5424 §6.5 example 3)', () => {
    const m = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appli\\"cation\\]" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event log entry...');
    expect(m).toEqual({
      format: '5424', facility: 20, severity: 5, ts: Date.UTC(2003, 9, 11, 22, 14, 15, 3), hostname: 'mymachine.example.com', appName: 'evntslog', procId: null, msgId: 'ID47',
      structuredData: [{ id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Appli"cation]'], ['eventID', '1011']] }, { id: 'examplePriority@32473', params: [['class', 'high']] }],
      msg: 'An application event log entry...',
    });
  });
  it('nil structured data and no MSG', () => {
    const m = parseSyslog('<34>1 2003-10-11T22:14:15.003-07:00 host su 123 - -');
    expect([m.ts, m.procId, m.msgId, m.structuredData, m.msg]).toEqual([Date.UTC(2003, 9, 12, 5, 14, 15, 3), '123', null, [], '']);
  });
});

describe('RFC 3164 / BSD', () => {
  it('reads PRI, timestamp (year inferred), host, tag[pid]', () => {
    const m = parseSyslog('<30>Jan  2 09:15:01 ns1 named[812]: client @0x7f log', NOW);
    expect(m).toMatchObject({ format: '3164', facility: 3, severity: 6, ts: Date.UTC(2024, 0, 2, 9, 15, 1), hostname: 'ns1', appName: 'named', procId: '812', msg: 'client @0x7f log' });
  });
  it('puts a December line read in early January in last year', () => {
    expect(parseSyslog('<13>Dec 31 23:59:59 h t: x', NOW).ts).toBe(Date.UTC(2023, 11, 31, 23, 59, 59));
  });
  it('is lenient: no PRI, ISO timestamp (rsyslog), no hostname', () => {
    expect(parseSyslog('2024-01-03T11:00:00.123456+01:00 fw kernel: [1.2] IN=eth0')).toMatchObject({ facility: null, ts: Date.UTC(2024, 0, 3, 10, 0, 0, 123), hostname: 'fw', appName: 'kernel', msg: '[1.2] IN=eth0' });
    expect(parseSyslog('<13>Jan  3 10:00:00 sshd[5]: hello', NOW)).toMatchObject({ hostname: null, appName: 'sshd', procId: '5', msg: 'hello' });
    expect(parseSyslog('just text')).toMatchObject({ ts: null, msg: 'just text' });
  });
  it('never throws on random or mutated input', () => {
    const seeds = ['<165>1 2003-10-11T22:14:15.003Z h a - ID [x@1 a="\\"b"] m', '<30>Jan  2 09:15:01 ns1 named[812]: client 1.2.3.4#5 (a): query: a IN A +', 'IN=eth0 SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP'];
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...seeds).chain((s) => fc.tuple(fc.nat(s.length), fc.string()).map(([i, x]) => s.slice(0, i) + x + s.slice(i)))), (s) => {
      const m = parseSyslog(s, NOW);
      messageEvent(m, ctx);
    }), { numRuns: 5000 });
  });
});

describe('message formats', () => {
  const ev = (line: string) => messageEvent(parseSyslog(line, NOW), ctx)?.event ?? null;
  it('BIND 9.18 query log (with @0x, view, print-category) and the older form', () => {
    expect(ev('<30>Jan  3 11:59:58 ns1 named[812]: client @0x7f3c2c0a8b68 10.1.2.3#53214 (Pool.SupportXMR.com): query: Pool.SupportXMR.com IN A +E(0)K (10.0.0.1)')).toEqual({ kind: 'dns', ts: Date.UTC(2024, 0, 3, 11, 59, 58), client: '10.1.2.3', name: 'pool.supportxmr.com', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 0 });
    expect(ev('<30>Jan  3 11:59:58 ns1 named[812]: queries: info: client @0x7f3c 2001:db8::5#4000 (x.test): view internal: query: x.test IN AAAA +E(0)DC (2001:db8::53)')).toMatchObject({ client: '2001:db8::5', name: 'x.test', qtype: 28 });
    expect(ev('<30>Jan  3 11:59:58 ns1 named[812]: client 10.1.2.3#53214 (example.com): query: example.com IN MX + (10.0.0.1)')).toMatchObject({ client: '10.1.2.3', qtype: 15 });
  });
  it('Unbound 1.17 log-queries and log-replies', () => {
    expect(ev('<30>Jan  3 11:59:58 r1 unbound: [2345:0] info: 10.1.2.3 moneroocean.stream. A IN')).toEqual({ kind: 'dns', ts: Date.UTC(2024, 0, 3, 11, 59, 58), client: '10.1.2.3', name: 'moneroocean.stream', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 0 });
    expect(ev('<30>Jan  3 11:59:58 r1 unbound[2345]: [2345:0] info: 10.1.2.3 nx.test. AAAA IN NXDOMAIN 0.012345 0 98')).toMatchObject({ name: 'nx.test', qtype: 28, rcode: 3, outcome: 'resolved', latencyUs: 12345 });
    expect(ev('<30>Jan  3 11:59:58 r1 unbound[2345]: [2345:1] info: 10.1.2.3 a.test. A IN NOERROR 0.000000 1 45')).toMatchObject({ outcome: 'cached' });
  });
  it('iptables LOG → a one-packet flow, SYN → "S"', () => {
    const line = '<4>Jan  3 11:00:00 gw kernel: [123456.789012] MW-OUT: IN=eth1 OUT=eth0 MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=10.0.0.5 DST=185.71.66.20 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=4242 DF PROTO=TCP SPT=51000 DPT=14444 WINDOW=64240 RES=0x00 SYN URGP=0 ';
    expect(ev(line)).toEqual({ kind: 'flow', ts: Date.UTC(2024, 0, 3, 11), end: Date.UTC(2024, 0, 3, 11), client: '10.0.0.5', src: '10.0.0.5', srcPort: 51000, dst: '185.71.66.20', dstPort: 14444, proto: 6, bytesOut: 60, pktsOut: 1, bytesIn: 0, pktsIn: 0, tcpState: 'S', sensor: 'syslog:gw' });
    expect(ev('<4>Jan  3 11:00:00 gw kernel: IN=eth0 OUT= SRC=203.0.113.7 DST=192.168.1.9 LEN=84 TOS=0x00 PREC=0x00 TTL=55 ID=0 PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1')).toMatchObject({ proto: 1, client: '192.168.1.9', srcPort: 0, tcpState: null });
  });
  it('unknown messages give null', () => {
    expect(ev('<13>Jan  3 11:00:00 h sshd[1]: Accepted publickey for root')).toBeNull();
  });
});

describe('TCP framing (RFC 6587)', () => {
  it('octet counting and LF/NUL framing, split across pushes at every byte', () => {
    const stream = Buffer.from('11 <13>1 - a b10 <13>hello\n<14>world\0<15>crlf\r\n');
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new SyslogFramer();
      const out = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      expect(out, `cut ${cut}`).toEqual(['<13>1 - a b', '<13>hello\n'.slice(0, 10), '<14>world', '<15>crlf']);
    }
  });
  it('drops and counts frames over the limit, then reads on', () => {
    const f = new SyslogFramer(16);
    expect(f.push(Buffer.from(`40 ${'x'.repeat(40)}<13>ok\n${'y'.repeat(30)}`))).toEqual(['<13>ok']);
    expect(f.push(Buffer.from('yyy\n<13>next\n'))).toEqual(['<13>next']);
    expect(f.oversized).toBe(2);
  });
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const f = new SyslogFramer(32);
      for (const c of chunks) f.push(Buffer.from(c));
      f.end();
    }), { numRuns: 3000 });
  });
});
