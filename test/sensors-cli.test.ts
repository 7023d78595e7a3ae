/**
 * The sensors through the real `minewarden` command: `ingest` reads the shared captures and logs
 * into the data directory; `serve` with sensors configured collects NetFlow exports, a BIND query
 * log line over syslog and events over HTTP, and `minewarden sensors` and /metrics show it.
 */
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame, Decoded, packetsOf, Res } from '../src/sensors/pcap/index.ts';
import { mw, mwAsync, startServe, stopChild } from './support/cli.ts';

const DATA = new URL('../../shared/testdata/', import.meta.url).pathname;
const TOKEN = 'sensor-test-token-0123456789';

async function freePort(type: 'udp4' | 'tcp'): Promise<number> {
  if (type === 'udp4') {
    const s = createSocket('udp4');
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
    const p = s.address().port;
    s.close();
    return p;
  }
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
  const p = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return p;
}

/** The UDP payloads of a capture: the export datagrams softflowd sent. */
function exportsOf(file: string): Uint8Array[] {
  const d = new Decoded();
  const out: Uint8Array[] = [];
  for (const p of packetsOf(readFileSync(file))) {
    if (decodeFrame(p.data, p.linktype, d) === Res.Ok && d.proto === 17) out.push(d.payload().slice());
  }
  return out;
}

describe('minewarden ingest (no server running)', () => {
  it('reads a pcap, an EVE file, a Zeek folder and NetFlow exports, detecting each, and the events are queryable', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mw-ingest-'));
    const r = await mw(data, ['ingest', join(DATA, 'pcap/stratum_xmrig_rx0.pcap'), join(DATA, 'suricata/stratum_xmrig_rx0.eve.json'), join(DATA, 'zeek/rita-json'), join(DATA, 'netflow/netflow_v5_softflowd.pcap')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/stratum_xmrig_rx0\.pcap\s+pcap\s+4\s+0/);
    expect(r.out).toMatch(/eve\.json\s+suricata\s+4\s+0/);
    expect(r.out).toMatch(/rita-json\s+zeek\s+182\s+0/);
    expect(r.out).toMatch(/netflow_v5_softflowd\.pcap\s+netflow\s+\d+\s+0/);
    const flows = await mw(data, ['events', 'query', '-k', 'flow', '--since', '100000d', '--json', '-n', '5000']);
    const rows = flows.out.trim().split('\n').map((l) => JSON.parse(l) as { dst: string; dstPort: number; sensor: string });
    expect(rows.some((f) => f.dstPort === 3333 && f.sensor.startsWith('pcap:'))).toBe(true);
    expect(rows.some((f) => f.dst === '185.71.66.20' && f.dstPort === 6666 && f.sensor.startsWith('netflow:'))).toBe(true);
    const bad = await mw(data, ['ingest', '--type', 'nonsense', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--type must be one of zeek, suricata, pcap, netflow, events/);
  }, 120_000);

  it('`sensors` without a server lists what is configured', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mw-sensors-'));
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'minewarden.yaml'), 'sensors:\n  netflow: [{ listen: "127.0.0.1:2055" }]\n  zeek: [{ paths: [/opt/zeek/logs/current] }]\n');
    const r = await mw(data, ['sensors']);
    expect(r.out).toMatch(/not running \(start minewarden serve\); configured:\n {2}netflow: udp 127\.0\.0\.1:2055\n {2}zeek: follow \/opt\/zeek\/logs\/current/);
  });
});

describe('serve with sensors', () => {
  let server: ChildProcess | null = null;
  afterAll(async () => {
    if (server !== null) await stopChild(server);
  });

  it('collects NetFlow, syslog and HTTP events; `sensors` and /metrics show their health', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mw-serve-sensors-'));
    const [nf, sl, http] = [await freePort('udp4'), await freePort('udp4'), await freePort('tcp')];
    writeFileSync(join(data, 'minewarden.yaml'), [
      'sensors:',
      `  netflow: [{ listen: "127.0.0.1:${nf}" }]`,
      `  syslog: [{ udp: "127.0.0.1:${sl}" }]`,
      `  http: { listen: "127.0.0.1:${http}", token: ${TOKEN} }`,
    ].join('\n'));
    const { child, metrics } = await startServe(data, { dataDir: data });
    server = child;

    const udp = createSocket('udp4');
    for (const pkt of exportsOf(join(DATA, 'netflow/netflow_v9_softflowd.pcap'))) udp.send(pkt, nf, '127.0.0.1');
    // RFC 3164 time (no year, no zone: read as UTC), now, so that the event falls in the last hour.
    const now = new Date();
    const stamp = `${now.toUTCString().slice(8, 11)} ${String(now.getUTCDate()).padStart(2, ' ')} ${now.toISOString().slice(11, 19)}`;
    udp.send(Buffer.from(`<30>${stamp} ns1 named[812]: client @0x7f3c 10.20.30.40#53214 (pool.minexmr.test): query: pool.minexmr.test IN A +E(0)K (10.0.0.1)`), sl, '127.0.0.1');
    const post = await fetch(`http://127.0.0.1:${http}/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({ kind: 'dns', ts: Date.now(), client: '10.9.9.9', name: 'via-http.test', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 1 }),
    });
    expect(await post.json()).toMatchObject({ accepted: 1, rejected: 0 });
    await new Promise((r) => setTimeout(r, 2500)); // the joiner's window, then the sink's flush
    udp.close();

    const s = await mwAsync(data, ['sensors', '--json']);
    const health = JSON.parse(s.out) as { running: boolean; sensors: Array<{ kind: string; events: number }> };
    expect(health.running).toBe(true);
    const byKind = Object.fromEntries(health.sensors.map((h) => [h.kind, h.events]));
    expect(byKind['netflow']).toBeGreaterThan(200);
    expect(byKind['syslog']).toBe(1);
    expect(byKind['http']).toBe(1);
    const table = await mwAsync(data, ['sensors']);
    expect(table.out).toMatch(/SENSOR\s+KIND\s+EVENTS\s+ERRORS/);

    const dns = await mwAsync(data, ['events', 'query', '-k', 'dns', '--since', '1h', '--json']);
    const names = dns.out.trim().split('\n').map((l) => (JSON.parse(l) as { name: string; client: string }));
    expect(names).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'pool.minexmr.test', client: '10.20.30.40' }), expect.objectContaining({ name: 'via-http.test' })]));
    const m = await (await fetch(metrics)).text();
    expect(m).toMatch(/minewarden_sensor_events_total\{sensor="[^"]*",kind="syslog"\} 1/);
    await stopChild(child);
    server = null;
  }, 120_000);
});
