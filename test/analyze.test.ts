/**
 * `minewarden analyze` on real and generated inputs — the acceptance cases of issue 6:
 *  - the XMRig capture is Monero mining by XMRig, with its wallet, worker and the pool's name;
 *  - pool names of the maltrail list, queried in a Zeek DNS log, are caught;
 *  - Zeek's wikipedia capture yields no incident;
 *  - the source case: 209 hosts reach one controller on 80/5000/5050/9090, half-open on 5050, an
 *    executable fetched on 80 and Stratum on 9090 — one botnet campaign listing all 209 hosts,
 *    with the controller's port profile.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../src/model/detect.ts';
import { frame, pcapFile, type Rec } from '../src/sensors/pcap/build.test-util.ts';
import { mw } from './support/cli.ts';

const DATA = new URL('../../shared/testdata/', import.meta.url).pathname;
const MALTRAIL = join(DATA, 'intel/maltrail/crypto_mining.txt');

interface Report {
  files: Array<{ kind: string; health: { events: number; errors: number } }>;
  incidents: Incident[];
}

async function analyze(args: string[]): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-analyze-'));
  // To a file: the report of 209 incidents is larger than a child's stdout buffer.
  const r = await mw(dir, ['analyze', '--format', 'json', '--out', join(dir, 'report.json'), ...args]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}

describe('minewarden analyze', () => {
  it('reports the XMRig capture as Monero mining by XMRig, with wallet, worker and pool name', async () => {
    const r = await analyze([join(DATA, 'pcap/stratum_xmrig_rx0.pcap')]);
    expect(r.incidents).toHaveLength(1);
    const i = r.incidents[0]!;
    expect(i).toMatchObject({ kind: 'host', stage: 'mining', threat: 'mining', severity: 'high', hosts: [{ client: '127.0.0.1' }] });
    expect(i.title).toMatch(/Monero mining \(XMRig\/6\.26\.0\) to 127\.0\.0\.1:3333 \(pool\.supportxmr\.com\)/);
    const login = i.timeline.find((e) => e.detector === 'mining-protocol')!;
    expect(login.evidence).toMatchObject({
      coin: 'monero', worker: 'worker1', algorithm: 'rx/0', pool: 'pool.supportxmr.com',
      wallet: '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A',
    });
    expect(String(login.evidence['agent'])).toMatch(/^XMRig\/6\.26\.0/);
    expect(i.timeline.some((e) => e.detector === 'intel-match' && /supportxmr\.com/.test(e.title))).toBe(true);
  });

  it('catches pool names of the maltrail list queried in a Zeek DNS log, and only the hosts that asked', async () => {
    const pools = readFileSync(MALTRAIL, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(l)).slice(40, 43);
    expect(pools).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), 'mw-zeekdns-'));
    const head = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tdns',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool'];
    const row = (ts: number, host: string, name: string): string => [ts.toFixed(6), `C${ts}`, host, '40000', '10.0.0.53', '53', 'udp', '1', '0.01', name, '1', 'C_INTERNET', '1', 'A', '0', 'NOERROR', 'F', 'F', 'T', 'T', '0', '198.51.100.7', '60.0', 'F'].join('\t');
    const rows = [row(1_763_800_000, '10.5.0.21', pools[0]!), row(1_763_800_060, '10.5.0.21', pools[1]!), row(1_763_800_120, '10.5.0.33', pools[2]!), row(1_763_800_180, '10.5.0.40', 'www.wikipedia.org')];
    writeFileSync(join(dir, 'dns.log'), `${[...head, ...rows].join('\n')}\n`);
    const r = await analyze(['--intel', MALTRAIL, join(dir, 'dns.log')]);
    expect(r.files[0]).toMatchObject({ kind: 'zeek', health: { events: 4, errors: 0 } });
    const hosts = r.incidents.flatMap((i) => i.hosts.map((h) => h.client)).sort();
    expect(hosts).toEqual(['10.5.0.21', '10.5.0.33']);
    expect(r.incidents.every((i) => i.stage === 'mining' && i.timeline.every((e) => e.detector === 'intel-match'))).toBe(true);
  });

  it('finds nothing in Zeek\'s wikipedia capture', async () => {
    const r = await analyze([join(DATA, 'zeek/wikipedia/wikipedia.pcap')]);
    expect(r.files[0]!.health.events).toBeGreaterThan(50);
    expect(r.incidents).toEqual([]);
  });

  it('the source case: 209 hosts on one controller become one botnet campaign with the port profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-botnet-'));
    const C = '203.0.113.50';
    const t0 = 1_763_800_000_000;
    const lines: string[] = [];
    const flow = (ts: number, client: string, port: number, extra: Record<string, unknown>): string => JSON.stringify({
      kind: 'flow', ts, end: ts + 2000, client, src: client, srcPort: 40000 + (ts % 20000), dst: C, dstPort: port, proto: 6,
      bytesOut: 600, pktsOut: 6, bytesIn: 900, pktsIn: 5, tcpState: 'SF', sensor: 'zeek:test', ...extra,
    });
    for (let h = 0; h < 209; h++) {
      const client = `10.20.${Math.floor(h / 200)}.${(h % 200) + 1}`;
      const ts = t0 + h * 7000;
      lines.push(flow(ts, client, 80, {}), flow(ts + 1000, client, 5000, {}), flow(ts + 3000, client, 9090, { bytesOut: 3000, bytesIn: 4000 }));
      for (let k = 0; k < 3; k++) lines.push(flow(ts + 2000 + k * 50, client, 5050, { tcpState: 'S0', bytesIn: 0, pktsIn: 0, pktsOut: 1, bytesOut: 60 }));
    }
    // Background: a few hosts each to their own destinations (no fan-in there).
    for (let h = 0; h < 30; h++) lines.push(JSON.stringify({ kind: 'flow', ts: t0 + h * 1000, end: t0 + h * 1000 + 500, client: `10.30.0.${h + 1}`, src: `10.30.0.${h + 1}`, srcPort: 50000, dst: `198.51.100.${h + 1}`, dstPort: 443, proto: 6, bytesOut: 1000, pktsOut: 10, bytesIn: 9000, pktsIn: 12, tcpState: 'SF', sensor: 'zeek:test' }));
    lines.push(JSON.stringify({ kind: 'http', ts: t0 + 500, client: '10.20.0.1', server: C, serverPort: 80, method: 'GET', host: C, url: '/bins/x86.elf', status: 200, contentType: 'application/x-executable', size: 81234, userAgent: 'Wget/1.21', sensor: 'zeek:test' }));
    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    // Stratum on 9090 from one of the hosts, as a capture.
    const seg = (ts: number, fromClient: boolean, flags: number, seq: number, payload = ''): Rec => ({
      tsUs: ts * 1000,
      data: frame(fromClient ? { src: '10.20.0.1', dst: C, sport: 41000, dport: 9090, flags, seq, payload } : { src: C, dst: '10.20.0.1', sport: 9090, dport: 41000, flags, seq, payload }),
    });
    const login = '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A","pass":"bot-17","agent":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/11.2.0","algo":["rx/0"]}}\n';
    const job = '{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"1","job":{"blob":"0e0e","job_id":"7","target":"285c8f02","algo":"rx/0","height":3312349},"status":"OK"}}\n';
    writeFileSync(join(dir, 'stratum.pcap'), pcapFile([
      seg(t0 + 3000, true, 0x02, 100), seg(t0 + 3001, false, 0x12, 500), seg(t0 + 3002, true, 0x10, 101),
      seg(t0 + 3003, true, 0x18, 101, login), seg(t0 + 3050, false, 0x18, 501, job),
    ]));
    const r = await analyze([join(dir, 'events.jsonl'), join(dir, 'stratum.pcap')]);
    const campaigns = r.incidents.filter((i) => i.kind === 'campaign');
    expect(campaigns).toHaveLength(1);
    const c = campaigns[0]!;
    expect(c.controller).toBe(C);
    expect(c.hosts).toHaveLength(209);
    expect(c.title).toBe(`Botnet: 209 hosts → ${C}`);
    const fan = c.timeline.find((e) => e.detector === 'fan-in')!;
    expect(fan.evidence['ports']).toEqual([80, 5000, 5050, 9090]);
    const profile = fan.evidence['portProfile'] as Array<{ port: number; hosts: number; halfOpen: number }>;
    expect(profile.find((p) => p.port === 5050)).toMatchObject({ hosts: 209, halfOpen: 627 });
    expect(profile.find((p) => p.port === 80)).toMatchObject({ hosts: 209, halfOpen: 0 });
    // The host that fetched the ELF and mined on 9090 has those on its own incidents too.
    const all = r.incidents.flatMap((i) => i.timeline.map((e) => `${e.client} ${e.detector}`));
    expect(all).toEqual(expect.arrayContaining(['10.20.0.1 http-executable', '10.20.0.1 mining-protocol']));
  });
});
