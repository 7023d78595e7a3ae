/**
 * The events, hosts, db and backup commands as a user runs them: real processes on a real data
 * directory, first on their own, then with `serve` running (the one-shot commands then go through
 * the server's control socket), including a backup taken while events are being written.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mw, mwAsync, startServe as startServing } from './support/cli.ts';
import { UnitTree, exportUnitsCsv, exportUnitsYaml } from '../src/org/index.ts';
import { CITY } from '../src/org/org.test-util.ts';
import { hasNsd, startAuthoritative, TEST_ZONE } from './support/authoritative.ts';


const HOUR = 3_600_000;
/** A whole hour well in the past of "now", so that --since 24h covers the data. */
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;

/**
 * 3 hours of DNS from hosts of three schools (two reported with their site keys; east-2's
 * 192.168.1.0/24 overlaps west-2's), every tenth query a blocked pool name; one flow, one alert;
 * two bad lines.
 */
function eventsFile(dir: string, n = 3000, t0 = T0): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const school = i % 3;
    const client = school === 0 ? `10.1.1.${(i % 20) + 1}` : school === 1 ? `192.168.1.${(i % 20) + 1}` : `10.3.7.${(i % 20) + 130}`;
    const blocked = i % 10 === 0;
    lines.push(JSON.stringify({
      kind: 'dns', ts: t0 + Math.floor((i * 3 * HOUR) / n), client, ...(school === 0 ? { site: 'east-1' } : school === 1 ? { site: 'east-2' } : {}),
      name: blocked ? 'xmr.pool.example' : `www${i % 50}.example.edu.cn`, qtype: i % 4 === 0 ? 28 : 1, rcode: blocked ? 3 : 0,
      outcome: blocked ? 'blocked' : 'resolved', ...(blocked ? { category: 'mining-pool', indicator: 'pool.example' } : {}), latencyUs: 900 + (i % 500),
    }));
  }
  lines.push('{"kind":"dns", oops');
  lines.push(JSON.stringify({ kind: 'dns', ts: t0, client: '10.1.1.1', name: 'a.example', qtype: 1, rcode: 0, outcome: 'teleported' }));
  lines.push(JSON.stringify({ kind: 'flow', ts: t0 + 60_000, end: t0 + 600_000, client: '10.3.7.150', src: '10.3.7.150', srcPort: 50123, dst: '198.51.100.77', dstPort: 3333, proto: 6, bytesOut: 6_000_000_000, pktsOut: 4000, bytesIn: 90_000, pktsIn: 3000, tcpState: 'SF', sensor: 'zeek-1' }));
  lines.push(JSON.stringify({ kind: 'alert', ts: t0 + 61_000, client: '10.3.7.150', detector: 'stratum', severity: 'high', title: 'Monero mining by XMRig', indicator: 'pool.example', evidence: { wallet: '44AFFq5kSiGBoZ', worker: 'lab-pc-3' } }));
  const file = join(dir, `events-${t0}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function setup(): Promise<{ dir: string; data: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-events-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'city.yml'), exportUnitsYaml(UnitTree.build(CITY)));
  expect((await mw(data, ['units', 'import', join(dir, 'city.yml')])).out).toMatch(/imported 13 units/);
  return { dir, data };
}

describe('minewarden events, hosts, db (no server running)', () => {
  it('imports JSON lines, skips bad lines with their numbers, and answers queries, top lists, counts and hosts', async () => {
    const { dir, data } = await setup();
    const imp = await mw(data, ['events', 'import', eventsFile(dir)]);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/^3,002 events recorded from 3,004 lines$/m);
    expect(imp.out).toMatch(/^ {2}line 3001: not JSON/m);
    expect(imp.out).toMatch(/^ {2}line 3002: outcome: .*expected one of "resolved"/m);

    // Newest first, with the unit each address mapped to at ingest (the site picks the school).
    const q = JSON.parse(`[${(await mw(data, ['events', 'query', '--json', '-n', '3000'])).out.trim().split('\n').join(',')}]`) as Array<Record<string, unknown>>;
    expect(q).toHaveLength(3000);
    expect(q.every((e, i) => i === 0 || (e.ts as number) <= (q[i - 1]!.ts as number))).toBe(true);
    const units = new Set(q.map((e) => `${String(e.client).split('.').slice(0, 3).join('.')}|${String(e.site)}|${String(e.unit)}`));
    expect([...units].sort()).toEqual(['10.1.1|east-1|s-east-1', '10.3.7||lab-north-7', '192.168.1|east-2|s-east-2']);

    // A unit subtree: the east district holds s-east-1 and s-east-2; blocked only.
    const east = (await mw(data, ['events', 'query', '--unit', 'd-east', '--outcome', 'blocked', '-n', '5'])).out.split('\n');
    expect(east[0]).toMatch(/^TIME\s+HOST\s+UNIT\s+NAME\s+TYPE\s+RCODE\s+OUTCOME\s+CATEGORY\s+INDICATOR\s+MS$/);
    expect(east.slice(1, 6).every((l) => /s-east-[12]\s+xmr\.pool\.example\s+(A|AAAA)\s+NXDOMAIN\s+blocked\s+mining-pool\s+pool\.example/.test(l))).toBe(true);
    expect((await mw(data, ['events', 'query', '--name', 'pool.example', '--json', '-n', '10000'])).out.trim().split('\n')).toHaveLength(300);
    expect((await mw(data, ['events', 'query', '--host', '192.168.1.3', '--site', 'west-2'])).out).toMatch(/no events match/);

    const flow = (await mw(data, ['events', 'query', '-k', 'flow'])).out;
    expect(flow).toMatch(/10\.3\.7\.150\s+lab-north-7\s+10\.3\.7\.150:50123\s+198\.51\.100\.77:3333\s+tcp\s+6000000000B\/4000p\s+90000B\/3000p\s+SF\s+zeek-1/);
    const alert = JSON.parse((await mw(data, ['events', 'query', '-k', 'alert', '--json'])).out) as Record<string, unknown>;
    expect(alert).toMatchObject({ detector: 'stratum', severity: 'high', unit: 'lab-north-7', evidence: { wallet: '44AFFq5kSiGBoZ', worker: 'lab-pc-3' } });

    const top = JSON.parse((await mw(data, ['events', 'top', '-b', 'name', '-n', '2', '--json'])).out) as Array<{ key: string; count: number; blocked: number }>;
    expect(top[0]).toEqual({ key: 'xmr.pool.example', count: 300, blocked: 300 });
    const byUnit = JSON.parse((await mw(data, ['events', 'counts', '-b', 'unit', '--bucket', 'day', '--json'])).out) as Array<{ key: string; count: number }>;
    expect(byUnit.reduce((a, r) => a + r.count, 0)).toBe(3000);
    expect(new Set(byUnit.map((r) => r.key))).toEqual(new Set(['s-east-1', 's-east-2', 'lab-north-7']));
    expect((await mw(data, ['events', 'counts', '-b', 'outcome'])).out).toMatch(/^TIME\s+OUTCOME\s+COUNT$/m);

    const hosts = JSON.parse((await mw(data, ['hosts', '--unit', 'd-east', '--json'])).out) as Array<{ address: string; site: string; unit: string }>;
    expect(hosts).toHaveLength(40);
    expect(hosts.filter((h) => h.site === 'east-2').every((h) => h.unit === 's-east-2' && h.address.startsWith('192.168.1.'))).toBe(true);

    const stats = (await mw(data, ['db', 'stats'])).out;
    expect(stats).toMatch(/^dns\s+3,000\s/m);
    expect(stats).toMatch(/^flow\s+1\s/m);
    expect(stats).toMatch(/^hosts 61, /m);
    expect(stats).toMatch(/^events\.duckdb\s/m);
  }, 240_000);

  it('says clearly what is wrong with a bad search', async () => {
    const { data } = await setup();
    const bad = await mw(data, ['events', 'query', '--unit', 'no-such-unit']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/no unit "no-such-unit"/);
    expect((await mw(data, ['events', 'query', '--since', 'yesterday-ish'])).err).toMatch(/since "yesterday-ish" is not a time/);
    expect((await mw(data, ['events', 'query', '-k', 'smtp'])).err).toMatch(/unknown event kind "smtp"/);
    expect((await mw(data, ['events', 'query', '-k', 'flow', '--outcome', 'blocked'])).err).toMatch(/flow events have no outcome/);
  }, 120_000);
});

describe('with serve running', () => {
  let server: ChildProcess | null = null;
  afterEach(() => {
    if (server !== null && server.exitCode === null) server.kill('SIGKILL');
    server = null;
  });

  async function startServe(data: string): Promise<{ child: ChildProcess; log: () => string; metrics: string }> {
    const s = await startServing(data, { dataDir: data });
    server = s.child;
    expect(s.metrics).not.toBe('');
    return s;
  }


  it('imports, queries and backs up through the running server, even while events are written; restore refuses until it stops', async () => {
    const { dir, data } = await setup();
    const { child, metrics } = await startServe(data);

    const imp = await mwAsync(data, ['events', 'import', eventsFile(dir)]);
    expect(imp.out).toMatch(/3,002 events recorded from 3,004 lines \(by the running server\)/);
    const q = await mwAsync(data, ['events', 'query', '--outcome', 'blocked', '--json', '-n', '1000']);
    expect(q.err).toBe('');
    expect(q.out.trim().split('\n')).toHaveLength(300);
    const stats = await mwAsync(data, ['db', 'stats']);
    expect(stats.out).toMatch(/figures from the running server/);
    expect(stats.out).toMatch(/^dns\s+3,000\s/m);

    // A backup while another import is being written: the copy is consistent (whole batches),
    // and holds at least everything written before it started.
    const second = mwAsync(data, ['events', 'import', eventsFile(dir, 20_000, T0 + HOUR)]);
    const backupDir = join(dir, 'backup-1');
    const bk = await mwAsync(data, ['backup', backupDir]);
    expect(bk.err).toBe('');
    expect(bk.out).toMatch(/backup written to .*backup-1: [\d,]+ events, \d+ hosts/);
    expect((await second).out).toMatch(/20,002 events recorded/);
    expect(existsSync(join(backupDir, 'manifest.json'))).toBe(true);
    expect(readdirSync(join(backupDir, 'events'))).toContain('dns_events.parquet');
    expect((await mwAsync(data, ['backup', backupDir])).err).toMatch(/already exists/);

    const body = await (await fetch(metrics)).text();
    expect(body).toMatch(/^minewarden_events_recorded_total 23004$/m);
    expect(body).toMatch(/^minewarden_events_dropped_total 0$/m);

    // The organisation changes while serving: a new school's network maps from the next event on.
    const more = join(dir, 'more.csv');
    writeFileSync(more, `${exportUnitsCsv(UnitTree.build([...CITY, { id: 's-new', name: '新建学校', parentId: 'd-west', kind: 'school', cidrs: ['10.9.0.0/16'], site: '', egress: [], contacts: [] }]))}`);
    expect((await mwAsync(data, ['units', 'import', more])).out).toMatch(/imported 14 units .* the tree had 13/);
    expect((await mwAsync(data, ['units', 'resolve', '10.9.1.1'])).out).toMatch(/10\.9\.1\.1: 新建学校 \[s-new\]/);
    const late = join(dir, 'late.jsonl');
    writeFileSync(late, `${JSON.stringify({ kind: 'dns', ts: Date.now() - 60_000, client: '10.9.1.1', name: 'new.example', qtype: 1, rcode: 0, outcome: 'resolved' })}\n`);
    expect((await mwAsync(data, ['events', 'import', late])).out).toMatch(/1 events recorded/);
    expect((await mwAsync(data, ['events', 'query', '--unit', 'd-west', '--json'])).out).toMatch(/"client":"10\.9\.1\.1","site":"","unit":"s-new"/);

    const refused = await mwAsync(data, ['restore', backupDir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/server is running .* stop it before restoring/);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // Restore into a fresh directory, and back into the original one (its files moved aside).
    const fresh = join(dir, 'restored');
    const r1 = await mw(fresh, ['restore', backupDir]);
    expect(r1.out).toMatch(/restored .*backup-1/);
    const restored = await mw(fresh, ['db', 'stats', '--json']);
    const s = JSON.parse(restored.out) as { events: { kinds: { dns: { rows: number }; alert: { rows: number } }; hosts: number }; state: { units: number; indicators: number } };
    expect(s.events.kinds.dns.rows).toBeGreaterThanOrEqual(3000);
    expect(s.events.kinds.dns.rows).toBeLessThanOrEqual(23_000);
    expect(s.state.units).toBe(13);
    expect(s.state.indicators).toBeGreaterThan(0);
    const r2 = await mw(data, ['restore', backupDir]);
    expect(r2.out).toMatch(/previous database files are in .*pre-restore-/);
    expect((await mw(data, ['events', 'query', '-k', 'alert'])).out).toMatch(/stratum/);
  }, 300_000);

  it('serve runs the DNS gateway: dig is answered through a real upstream, seed pools are blocked, and every query lands in the events', async () => {
    if (!hasNsd()) return;
    const auth = await startAuthoritative(TEST_ZONE);
    try {
      const { data } = await setup();
      const prev = process.env.MINEWARDEN_DNS__UPSTREAMS;
      process.env.MINEWARDEN_DNS__UPSTREAMS = `[127.0.0.1:${auth.port}]`;
      let started: Awaited<ReturnType<typeof startServe>>;
      try {
        started = await startServe(data);
      } finally {
        process.env.MINEWARDEN_DNS__UPSTREAMS = prev;
      }
      const dnsPort = Number(/dns=udp:\/\/127\.0\.0\.1:(\d+)/.exec(started.log())?.[1]);
      expect(dnsPort).toBeGreaterThan(0);
      const dig = (name: string): Promise<string> => new Promise((resolve) => {
        execFile('dig', ['@127.0.0.1', '-p', String(dnsPort), '+time=3', '+tries=1', name, 'A'], (_e, out) => resolve(out));
      });
      expect(await dig('www.example.test')).toMatch(/^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10$/m);
      const blocked = await dig('pool.supportxmr.com');
      expect(blocked).toMatch(/status: NXDOMAIN/);
      expect(blocked).toMatch(/EDE: 15 \(Blocked\): \(mining-pool: supportxmr\.com/);
      // The query log reaches the event store (the sink sends partial batches every 250 ms).
      let q = '';
      for (let i = 0; i < 20 && !/pool\.supportxmr\.com/.test(q); i++) {
        await new Promise((r) => setTimeout(r, 300));
        q = (await mwAsync(data, ['events', 'query', '--json'])).out;
      }
      const rows = q.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.find((r) => r.name === 'pool.supportxmr.com')).toMatchObject({ client: '127.0.0.1', outcome: 'blocked', indicator: 'supportxmr.com', category: 'mining-pool', rcode: 3 });
      expect(rows.find((r) => r.name === 'www.example.test')).toMatchObject({ outcome: 'resolved', reason: 'upstream' });
      // A feed imported while serving goes through the server, which blocks it at once, cached or not.
      const feed = join(data, 'c2.txt');
      writeFileSync(feed, 'www.example.test\n');
      const imp = await mwAsync(data, ['intel', 'import', feed, '--category', 'botnet-c2']);
      expect(imp.err).toBe('');
      expect(imp.out).toMatch(/stored\s+1 indicators/);
      expect(await dig('www.example.test')).toMatch(/EDE: 15 \(Blocked\): \(botnet-c2: www\.example\.test/);
      expect((await mwAsync(data, ['intel', 'lookup', 'x.www.example.test'])).out).toMatch(/^x\.www\.example\.test: MATCH/m);
      const metricsBody = await (await fetch(started.metrics)).text();
      expect(metricsBody).toMatch(/^minewarden_dns_queries_total\{outcome="blocked"\} 2$/m);
      expect(metricsBody).toMatch(/^minewarden_dns_matched_total\{outcome="blocked",category="botnet-c2"\} 1$/m);
      expect(metricsBody).toMatch(/^minewarden_dns_matched_total\{outcome="blocked",category="mining-pool"\} 1$/m);
      expect(metricsBody).toMatch(/^minewarden_dns_cache_hit_ratio \d/m);
      expect(metricsBody).toMatch(/^minewarden_dns_query_duration_seconds_bucket\{le="0.001"\} \d+$/m);
    } finally {
      await auth.stop();
    }
  }, 120_000);

  it('with the sinkhole action, a blocked client that connects to the sinkhole is recorded with its name and miner login', async () => {
    const { data } = await setup();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const sinkPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const saved = { ...process.env };
    Object.assign(process.env, {
      MINEWARDEN_DNS__BLOCK__ACTION: 'sinkhole', MINEWARDEN_DNS__BLOCK__SINKHOLE__IPV4: '127.0.0.1',
      MINEWARDEN_DNS__BLOCK__SINKHOLE__PORTS: `[${sinkPort}]`,
    });
    let started: Awaited<ReturnType<typeof startServe>>;
    try {
      started = await startServe(data);
    } finally {
      for (const k of ['MINEWARDEN_DNS__BLOCK__ACTION', 'MINEWARDEN_DNS__BLOCK__SINKHOLE__IPV4', 'MINEWARDEN_DNS__BLOCK__SINKHOLE__PORTS']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    expect(started.log()).toMatch(new RegExp(`sinkhole=127\\.0\\.0\\.1:${sinkPort}`));
    const dnsPort = Number(/dns=udp:\/\/127\.0\.0\.1:(\d+)/.exec(started.log())?.[1]);
    const answer = await new Promise<string>((resolve) => {
      execFile('dig', ['@127.0.0.1', '-p', String(dnsPort), '+time=3', '+tries=1', '+short', 'xmr-eu1.nanopool.org', 'A'], (_e, out) => resolve(out));
    });
    expect(answer.trim()).toBe('127.0.0.1');
    // What XMRig sends first (the same shape as ../shared/testdata/pcap/stratum_xmrig_rx0.pcap).
    const login = `${JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'login', params: { login: '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A', pass: 'rig7', agent: 'XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0', algo: ['rx/0'] } })}\n`;
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(sinkPort, '127.0.0.1', () => sock.write(login));
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString()));
      sock.on('close', () => resolve(got));
      sock.on('error', () => resolve(got));
    });
    expect(reply).toMatch(/blocked by Minewarden/);
    let rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 20 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const out = (await mwAsync(data, ['events', 'query', '-k', 'sinkhole', '--json'])).out.trim();
      rows = out === '' || !out.startsWith('{') ? [] : out.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    expect(rows[0]).toMatchObject({ client: '127.0.0.1', port: sinkPort, proto: 'tcp', name: 'xmr-eu1.nanopool.org' });
    expect(String(rows[0]!.said)).toMatch(/stratum login wallet=44AF.* worker=rig7 agent="XMRig\/6\.26\.0/);
  }, 120_000);
});
