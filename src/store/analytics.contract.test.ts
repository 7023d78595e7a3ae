/**
 * Contract of the detectors' windowed analytics (./analytics.ts), run against the same
 * implementations as events.contract.test.ts: the embedded store with its writer on the caller's
 * thread and in a worker thread (so every method also crosses the worker protocol). Small
 * datasets, exact rows: windows [from, to), thresholds, the lookback rarity rule, exclusion.
 * The events store is opened on its own (as openDuckDbStore opens it), without the state database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsEvent, EventKind, FlowEvent, HttpEvent, MinewardenEvent } from '../model/events.ts';
import { LocalEventStore } from './duckdb/events/local.ts';
import { RemoteEventStore } from './duckdb/events/remote.ts';
import { BatchBuilder } from './events/batch.ts';
import type { EventStore } from './types.ts';

const MODES = ['thread', 'worker'] as const;
const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 10);
/** The window every query asks about: [T0 + 1 h, T0 + 2 h). */
const W = { from: T0 + HOUR, to: T0 + 2 * HOUR };
const at = (m: number): number => W.from + m * MIN;

function flow(ts: number, client: string, dst: string, dstPort: number, extra: Partial<FlowEvent> = {}): FlowEvent {
  return {
    kind: 'flow', ts, client, site: '', unit: 'u1', end: ts + 1000, src: client, srcPort: 40000, dst, dstPort, proto: 6,
    bytesOut: 100, pktsOut: 2, bytesIn: 50, pktsIn: 1, tcpState: 'SF', sensor: 's', ...extra,
  };
}

function dns(ts: number, client: string, name: string): DnsEvent {
  return { kind: 'dns', ts, client, site: '', unit: 'u1', name, qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 10 };
}

function http(ts: number, client: string, server: string, host: string, url: string, contentType: string | null = null): HttpEvent {
  return {
    kind: 'http', ts, client, site: '', unit: 'u1', server, serverPort: 80, method: 'GET', host, url, status: 200, userAgent: 'curl',
    contentType, size: 10, sensor: 's',
  };
}

async function put(store: EventStore, events: readonly MinewardenEvent[]): Promise<void> {
  const builders = new Map<EventKind, BatchBuilder>();
  for (const ev of events) {
    let b = builders.get(ev.kind);
    if (b === undefined) builders.set(ev.kind, (b = new BatchBuilder(ev.kind, 64)));
    b.add(ev);
    if (b.full) store.write(b.take());
  }
  for (const b of builders.values()) if (b.size > 0) store.write(b.take());
  await store.flush();
}

const C = '203.0.113.50';
const host = (client: string, site = '', unit: string | null = 'u1'): { client: string; site: string; unit: string | null } => ({ client, site, unit });

function dataset(): MinewardenEvent[] {
  const ev: MinewardenEvent[] = [];
  // Fan-in: C, new to 3 hosts (one of them in two sites) on the controller's ports; one host before.
  ev.push(flow(at(0), '10.0.0.1', C, 80), flow(at(5), '10.0.0.1', C, 5000), flow(at(1), '10.0.0.2', C, 5050, { tcpState: 'S0', pktsIn: 0, bytesIn: 0 }));
  ev.push(flow(at(2), '10.0.0.3', C, 9090, { site: 'east' }), flow(at(3), '10.0.0.3', C, 80));
  ev.push(flow(W.from - 30 * MIN, '10.0.0.9', C, 80));
  // Popular: 3 hosts now, 3 before: not rare.
  for (const c of ['10.0.0.1', '10.0.0.2', '10.0.0.4']) ev.push(flow(at(10), c, '198.51.100.1', 443), flow(W.from - 10 * MIN, c, '198.51.100.1', 443));
  // Old: 4 hosts, but before the lookback: rare again. X: 3 hosts, excluded. S: 2 hosts only.
  for (const c of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) ev.push(flow(at(20), c, '192.0.2.77', 22), flow(W.from - 90 * MIN, c, '192.0.2.77', 22));
  ev.push(flow(W.from - 90 * MIN, '10.0.0.8', '192.0.2.77', 22));
  for (const c of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) ev.push(flow(at(30), c, '192.0.2.99', 8080));
  for (const c of ['10.0.0.5', '10.0.0.6']) ev.push(flow(at(30), c, '192.0.2.55', 8080));
  // Outside the window on both ends: the first counts (lookback), the second (at `to`) does not.
  for (const c of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) ev.push(flow(W.to, c, '192.0.2.55', 8080));

  // Half-open: 10.0.1.1 → D:5050 4 of 5 TCP (a UDP S0 does not count); 10.0.1.2 → D:22 flag letters.
  const D = '198.51.100.66';
  ev.push(
    flow(at(1), '10.0.1.1', D, 5050, { tcpState: 'S0', pktsIn: 0 }), flow(at(2), '10.0.1.1', D, 5050, { tcpState: 'S0', pktsIn: 0 }),
    flow(at(3), '10.0.1.1', D, 5050, { tcpState: 'REJ', pktsIn: 1 }), flow(at(4), '10.0.1.1', D, 5050, { tcpState: null, pktsIn: 0 }),
    flow(at(5), '10.0.1.1', D, 5050, { tcpState: 'SF' }), flow(at(6), '10.0.1.1', D, 5050, { proto: 17, tcpState: 'S0', pktsIn: 0 }),
    flow(at(1), '10.0.1.2', D, 22, { tcpState: 'S' }), flow(at(2), '10.0.1.2', D, 22, { tcpState: 'SR' }),
    flow(at(3), '10.0.1.2', D, 22, { tcpState: 'SH' }), flow(at(4), '10.0.1.2', D, 22, { tcpState: 'RSTOS0' }),
    flow(at(5), '10.0.1.2', D, 22, { tcpState: 'SAF', pktsIn: 0 }),
    // Another destination, so that D is not a fan-in of three hosts.
    flow(at(1), '10.0.1.3', '198.51.100.67', 23, { tcpState: 'S0' }), flow(at(2), '10.0.1.3', '198.51.100.67', 23, { tcpState: 'S0' }),
  );
  // Beacons: 10.0.2.1 → B:443 seven times, written out of order; 10.0.2.2 → B:443 three times.
  const B = '198.51.100.88';
  for (const m of [50, 10, 30, 0, 55, 40, 20]) ev.push(flow(at(m), '10.0.2.1', B, 443, { bytesOut: 1000 + m }));
  for (const m of [0, 25, 50]) ev.push(flow(at(m), '10.0.2.2', B, 443));
  // Long: 10.0.3.1 → L:3333 10 and 6 minutes (a 4-minute one is not long).
  const L = '198.51.100.99';
  ev.push(
    flow(at(0), '10.0.3.1', L, 3333, { end: at(10), bytesOut: 7, bytesIn: 9, pktsOut: 1, pktsIn: 2 }),
    flow(at(20), '10.0.3.1', L, 3333, { end: at(26), bytesOut: 3, bytesIn: 1, pktsOut: 1, pktsIn: 1 }),
    flow(at(30), '10.0.3.1', L, 3333, { end: at(34) }),
  );
  // Strobe: 10.0.4.1 → Q on 5 ports (one twice), 10.0.4.2 → Q on 4.
  for (const p of [1, 2, 3, 4, 5, 5]) ev.push(flow(at(p), '10.0.4.1', '192.0.2.200', p));
  for (const p of [1, 2, 3, 4]) ev.push(flow(at(p), '10.0.4.2', '192.0.2.200', p));
  return ev;
}

function dnsDataset(): MinewardenEvent[] {
  const ev: MinewardenEvent[] = [];
  // Tunnel: three labels under t.example.com (one asked twice); names under a TLD have no parent.
  for (const n of ['ab.t.example.com', 'cdef.t.example.com', 'x.t.example.com', 'x.t.example.com', 'a.example.com', 'b.example.com'])
    ev.push(dns(at(1), '10.0.5.1', n));
  ev.push(dns(at(1), '10.0.5.1', 'example.com'), dns(at(1), '10.0.5.1', 'other.com'), dns(at(1), '10.0.5.1', 'xyz.com'));
  // Name fan-in: pool.evil.xyz new to 3 hosts; cdn.good.com seen by 2 before; a.good.org excluded.
  for (const c of ['10.0.6.1', '10.0.6.2', '10.0.6.3']) ev.push(dns(at(2), c, 'pool.evil.xyz'), dns(at(3), c, 'cdn.good.com'), dns(at(4), c, 'a.good.org'));
  ev.push(dns(at(9), '10.0.6.1', 'pool.evil.xyz'), dns(W.from - MIN, '10.0.6.8', 'cdn.good.com'), dns(W.from - MIN, '10.0.6.9', 'cdn.good.com'));
  return ev;
}

function httpDataset(): MinewardenEvent[] {
  return [
    http(at(1), '10.0.7.1', '203.0.113.9', '203.0.113.9', '/x/miner.exe?v=1'),
    http(at(2), '10.0.7.2', '203.0.113.9', '203.0.113.9:80', '/index.html'),
    http(at(3), '10.0.7.1', '203.0.113.10', 'files.example', '/get', 'application/x-dosexec; charset=binary'),
    http(at(4), '10.0.7.1', '203.0.113.11', '[2001:db8::1]:8080', '/PAYLOAD.ELF#frag'),
    http(at(5), '10.0.7.1', '203.0.113.12', 'evil.sh', 'http://evil.sh/'),
    http(at(6), '10.0.7.1', '203.0.113.12', 'evil.example', '/file', 'application/octet-stream'),
    http(at(7), '10.0.7.3', '203.0.113.12', '', 'http://evil.example/a.sh'),
    http(W.to, '10.0.7.1', '203.0.113.9', '203.0.113.9', '/late.exe'),
  ];
}

for (const mode of MODES) {
  describe(`event analytics contract: duckdb, ${mode} writer`, () => {
    let events: EventStore;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mw-analytics-'));
      const opts = { path: join(dir, 'events.duckdb'), memoryLimit: '256MB', spoolDir: join(dir, 'spool') };
      events = mode === 'worker' ? await RemoteEventStore.open(opts) : await LocalEventStore.open(opts);
      await put(events, [...dataset(), ...dnsDataset(), ...httpDataset()]);
    });
    afterAll(async () => {
      await events.close();
    });

    it('fan-in: destinations new to enough hosts, by the lookback rarity rule, without excluded ones', async () => {
      const q = { ...W, minHosts: 3, lookbackMs: HOUR, maxPriorHosts: 1, exclude: ['192.0.2.99'] };
      const rows = await events.fanIn(q);
      expect(rows).toEqual([
        {
          dst: C, ports: [80, 5000, 5050, 9090], priorHosts: 1, firstSeen: W.from - 30 * MIN, flows: 5,
          hosts: [
            { ...host('10.0.0.1'), first: at(0), last: at(5), count: 2 }, { ...host('10.0.0.2'), first: at(1), last: at(1), count: 1 },
            { ...host('10.0.0.3'), first: at(3), last: at(3), count: 1 }, { ...host('10.0.0.3', 'east'), first: at(2), last: at(2), count: 1 },
          ],
        },
        {
          dst: '192.0.2.77', ports: [22], priorHosts: 0, firstSeen: at(20), flows: 3,
          hosts: ['10.0.0.5', '10.0.0.6', '10.0.0.7'].map((c) => ({ ...host(c), first: at(20), last: at(20), count: 1 })),
        },
      ]);
      // Without the exclusion X is there; with a longer lookback the old destination is no longer rare.
      expect((await events.fanIn({ ...q, exclude: [] })).map((r) => r.dst)).toEqual([C, '192.0.2.77', '192.0.2.99']);
      expect((await events.fanIn({ ...q, lookbackMs: 2 * HOUR })).map((r) => r.dst)).toEqual([C]);
      expect((await events.fanIn({ ...q, maxPriorHosts: 3 })).map((r) => r.dst)).toEqual([C, '192.0.2.77', '198.51.100.1']);
      expect((await events.fanIn({ ...q, minHosts: 4 })).map((r) => r.dst)).toEqual([C]);
      expect(await events.fanIn({ ...q, minHosts: 5 })).toEqual([]);
    });

    it('fan-in of names: queried by enough hosts, rare before, excluded names and their subdomains skipped', async () => {
      const rows = await events.fanInNames({ ...W, minHosts: 3, lookbackMs: HOUR, maxPriorHosts: 1, exclude: ['good.org'] });
      expect(rows).toEqual([{
        name: 'pool.evil.xyz', priorHosts: 0, firstSeen: at(2), queries: 4,
        hosts: [
          { ...host('10.0.6.1'), first: at(2), last: at(9), count: 2 }, { ...host('10.0.6.2'), first: at(2), last: at(2), count: 1 },
          { ...host('10.0.6.3'), first: at(2), last: at(2), count: 1 },
        ],
      }]);
    });

    it('port profile: per port hosts, flows, bytes, packets, TCP states and half-open flows', async () => {
      expect(await events.portProfile({ ...W, dst: C })).toEqual([
        { dstPort: 80, hosts: 2, flows: 2, bytesOut: 200, bytesIn: 100, pktsOut: 4, pktsIn: 2, states: { SF: 2 }, halfOpen: 0, first: at(0), last: at(3) },
        { dstPort: 5000, hosts: 1, flows: 1, bytesOut: 100, bytesIn: 50, pktsOut: 2, pktsIn: 1, states: { SF: 1 }, halfOpen: 0, first: at(5), last: at(5) },
        { dstPort: 5050, hosts: 1, flows: 1, bytesOut: 100, bytesIn: 0, pktsOut: 2, pktsIn: 0, states: { S0: 1 }, halfOpen: 1, first: at(1), last: at(1) },
        { dstPort: 9090, hosts: 1, flows: 1, bytesOut: 100, bytesIn: 50, pktsOut: 2, pktsIn: 1, states: { SF: 1 }, halfOpen: 0, first: at(2), last: at(2) },
      ]);
      expect(await events.portProfile({ ...W, dst: '192.0.2.1' })).toEqual([]);
    });

    it('half-open: Zeek states, flag letters and stateless flows with no reply; TCP only; at least minAttempts', async () => {
      const D = '198.51.100.66';
      expect(await events.halfOpen({ ...W, minAttempts: 3 })).toEqual([
        { ...host('10.0.1.1'), dst: D, dstPort: 5050, halfOpen: 4, attempts: 5, first: at(1), last: at(5) },
        { ...host('10.0.1.2'), dst: D, dstPort: 22, halfOpen: 4, attempts: 5, first: at(1), last: at(5) },
      ]);
      expect((await events.halfOpen({ ...W, minAttempts: 2 })).map((r) => r.client)).toEqual(['10.0.1.1', '10.0.1.2', '10.0.1.3']);
    });

    it('beacon candidates: pairs with enough connections, most first, start times and bytes in time order', async () => {
      const B = '198.51.100.88';
      const rows = await events.beaconCandidates({ ...W, minConnections: 3, limit: 10 });
      const b = rows.filter((r) => r.dst === B);
      expect(b).toEqual([
        { ...host('10.0.2.1'), dst: B, dstPort: 443, connections: 7, ts: [0, 10, 20, 30, 40, 50, 55].map(at),
          bytesOut: [1000, 1010, 1020, 1030, 1040, 1050, 1055] },
        { ...host('10.0.2.2'), dst: B, dstPort: 443, connections: 3, ts: [0, 25, 50].map(at), bytesOut: [100, 100, 100] },
      ]);
      expect(rows.map((r) => r.connections)).toEqual([...rows.map((r) => r.connections)].sort((x, y) => y - x));
      expect(await events.beaconCandidates({ ...W, minConnections: 7, limit: 10 })).toEqual([b[0]]);
      expect((await events.beaconCandidates({ ...W, minConnections: 3, limit: 1 })).map((r) => r.client)).toEqual(['10.0.2.1']);
    });

    it('long connections: flows at least minDurationMs, summed per pair', async () => {
      expect(await events.longConnections({ ...W, minDurationMs: 5 * MIN })).toEqual([{
        ...host('10.0.3.1'), dst: '198.51.100.99', dstPort: 3333, flows: 2, durationMs: 16 * MIN, maxDurationMs: 10 * MIN,
        bytesOut: 10, bytesIn: 10, pktsOut: 2, pktsIn: 3,
      }]);
      expect((await events.longConnections({ ...W, minDurationMs: 4 * MIN }))[0]).toMatchObject({ flows: 3, durationMs: 20 * MIN });
    });

    it('strobes: distinct destination ports per host and destination', async () => {
      expect(await events.strobes({ ...W, minPorts: 5 })).toEqual([
        { ...host('10.0.4.1'), dst: '192.0.2.200', ports: 5, flows: 6, first: at(1), last: at(5) },
      ]);
      expect((await events.strobes({ ...W, minPorts: 4 })).map((r) => r.client)).toEqual(['10.0.4.1', '10.0.4.2']);
    });

    it('DNS tunnel candidates: distinct first labels per parent domain, never a TLD', async () => {
      expect(await events.dnsTunnelCandidates({ ...W, minUnique: 3 })).toEqual([
        { ...host('10.0.5.1'), parent: 't.example.com', uniqueLabels: 3, avgLabelLength: 7 / 3, maxLabelLength: 4, queries: 4 },
      ]);
      const two = await events.dnsTunnelCandidates({ ...W, minUnique: 2 });
      expect(two.map((r) => r.parent)).toEqual(['t.example.com', 'example.com']);
    });

    it('HTTP downloads: by URL path or executable content type, bare-IP hosts, hosts per server', async () => {
      const rows = await events.rareHttpDownloads(W);
      expect(rows.map((r) => [r.url, r.bareIp, r.serverHosts, r.client])).toEqual([
        ['/x/miner.exe?v=1', true, 2, '10.0.7.1'],
        ['/get', false, 1, '10.0.7.1'],
        ['/PAYLOAD.ELF#frag', true, 1, '10.0.7.1'],
        ['http://evil.example/a.sh', true, 2, '10.0.7.3'],
      ]);
      expect(rows[0]).toEqual({
        ...host('10.0.7.1'), ts: at(1), server: '203.0.113.9', serverPort: 80, method: 'GET', host: '203.0.113.9', url: '/x/miner.exe?v=1',
        status: 200, contentType: null, userAgent: 'curl', size: 10, bareIp: true, serverHosts: 2,
      });
    });

    // Last: it rolls up, writes late flows and trims flows by retention.
    it('fan-in: the same answers from the flows as from the hourly roll-up, with late flows and retention', async () => {
      const base = { minHosts: 3, maxPriorHosts: 1 };
      // Whole hours, half hours and none in the lookback; windows on and off the hour.
      const queries = [
        { ...W, ...base, lookbackMs: HOUR }, { ...W, ...base, lookbackMs: 2 * HOUR }, { ...W, ...base, lookbackMs: 3 * HOUR, maxPriorHosts: 5 },
        { ...W, ...base, lookbackMs: 90 * MIN, maxPriorHosts: 3 }, { ...W, ...base, lookbackMs: 20 * MIN, maxPriorHosts: 3 },
        { from: W.from + 15 * MIN, to: W.to, ...base, lookbackMs: 2 * HOUR, maxPriorHosts: 3 },
        { from: W.from + 15 * MIN, to: W.to + HOUR, ...base, lookbackMs: 75 * MIN, maxPriorHosts: 3 },
      ];
      const answers = async (): Promise<unknown[]> => Promise.all(queries.map((q) => events.fanIn(q)));
      const raw = await answers();
      expect(raw.flat().length).toBeGreaterThan(0);
      expect((await events.rollup()).hours).toBeGreaterThan(0);
      expect(await answers()).toEqual(raw);

      // Late flows into rolled-up hours: dirty hours are read from the flows (C now has 2 prior hosts).
      await put(events, [
        flow(W.from - 20 * MIN, '10.0.0.10', C, 80), flow(W.from - 100 * MIN, '10.0.0.11', '192.0.2.77', 22),
        flow(W.from - 100 * MIN, '10.0.0.12', '192.0.2.55', 8080),
      ]);
      const late = await answers();
      expect(late).not.toEqual(raw);
      expect((await events.fanIn(queries[0]!)).map((r) => [r.dst, r.priorHosts])).toEqual([['192.0.2.77', 0], ['192.0.2.99', 0]]);
      await events.rollup();
      expect(await answers()).toEqual(late);

      // Retention cutting an hour in two: the rest of that hour comes from the flows left in it.
      const policy = { dns: 1000, flow: 1, http: 1000, tls: 1000, sinkhole: 1000, alert: 1000, rollups: 1000 };
      await events.applyRetention(W.from - 95 * MIN + 24 * HOUR, policy);
      const trimmed = await answers();
      expect(trimmed).not.toEqual(late);
      await events.rollup();
      expect(await answers()).toEqual(trimmed);
    });
  });
}
