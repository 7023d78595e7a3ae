import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DnsEvent, FlowEvent, HostName, HttpEvent, MinewardenEvent, TlsEvent } from '../../model/events.ts';
import type { EventOutput } from '../types.ts';
import type { FileSeen } from './enrich.ts';
import { ZeekSensor, type ZeekSensorConfig } from './sensor.ts';

const DATA = join(import.meta.dirname, '../../../../shared/testdata/zeek');
/** btest masks Zeek's times as XXXXXXXXXX.XXXXXX; the tests put the pcap's real start back (2011-03-18). */
const TS = '1300475167.096535';

class Collect implements EventOutput {
  events: MinewardenEvent[] = [];
  names: { client: string; site: string; name: HostName }[] = [];
  record(ev: MinewardenEvent): boolean {
    this.events.push(ev);
    return true;
  }
  noteHostName(client: string, site: string, name: HostName): void {
    this.names.push({ client, site, name });
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  of<K extends MinewardenEvent['kind']>(kind: K): Extract<MinewardenEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<MinewardenEvent, { kind: K }> => e.kind === kind);
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'zeek-'));
}

/** A fixture copied with its masked times replaced. */
function unmasked(dir: string, from: string, name = from.split('/').pop()!): string {
  const f = join(dir, name);
  writeFileSync(f, readFileSync(join(DATA, from), 'utf8').replaceAll('XXXXXXXXXX.XXXXXX', TS));
  return f;
}

async function readAll(paths: string[], extra: Partial<ZeekSensorConfig> = {}): Promise<{ out: Collect; s: ZeekSensor }> {
  const out = new Collect();
  const s = new ZeekSensor({ paths, follow: false, name: 'test', ...extra }, out);
  await s.start();
  await s.done();
  return { out, s };
}

describe('ZeekSensor on real logs', () => {
  it('reads the wikipedia TSV logs: 34 flows, 34 DNS queries, 14 HTTP requests, none malformed', async () => {
    const dir = tempDir();
    const { out, s } = await readAll([unmasked(dir, 'wikipedia/conn.log'), unmasked(dir, 'wikipedia/dns.log'), unmasked(dir, 'wikipedia/http.log')]);
    expect(s.health().errors).toBe(0);
    expect(out.of('flow')).toHaveLength(34);
    expect(out.of('dns')).toHaveLength(34);
    expect(out.of('http')).toHaveLength(14);
    // conn.log line 20: CNnMIj2QSd84NKf7U3 141.142.220.118:38911 → 141.142.2.2:53 udp 0.000335 52 99 SF … 1 80 1 127
    const f = out.of('flow').find((e) => e.srcPort === 38911)!;
    expect(f).toEqual<FlowEvent>({
      kind: 'flow', ts: 1300475167096.535, end: 1300475167096.535 + 0.335, client: '141.142.220.118', site: '', src: '141.142.220.118', srcPort: 38911,
      dst: '141.142.2.2', dstPort: 53, proto: 17, bytesOut: 52, pktsOut: 1, bytesIn: 99, pktsIn: 1, tcpState: 'SF', sensor: 'zeek:test',
    });
    // A multicast mDNS flow with orig_bytes unset takes orig_ip_bytes (73).
    expect(out.of('flow')[0]).toMatchObject({ src: '141.142.220.202', dst: '224.0.0.251', bytesOut: 73, bytesIn: 0, pktsOut: 1, end: 1300475167096.535 });
    // dns.log: C37jN32gN3y3AZzyf6 upload.wikimedia.org A NOERROR rtt 0.000392
    const d = out.of('dns').find((e) => e.latencyUs === 392)!;
    expect(d).toMatchObject<Partial<DnsEvent>>({ client: '141.142.220.118', name: 'upload.wikimedia.org', qtype: 1, rcode: 0, outcome: 'resolved' });
    // An mDNS query nobody answered (rcode unset) is not claimed as NOERROR.
    expect(out.of('dns')[0]).toMatchObject({ name: 'gemini._sftp-ssh._tcp.local', qtype: 33, rcode: 2, outcome: 'servfail', reason: 'no-reply' });
    expect(out.of('dns').filter((e) => e.name === 'brwc0cb383d1f42')).toHaveLength(15);
    expect(out.of('http')[0]).toEqual<HttpEvent>({
      kind: 'http', ts: 1300475167096.535, client: '141.142.220.118', site: '', server: '208.80.152.118', serverPort: 80, method: 'GET',
      host: 'bits.wikimedia.org', url: '/skins-1.5/monobook/main.css', status: 304,
      userAgent: 'Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.15) Gecko/20110303 Ubuntu/10.04 (lucid) Firefox/3.6.15', contentType: null, size: 0,
      sensor: 'zeek:test',
    });
  });

  it('counts the masked times of the unmodified fixtures as malformed, with file:line and a sample', async () => {
    const { out, s } = await readAll([join(DATA, 'wikipedia/conn.log')]);
    expect(out.events).toHaveLength(0);
    const h = s.health();
    expect(h.errors).toBe(34);
    expect(h.samples.at(-1)!.reason).toBe(`conn: bad ts (${join(DATA, 'wikipedia/conn.log')}:43)`);
    expect(h.samples.at(-1)!.sample).toMatch(/^XXXXXXXXXX\.XXXXXX\\x09CFSwNi4CNGxcuffo49/);
  });

  it('reads the RITA JSON logs (type from _path, or the file name for dns.log)', async () => {
    const files: FileSeen[] = [];
    const { out, s } = await readAll([join(DATA, 'rita-json')], { onFile: (f) => files.push(f) });
    expect(s.health().errors).toBe(0);
    expect(out.of('flow')).toHaveLength(29 + 59);
    expect(out.of('dns')).toHaveLength(34);
    expect(out.of('http')).toHaveLength(10 + 20);
    expect(out.of('tls')).toHaveLength(10 + 20);
    expect(out.of('flow').find((e) => e.srcPort === 61843)).toEqual<FlowEvent>({
      kind: 'flow', ts: 1517422326539.915, end: 1517422326539.915 + 108985.496, client: '10.55.100.100', site: '', src: '10.55.100.100', srcPort: 61843,
      dst: '205.204.101.182', dstPort: 80, proto: 6, bytesOut: 719, pktsOut: 10, bytesIn: 336, pktsIn: 4, tcpState: 'SF', sensor: 'zeek:test',
    });
    expect(out.of('dns')[0]).toMatchObject({ ts: 1517336042279.652, client: '192.168.88.2', name: '6dde0175375169c68f.dnsc.r-1x.com', qtype: 16, rcode: 0, latencyUs: 69982 });
    expect(out.of('http')[0]).toMatchObject({ server: '205.204.101.182', host: 'gm.mmstat.com', status: 200, contentType: 'image/gif', size: 43 });
    expect(out.of('tls').find((e) => e.ts === 1517422336045.39)).toMatchObject<Partial<TlsEvent>>({
      client: '10.55.100.111', server: '208.89.12.153', serverPort: 443, sni: 'lptag.liveperson.net', version: 'TLSv12', ja3: '10ee8d30a5d01c042afd7b2b205facc4',
      issuer: 'CN=COMODO RSA Organization Validation Secure Server CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB',
    });
  });

  it('gives identical HTTP events from the TSV and the JSON writer (escaped bytes included)', async () => {
    const dir = tempDir();
    const tsv = (await readAll([unmasked(dir, 'json-escaping/http.log.tsv', 'http.log')])).out.of('http');
    const json = (await readAll([unmasked(dir, 'json-escaping/http.log.json', 'http.json')])).out.of('http');
    expect(tsv).toHaveLength(4);
    expect(json).toEqual(tsv);
    expect(tsv.map((e) => e.url)).toEqual(['/regular_file.html', '/printable_😄', '/non_printable_\\x07', '/non_printable_literal_\\x07']);
  });

  it('reads gzip by its magic bytes, whatever the name', async () => {
    const dir = tempDir();
    const plain = readFileSync(unmasked(dir, 'wikipedia/conn.log'));
    writeFileSync(join(dir, 'conn.2011-03-18-00-00-00.log.gz'), gzipSync(plain));
    writeFileSync(join(dir, 'renamed.log'), gzipSync(plain));
    const { out, s } = await readAll([join(dir, 'conn.2011-03-18-00-00-00.log.gz'), join(dir, 'renamed.log')]);
    expect(s.health().errors).toBe(0);
    expect(out.of('flow')).toHaveLength(68);
  });

  it('finds fields by #fields, in any column order', async () => {
    const dir = tempDir();
    const lines = readFileSync(unmasked(dir, 'wikipedia/conn.log'), 'utf8').split('\n');
    const cols = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
    const order = cols.map((_, i) => i).reverse();
    const shuffle = (l: string, head: string): string => {
      const parts = l.split('\t');
      const rest = head === '' ? parts : parts.slice(1);
      return [...(head === '' ? [] : [head]), ...order.map((i) => rest[i]!)].join('\t');
    };
    const out = lines.map((l) => (l.startsWith('#fields') ? shuffle(l, '#fields') : l.startsWith('#types') ? shuffle(l, '#types') : l.startsWith('#') || l === '' ? l : shuffle(l, '')));
    writeFileSync(join(dir, 'shuffled.log'), out.join('\n'));
    const a = (await readAll([join(dir, 'conn.log')])).out.events;
    const b = (await readAll([join(dir, 'shuffled.log')])).out.events;
    expect(b).toHaveLength(34);
    expect(b).toEqual(a);
  });

  it('counts malformed lines with samples and reads on', async () => {
    const dir = tempDir();
    const good = readFileSync(unmasked(dir, 'wikipedia/conn.log'), 'utf8').split('\n');
    const at = good.findIndex((l) => !l.startsWith('#'));
    good.splice(at + 1, 0, 'short\tline', `${TS}\tC1\t10.0.0.1\tnotaport\t10.0.0.2\t80\ttcp\t-\t-\t-\t-\tS0\tF\tF\t0\tS\t1\t40\t0\t0\t-\t6`);
    writeFileSync(join(dir, 'bad.log'), good.join('\n'));
    writeFileSync(join(dir, 'bad.json'), '{"_path":"dns","ts":1,"query":"x"}\nnot json\n{"_path":"notice","ts":1}\n{"_path":"notice","ts":2}\n');
    const { out, s } = await readAll([join(dir, 'bad.log'), join(dir, 'bad.json')]);
    expect(out.of('flow')).toHaveLength(34);
    const h = s.health();
    expect(h.errors).toBe(4);
    expect(h.samples.map((x) => x.reason)).toEqual([
      `2 columns where #fields has 22 (${join(dir, 'bad.log')}:${at + 2})`,
      `conn: bad port (${join(dir, 'bad.log')}:${at + 3})`,
      `dns: no address (${join(dir, 'bad.json')}:1)`,
      expect.stringMatching(/^not JSON: .*bad\.json:2\)$/),
    ]);
    expect(h.samples[0]!.sample).toBe('short\\x09line');
    expect(h.detail).toContain('skipped log types: notice (2 lines)');
  });

  it('turns DHCP host names into host-name notes and joins files.log to its HTTP request', async () => {
    const dir = tempDir();
    const head = (path: string, fields: string[]): string => `#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t${path}\n#fields\t${fields.join('\t')}\n`;
    writeFileSync(join(dir, 'dhcp.log'), `${head('dhcp', ['ts', 'uids', 'client_addr', 'assigned_addr', 'mac', 'host_name'])}1700000000.5\tCa,Cb\t-\t10.1.2.3\t00:11:22:33:44:55\tminer-box\n`);
    writeFileSync(join(dir, 'files.log'), `${head('files', ['ts', 'fuid', 'uid', 'id.orig_h', 'id.resp_h', 'source', 'mime_type', 'filename', 'total_bytes', 'md5', 'sha1', 'sha256'])}1700000001\tFx1\tCh1\t10.1.2.3\t203.0.113.9\tHTTP\tapplication/x-dosexec\txmrig.exe\t4096\tmd5x\tsha1x\t-\n`);
    writeFileSync(join(dir, 'http.json'), '{"_path":"http","ts":1700000001.2,"uid":"Ch1","id.orig_h":"10.1.2.3","id.orig_p":50000,"id.resp_h":"203.0.113.9","id.resp_p":80,"method":"GET","host":"evil.example","uri":"/xmrig.exe","status_code":200,"response_body_len":4096,"resp_fuids":["Fx1"],"resp_mime_types":["application/x-dosexec"]}\n');
    const files: FileSeen[] = [];
    const { out } = await readAll([join(dir, 'dhcp.log'), join(dir, 'files.log'), join(dir, 'http.json')], { onFile: (f) => files.push(f), site: 'hq' });
    expect(out.names).toEqual([{ client: '10.1.2.3', site: 'hq', name: { name: 'miner-box', source: 'dhcp', ts: 1700000000500 } }]);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ fuid: 'Fx1', connUids: ['Ch1'], client: '10.1.2.3', mimeType: 'application/x-dosexec', md5: 'md5x', sha1: 'sha1x', sha256: null, size: 4096 });
    expect(files[0]!.http).toMatchObject({ host: 'evil.example', url: '/xmrig.exe', server: '203.0.113.9', status: 200 });
  });
});
