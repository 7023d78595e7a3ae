import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AlertEvent, DnsEvent, FlowEvent, HttpEvent, TlsEvent } from '../../model/events.ts';
import { isInternalDefault } from '../net.ts';
import { parseSuricataTime, qtypeNumber, rcodeNumber } from './codes.ts';
import { CollectingSink, mapEveLine, type EveMapContext } from './map.ts';

const EVE = fileURLToPath(new URL('../../../../shared/testdata/suricata/stratum_xmrig_rx0.eve.json', import.meta.url));
const ctx: EveMapContext = { isInternal: isInternalDefault, source: 'eve.json', site: 's1' };

function run(lines: string[], c: EveMapContext = ctx): CollectingSink {
  const sink = new CollectingSink();
  for (const l of lines) mapEveLine(l, c, sink);
  return sink;
}

describe('EVE mapping of the real XMRig capture (Suricata 8.0.7)', () => {
  const lines = readFileSync(EVE, 'utf8').split('\n').filter((l) => l !== '');

  it('has 4 dns, 2 flow, 1 stats lines; gives 2 flows and 2 dns events (responses), skips stats', () => {
    const sink = run(lines);
    expect(lines).toHaveLength(7);
    expect(sink.bads).toEqual([]);
    expect(sink.events.filter((e) => e.kind === 'flow')).toHaveLength(2);
    expect(sink.events.filter((e) => e.kind === 'dns')).toHaveLength(2);
    expect(sink.events).toHaveLength(4);
    expect(Object.fromEntries(sink.skipped)).toEqual({ stats: 1 });
  });

  it('maps the flow to the pool on 3333 exactly', () => {
    const flow = run(lines).events.find((e): e is FlowEvent => e.kind === 'flow' && e.dstPort === 3333);
    expect(flow).toEqual({
      kind: 'flow',
      ts: Date.UTC(2026, 10, 22, 15, 11, 14, 941),
      end: Date.UTC(2026, 10, 22, 15, 11, 39, 912),
      client: '127.0.0.1',
      site: 's1',
      src: '127.0.0.1',
      srcPort: 42942,
      dst: '127.0.0.1',
      dstPort: 3333,
      proto: 6,
      bytesOut: 2257,
      pktsOut: 15,
      bytesIn: 2413,
      pktsIn: 10,
      tcpState: 'SAPF', // tcp_flags "1b" = FIN|SYN|PSH|ACK
      sensor: 'suricata:eve.json',
    } satisfies FlowEvent);
  });

  it('maps the UDP DNS flow without a tcp state', () => {
    const flow = run(lines).events.find((e): e is FlowEvent => e.kind === 'flow' && e.dstPort === 53);
    expect(flow).toMatchObject({ proto: 17, srcPort: 46554, bytesOut: 158, bytesIn: 174, pktsOut: 2, pktsIn: 2, tcpState: null, ts: Date.UTC(2026, 10, 22, 15, 11, 14, 922) });
  });

  it('maps the v3 DNS responses for pool.supportxmr.com (A then AAAA), client = the querier', () => {
    const dns = run(lines).events.filter((e): e is DnsEvent => e.kind === 'dns');
    expect(dns).toEqual([
      { kind: 'dns', ts: Date.UTC(2026, 10, 22, 15, 11, 14, 941), client: '127.0.0.1', site: 's1', name: 'pool.supportxmr.com', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 0 },
      { kind: 'dns', ts: Date.UTC(2026, 10, 22, 15, 11, 14, 941), client: '127.0.0.1', site: 's1', name: 'pool.supportxmr.com', qtype: 28, rcode: 0, outcome: 'resolved', latencyUs: 0 },
    ]);
  });

  it('takes DNS events from the requests when told answers are not logged', () => {
    const dns = run(lines, { ...ctx, dnsFrom: 'request' }).events.filter((e) => e.kind === 'dns');
    expect(dns.map((e) => e.kind === 'dns' && e.qtype)).toEqual([1, 28]);
  });
});

const T = '"timestamp":"2024-01-01T10:00:00.123456+0000"';
describe('EVE app-layer records', () => {
  it('v1 and v2 DNS answers', () => {
    const v1 = `{${T},"flow_id":1,"event_type":"dns","src_ip":"8.8.8.8","src_port":53,"dest_ip":"10.0.0.5","dest_port":5353,"proto":"UDP","dns":{"type":"answer","id":1,"rcode":"NXDOMAIN","rrname":"Bad.Example.","rrtype":"A","ttl":0}}`;
    const v2 = `{${T},"flow_id":2,"event_type":"dns","src_ip":"8.8.8.8","src_port":53,"dest_ip":"10.0.0.6","dest_port":5353,"proto":"UDP","dns":{"version":2,"type":"answer","id":2,"flags":"8180","qr":true,"rcode":"SERVFAIL","rrname":"x.test","rrtype":"HTTPS"}}`;
    const q = `{${T},"event_type":"dns","src_ip":"10.0.0.6","src_port":5353,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","dns":{"type":"query","id":2,"rrname":"x.test","rrtype":"A","tx_id":0}}`;
    const s = run([v1, v2, q]);
    expect(s.bads).toEqual([]);
    expect(s.events.map((e) => e.kind === 'dns' && [e.client, e.name, e.qtype, e.rcode, e.outcome])).toEqual([
      ['10.0.0.5', 'bad.example', 1, 3, 'resolved'],
      ['10.0.0.6', 'x.test', 65, 2, 'servfail'],
    ]);
  });

  it('http, tls (ja3 and ja4) and an alert', () => {
    const http = `{${T},"flow_id":7,"event_type":"http","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"dl.example.net","url":"/x.exe","http_user_agent":"curl/8.5.0","http_content_type":"application/octet-stream","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":123456}}`;
    const tls = `{${T},"event_type":"tls","src_ip":"10.0.0.5","src_port":51001,"dest_ip":"203.0.113.10","dest_port":443,"proto":"TCP","tls":{"subject":"CN=pool.example","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serial":"01","fingerprint":"aa:bb","sni":"pool.example","version":"TLS 1.3","notbefore":"2024-01-01T00:00:00","notafter":"2024-04-01T00:00:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,4865"},"ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1"}}`;
    const alert = `{${T},"flow_id":9,"event_type":"alert","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","app_proto":"http","alert":{"action":"allowed","gid":1,"signature_id":2024792,"rev":4,"signature":"ET POLICY Cryptocurrency Miner Checkin","category":"Potential Corporate Privacy Violation","severity":1,"metadata":{"signature_severity":["Major"]}},"http":{"hostname":"dl.example.net","url":"/x.exe"}}`;
    const s = run([http, tls, alert]);
    expect(s.bads).toEqual([]);
    const [h, t, a] = s.events as [HttpEvent, TlsEvent, AlertEvent];
    expect(h).toEqual({ kind: 'http', ts: Date.UTC(2024, 0, 1, 10, 0, 0, 123), client: '10.0.0.5', site: 's1', server: '203.0.113.9', serverPort: 80, method: 'GET', host: 'dl.example.net', url: '/x.exe', status: 200, userAgent: 'curl/8.5.0', contentType: 'application/octet-stream', size: 123456, sensor: 'suricata:eve.json' });
    expect(t).toMatchObject({ kind: 'tls', sni: 'pool.example', ja3: 'e7d705a3286e19ea42f587b344ee6865', ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1', version: 'TLS 1.3', subject: 'CN=pool.example', issuer: "C=US, O=Let's Encrypt, CN=R3", server: '203.0.113.10', serverPort: 443 });
    expect(a).toMatchObject({ kind: 'alert', client: '10.0.0.5', detector: 'suricata:2024792', severity: 'high', title: 'ET POLICY Cryptocurrency Miner Checkin', indicator: 'dl.example.net' });
    expect(a.evidence).toMatchObject({ signature_id: 2024792, rev: 4, category: 'Potential Corporate Privacy Violation', src: '10.0.0.5:51000', dst: '203.0.113.9:80', app_proto: 'http', metadata: { signature_severity: ['Major'] } });
  });

  it('alert severity 2 → medium, 3 → low, else info; indicator is the far address without http', () => {
    const mk = (sev: number) => `{${T},"event_type":"alert","src_ip":"198.51.100.7","src_port":4444,"dest_ip":"192.168.1.20","dest_port":22,"proto":"TCP","alert":{"signature_id":1,"rev":1,"signature":"s","category":"c","severity":${sev}}}`;
    const s = run([mk(2), mk(3), mk(4)]);
    expect(s.events.map((e) => e.kind === 'alert' && [e.severity, e.client, e.indicator])).toEqual([
      ['medium', '192.168.1.20', '198.51.100.7'],
      ['low', '192.168.1.20', '198.51.100.7'],
      ['info', '192.168.1.20', '198.51.100.7'],
    ]);
  });

  it('fileinfo → FileSeen with the http url it came with', () => {
    const l = `{${T},"flow_id":7,"event_type":"fileinfo","src_ip":"203.0.113.9","src_port":80,"dest_ip":"10.0.0.5","dest_port":51000,"proto":"TCP","app_proto":"http","http":{"hostname":"dl.example.net","url":"/x.exe","http_method":"GET"},"fileinfo":{"filename":"/x.exe","magic":"PE32 executable (GUI) Intel 80386, for MS Windows","gaps":false,"state":"CLOSED","md5":"d41d8cd98f00b204e9800998ecf8427e","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","stored":false,"size":123456,"tx_id":0}}`;
    const s = run([l]);
    expect(s.events).toEqual([]);
    expect(s.files).toEqual([{ ts: Date.UTC(2024, 0, 1, 10, 0, 0, 123), client: '10.0.0.5', site: 's1', server: '203.0.113.9', serverPort: 80, filename: '/x.exe', magic: 'PE32 executable (GUI) Intel 80386, for MS Windows', mime: null, md5: 'd41d8cd98f00b204e9800998ecf8427e', sha1: null, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 123456, appProto: 'http', url: '/x.exe', host: 'dl.example.net', flowId: 7, sensor: 'suricata:eve.json' }]);
  });

  it('counts malformed lines with a reason and skips unknown types', () => {
    const s = run(['{"event_type":"flow"', 'null', '{}', `{${T},"event_type":"flow","src_ip":"1.2.3.4"}`, `{${T},"event_type":"anomaly"}`, `{${T},"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"1.1.1.1","proto":"TCP","flow":{"bytes_toserver":"x"}}`]);
    expect(s.bads.map((b) => b.reason)).toEqual(['not JSON', 'not a JSON object', 'no event_type', 'flow: no flow object', 'flow: bad bytes_toserver']);
    expect(Object.fromEntries(s.skipped)).toEqual({ anomaly: 1 });
  });
});

describe('codes', () => {
  it('parses Suricata timestamps with offsets', () => {
    expect(parseSuricataTime('2024-01-01T10:00:00.123456+0000')).toBe(Date.UTC(2024, 0, 1, 10, 0, 0, 123));
    expect(parseSuricataTime('2024-01-01T10:00:00.999999+0130')).toBe(Date.UTC(2024, 0, 1, 8, 30, 0, 999));
    expect(parseSuricataTime('2024-01-01T10:00:00-05:00')).toBe(Date.UTC(2024, 0, 1, 15));
    expect(parseSuricataTime('2024-01-01T10:00:00Z')).toBe(Date.UTC(2024, 0, 1, 10));
    for (const bad of ['', '2024-01-01', '2024-13-01T10:00:00Z', '2024-01-01T10:00:00.+0000', '2024-01-01T10:00:00+00']) expect(parseSuricataTime(bad)).toBeNaN();
  });
  it('knows internal addresses', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '100.127.1.1', 'fd00::1', 'fc12:3::1', '::1', '127.0.0.1', 'fe80::1']) expect(isInternalDefault(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.1.1', '2001:db8::1', 'fe00::1', 'f::1']) expect(isInternalDefault(ip), ip).toBe(false);
  });
  it('maps DNS type and rcode names', () => {
    expect([qtypeNumber('AAAA'), qtypeNumber('https'), qtypeNumber('TYPE65534'), qtypeNumber('NOPE')]).toEqual([28, 65, 65534, -1]);
    expect([rcodeNumber('NXDOMAIN'), rcodeNumber('REFUSED'), rcodeNumber('x')]).toEqual([3, 5, -1]);
  });
});
