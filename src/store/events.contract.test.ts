/**
 * One contract suite for the EventStore, run against every writer mode of the embedded store
 * (the writer on the caller's thread, and in a worker thread). A future backend joins MODES.
 *
 * Counts and top lists are checked against an oracle computed here from the events written, and
 * must be identical before and after roll-ups, with dirty hours, and with ranges that cut hours
 * and days.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertEvent, type DnsEvent, type DnsOutcome, type EventKind, type FlowEvent, type HttpEvent,
  type MinewardenEvent, type SinkholeEvent, type TlsEvent,
} from '../model/events.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import { BatchBuilder } from './events/batch.ts';
import type { Bucket, CountRow, EventFilter, EventGroup, EventStore, RetentionPolicy, Store, TopRow } from './types.ts';

const MODES = ['thread', 'worker'] as const;

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Midnight UTC, so hours and days line up with the store's buckets. */
const T0 = Date.UTC(2024, 0, 10);

function dns(ts: number, extra: Partial<DnsEvent> = {}): DnsEvent {
  return {
    kind: 'dns', ts, client: '10.0.0.1', site: '', unit: 'u1', via: null, name: 'a.example', qtype: 1, rcode: 0,
    outcome: 'resolved', reason: null, indicator: null, category: null, latencyUs: 100, ...extra,
  };
}

function flow(ts: number, extra: Partial<FlowEvent> = {}): FlowEvent {
  return {
    kind: 'flow', ts, client: '10.0.0.2', site: 'east', unit: 'u2', end: ts + 5000, src: '10.0.0.2', srcPort: 50123,
    dst: '198.51.100.7', dstPort: 3333, proto: 6, bytesOut: 2 ** 33 + 17, pktsOut: 3_000_000, bytesIn: 2 ** 40 + 1, pktsIn: 12,
    tcpState: 'SF', sensor: 'zeek-1', ...extra,
  };
}

function http(ts: number, extra: Partial<HttpEvent> = {}): HttpEvent {
  return {
    kind: 'http', ts, client: '10.0.0.3', site: '', unit: 'u1', server: '203.0.113.9', serverPort: 8080, method: 'POST',
    host: 'x.pool.example', url: '/json_rpc?a=1', status: 200, userAgent: 'xmrig/6.21', contentType: 'application/json',
    size: 5_000_000_000, sensor: 'suricata', ...extra,
  };
}

function tls(ts: number, extra: Partial<TlsEvent> = {}): TlsEvent {
  return {
    kind: 'tls', ts, client: '10.0.0.4', site: '', unit: null, server: '203.0.113.10', serverPort: 443, sni: 'pool.example',
    ja3: 'e7d705a3286e19ea42f587b344ee6865', ja4: 't13d1516h2_8daaf6152771_02713d6af862', version: 'TLSv1.3',
    subject: 'CN=pool.example', issuer: 'CN=R3', sensor: 'zeek-1', ...extra,
  };
}

function sinkhole(ts: number, extra: Partial<SinkholeEvent> = {}): SinkholeEvent {
  return { kind: 'sinkhole', ts, client: '10.0.0.5', site: '', unit: 'u3', port: 3333, proto: 'tcp', name: 'pool.example', said: 'stratum login', ...extra };
}

function alert(ts: number, extra: Partial<AlertEvent> = {}): AlertEvent {
  return {
    kind: 'alert', ts, client: '10.0.0.6', site: '', unit: 'u1', detector: 'stratum', severity: 'high', title: 'Stratum login to a pool',
    indicator: 'pool.example', evidence: { port: 3333, methods: ['login', 'submit'], nested: { ok: true, n: null }, 名: '矿池' }, ...extra,
  };
}

/** What a stored event reads back as: optional strings null when not given, site '' by default. */
function stored(ev: MinewardenEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ev, site: ev.site ?? '', unit: ev.unit ?? null, hostId: expect.any(Number) as unknown };
  return out;
}

/** Writes events (any mix of kinds, in order per kind) through BatchBuilders, then flushes. */
async function put(store: EventStore, events: readonly MinewardenEvent[], capacity = 64): Promise<void> {
  const builders = new Map<EventKind, BatchBuilder>();
  for (const ev of events) {
    let b = builders.get(ev.kind);
    if (b === undefined) {
      b = new BatchBuilder(ev.kind, capacity);
      builders.set(ev.kind, b);
    }
    b.add(ev);
    if (b.full) store.write(b.take());
  }
  for (const b of builders.values()) if (b.size > 0) store.write(b.take());
  await store.flush();
}

// ------------------------------------------------------------------ oracle for counts and top

function groupValue(ev: DnsEvent, by: EventGroup | undefined): string | null {
  let v: string | null | undefined;
  switch (by) {
    case undefined:
      return null;
    case 'unit':
      v = ev.unit;
      break;
    case 'outcome':
      v = ev.outcome;
      break;
    case 'category':
      v = ev.category;
      break;
    case 'name':
      v = ev.name;
      break;
    case 'host':
    case 'indicator':
    case 'dst':
    case 'detector':
      throw new Error(`oracle has no ${by}`);
  }
  return v === undefined || v === null || v === '' ? null : v;
}

function matches(ev: DnsEvent, f: EventFilter): boolean {
  if (f.from !== undefined && ev.ts < f.from) return false;
  if (f.to !== undefined && ev.ts >= f.to) return false;
  if (f.units !== undefined && (ev.unit === null || ev.unit === undefined || !f.units.includes(ev.unit))) return false;
  if (f.outcomes !== undefined && !f.outcomes.includes(ev.outcome)) return false;
  if (f.category !== undefined && ev.category !== f.category) return false;
  return true;
}

const BUCKET_SIZE: Record<Bucket, number> = { minute: MIN, hour: HOUR, day: DAY };

function expectedCounts(events: readonly DnsEvent[], f: EventFilter, bucket: Bucket, by?: EventGroup): CountRow[] {
  const m = new Map<string, CountRow>();
  for (const ev of events) {
    if (!matches(ev, f)) continue;
    const t = Math.floor(ev.ts / BUCKET_SIZE[bucket]) * BUCKET_SIZE[bucket];
    const key = groupValue(ev, by);
    const id = `${t}\u0000${String(key)}`;
    const row = m.get(id) ?? { t, key, count: 0 };
    row.count++;
    m.set(id, row);
  }
  return sortCounts([...m.values()]);
}

function sortCounts(rows: readonly CountRow[]): CountRow[] {
  return [...rows].sort((a, b) => a.t - b.t || String(a.key).localeCompare(String(b.key)));
}

function expectedTop(events: readonly DnsEvent[], f: EventFilter, by: EventGroup, n: number): TopRow[] {
  const m = new Map<string, TopRow>();
  for (const ev of events) {
    if (!matches(ev, f)) continue;
    const key = groupValue(ev, by);
    if (key === null) continue;
    const row = m.get(key) ?? { key, count: 0, blocked: 0 };
    row.count++;
    if (ev.outcome === 'blocked') row.blocked++;
    m.set(key, row);
  }
  return [...m.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, n);
}

/** DNS events over three days: several units (one null), outcomes, categories (null and ''). */
function dnsDataset(): DnsEvent[] {
  const units = ['u1', 'u2', null, 'u3'] as const;
  const outcomes: DnsOutcome[] = ['resolved', 'blocked', 'cached', 'blocked', 'monitored'];
  const categories = ['mining-pool', null, 'botnet-cc', '', null, 'mining-pool'] as const;
  const names = ['pool.example', 'a.pool.example', 'xpool.example', 'cdn.example', 'b.a.pool.example', 'other.test', 'cdn.example'];
  const out: DnsEvent[] = [];
  for (let i = 0; i < 420; i++) {
    // Spread over 3 days with an irregular step so every bucket size sees several values.
    const ts = T0 + ((i * 617_417) % (3 * DAY));
    out.push(dns(ts, {
      unit: units[i % units.length]!, outcome: outcomes[i % outcomes.length]!, category: categories[i % categories.length]!,
      name: names[(i * 3) % names.length]!, client: `10.1.0.${i % 7}`,
    }));
  }
  return out;
}

/** Filters and ranges the counts must agree on (ranges start and end mid-hour and mid-day). */
const COUNT_FILTERS: EventFilter[] = [
  { kind: 'dns' },
  { kind: 'dns', from: T0, to: T0 + 3 * DAY },
  { kind: 'dns', from: T0 + 2 * HOUR, to: T0 + 30 * HOUR },
  { kind: 'dns', from: T0 + 2 * HOUR + 17 * MIN, to: T0 + DAY + 5 * HOUR + 33 * MIN },
  { kind: 'dns', from: T0 + 13 * HOUR + 1, to: T0 + 2 * DAY + 11 * HOUR - 1 },
  { kind: 'dns', from: T0 + 7 * HOUR + 10 * MIN, to: T0 + 7 * HOUR + 50 * MIN },
  { kind: 'dns', units: ['u1', 'u3'], from: T0 + 90 * MIN },
  { kind: 'dns', outcomes: ['blocked', 'monitored'], to: T0 + 2 * DAY + 30 * MIN },
  { kind: 'dns', category: 'mining-pool', from: T0 + 5 * HOUR + 5 * MIN, to: T0 + 60 * HOUR + 5 * MIN },
];
const GROUPS: Array<EventGroup | undefined> = [undefined, 'unit', 'outcome', 'category'];
const BUCKETS: Bucket[] = ['minute', 'hour', 'day'];

async function checkCounts(store: EventStore, events: readonly DnsEvent[]): Promise<string[]> {
  const results: string[] = [];
  for (const f of COUNT_FILTERS) {
    for (const bucket of BUCKETS) {
      for (const by of GROUPS) {
        const got = await store.counts(f, bucket, by);
        expect(sortCounts(got), `${JSON.stringify(f)} ${bucket} ${String(by)}`).toEqual(expectedCounts(events, f, bucket, by));
        results.push(JSON.stringify(got));
      }
    }
  }
  const topRanges: EventFilter[] = [
    { kind: 'dns' },
    { kind: 'dns', from: T0 + 13 * HOUR + 1, to: T0 + 2 * DAY + 11 * HOUR - 1 },
    { kind: 'dns', from: T0 + DAY, to: T0 + 2 * DAY },
    { kind: 'dns', from: T0 + 3 * HOUR, to: T0 + 5 * HOUR },
  ];
  for (const f of topRanges) {
    const got = await store.top(f, 'name', 4);
    expect(got, `top ${JSON.stringify(f)}`).toEqual(expectedTop(events, f, 'name', 4));
    results.push(JSON.stringify(got));
  }
  return results;
}

const POLICY: RetentionPolicy = { dns: 1, flow: 2, http: 3, tls: 4, sinkhole: 5, alert: 6, rollups: 2 };

for (const mode of MODES) {
  describe(`event store contract: duckdb, ${mode} writer`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const fresh = async (dir = mkdtempSync(join(tmpdir(), 'mw-events-'))): Promise<{ store: Store; events: EventStore; dir: string }> => {
      const store = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', eventWriter: mode });
      open.push(store);
      return { store, events: store.events, dir };
    };
    const closeAll = async (): Promise<void> => {
      for (const s of open.splice(0)) await s.close();
    };

    it('round-trips every field of every kind, with nulls, codes, JSON evidence and big counters', async () => {
      const { events } = await fresh();
      const written: MinewardenEvent[] = [
        dns(T0 + 1, { via: '10.9.9.9', reason: 'indicator', indicator: 'pool.example', category: 'mining-pool', outcome: 'blocked', rcode: 3, qtype: 28, latencyUs: 4_000_000_000 }),
        dns(T0 + 2, { outcome: 'forwarded', unit: null, site: 'east' }),
        dns(T0 + 3, { site: undefined, unit: undefined }),
        flow(T0 + 4),
        flow(T0 + 5, { tcpState: null, bytesOut: 2 ** 52 + 2, pktsIn: 0, proto: 17, srcPort: 65535 }),
        http(T0 + 6),
        http(T0 + 7, { userAgent: null, contentType: null, status: 0, size: 0 }),
        tls(T0 + 8),
        tls(T0 + 9, { sni: null, ja3: null, ja4: null, version: null, subject: null, issuer: null }),
        sinkhole(T0 + 10),
        sinkhole(T0 + 11, { name: null, said: null, proto: 'udp' }),
        alert(T0 + 12),
        alert(T0 + 13, { severity: 'critical', indicator: null, evidence: {} }),
        alert(T0 + 14, { severity: 'info', detector: 'fan-in', evidence: { list: [1, 2.5, 'x'], big: 2 ** 40 } }),
      ];
      await put(events, written);
      for (const kind of ['dns', 'flow', 'http', 'tls', 'sinkhole', 'alert'] as const) {
        const got = await events.query({ kind, order: 'asc' });
        expect(got).toEqual(written.filter((e) => e.kind === kind).map(stored));
      }
      // The same host gets the same id in every kind; another site is another host.
      const [a, b] = await events.query({ kind: 'dns', order: 'asc', limit: 2 });
      expect(a!.hostId).not.toBe(b!.hostId);
      const [c] = await events.query({ kind: 'dns', order: 'asc', offset: 2 });
      expect(c!.hostId).toBe(a!.hostId);
    });

    it('stores a missing required text as an empty string and a missing optional one as null', async () => {
      const { events } = await fresh();
      const b = new BatchBuilder('flow');
      b.add({ kind: 'flow', ts: T0, client: '10.0.0.1', end: T0, srcPort: 1, dstPort: 2, proto: 6, bytesOut: 1, pktsOut: 1, bytesIn: 1, pktsIn: 1 } as unknown as FlowEvent);
      events.write(b.take());
      await events.flush();
      const [ev] = await events.query({ kind: 'flow' });
      expect(ev).toMatchObject({ src: '', dst: '', tcpState: null, sensor: null, site: '', unit: null });
    });

    it('orders newest first by default, oldest first on asc, and pages with limit and offset', async () => {
      const { events } = await fresh();
      await put(events, Array.from({ length: 10 }, (_, i) => dns(T0 + i * 1000, { name: `n${i}.example` })), 3);
      const ts = (evs: Array<{ ts: number }>): number[] => evs.map((e) => (e.ts - T0) / 1000);
      expect(ts(await events.query({ kind: 'dns' }))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(ts(await events.query({ kind: 'dns', order: 'desc', limit: 3, offset: 2 }))).toEqual([7, 6, 5]);
      expect(ts(await events.query({ kind: 'dns', order: 'asc', limit: 4, offset: 8 }))).toEqual([8, 9]);
      expect(ts(await events.query({ kind: 'dns', order: 'asc', limit: 4, offset: 10 }))).toEqual([]);
      expect(await events.query({ kind: 'flow' })).toEqual([]);
    });

    it('filters by time range [from, to), units, host, outcome, category, detector and name suffix', async () => {
      const { events } = await fresh();
      await put(events, [
        dns(T0, { name: 'pool.example', unit: 'u1', client: '10.0.0.1', outcome: 'blocked', category: 'mining-pool' }),
        dns(T0 + 1000, { name: 'a.pool.example', unit: 'u2', client: '10.0.0.1', site: 'east', outcome: 'resolved' }),
        dns(T0 + 2000, { name: 'xpool.example', unit: 'u2', client: '10.0.0.2', outcome: 'monitored', category: 'botnet-cc' }),
        dns(T0 + 3000, { name: 'b.a.pool.example', unit: null, client: '10.0.0.1', outcome: 'blocked', category: 'mining-pool' }),
        dns(T0 + 4000, { name: 'pool.example.org', unit: 'u3', client: '10.0.0.3', outcome: 'cached' }),
        alert(T0 + 500, { detector: 'stratum' }),
        alert(T0 + 600, { detector: 'fan-in' }),
        http(T0, { host: 'pool.example' }),
        http(T0 + 1, { host: 'xpool.example' }),
        tls(T0, { sni: 'c.pool.example' }),
        tls(T0 + 1, { sni: null }),
        sinkhole(T0, { name: 'pool.example' }),
        sinkhole(T0 + 1, { name: 'apool.example' }),
      ]);
      const names = async (f: Omit<EventFilter, 'kind'>): Promise<string[]> =>
        (await events.query({ kind: 'dns', order: 'asc', ...f })).map((e) => (e.kind === 'dns' ? e.name : '?'));

      expect(await names({ from: T0 + 1000, to: T0 + 3000 })).toEqual(['a.pool.example', 'xpool.example']);
      expect(await names({ from: T0 + 3000 })).toEqual(['b.a.pool.example', 'pool.example.org']);
      expect(await names({ to: T0 + 1 })).toEqual(['pool.example']);
      expect(await names({ units: ['u2', 'u3'] })).toEqual(['a.pool.example', 'xpool.example', 'pool.example.org']);
      expect(await names({ units: [] })).toEqual([]);
      expect(await names({ client: '10.0.0.1' })).toEqual(['pool.example', 'b.a.pool.example']);
      expect(await names({ client: '10.0.0.1', site: 'east' })).toEqual(['a.pool.example']);
      expect(await names({ client: '10.0.0.99' })).toEqual([]);
      const host = await events.findHost('10.0.0.2');
      expect(await names({ hostId: host!.id })).toEqual(['xpool.example']);
      expect(await names({ hostId: 9999 })).toEqual([]);
      expect(await names({ outcomes: ['blocked', 'monitored'] })).toEqual(['pool.example', 'xpool.example', 'b.a.pool.example']);
      expect(await names({ outcomes: [] })).toEqual([]);
      expect(await names({ category: 'mining-pool' })).toEqual(['pool.example', 'b.a.pool.example']);
      expect(await names({ nameSuffix: 'pool.example' })).toEqual(['pool.example', 'a.pool.example', 'b.a.pool.example']);
      expect(await names({ nameSuffix: 'POOL.Example.' })).toEqual(['pool.example', 'a.pool.example', 'b.a.pool.example']);
      expect(await names({ nameSuffix: 'a.pool.example' })).toEqual(['a.pool.example', 'b.a.pool.example']);
      expect(await names({ nameSuffix: 'pool.example', outcomes: ['blocked'], units: ['u1'] })).toEqual(['pool.example']);

      const alerts = await events.query({ kind: 'alert', detector: 'fan-in' });
      expect(alerts.map((e) => e.ts)).toEqual([T0 + 600]);
      expect((await events.query({ kind: 'http', nameSuffix: 'pool.example' })).map((e) => e.ts)).toEqual([T0]);
      expect((await events.query({ kind: 'tls', nameSuffix: 'pool.example' })).map((e) => e.ts)).toEqual([T0]);
      expect((await events.query({ kind: 'sinkhole', nameSuffix: 'pool.example' })).map((e) => e.ts)).toEqual([T0]);

      // Filters a kind does not have are refused, not ignored.
      await expect(events.query({ kind: 'http', outcomes: ['blocked'] })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
      await expect(events.query({ kind: 'dns', detector: 'stratum' })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
      await expect(events.query({ kind: 'flow', nameSuffix: 'pool.example' })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
      await expect(events.query({ kind: 'dns', from: Number.NaN })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    });

    it('counts and top lists agree with the events before and after roll-up, with dirty hours, and across a reopen', async () => {
      const { events, dir } = await fresh();
      const data = dnsDataset();
      await put(events, data, 50);
      const before = await checkCounts(events, data);

      const r = await events.rollup();
      expect(r.hours).toBeGreaterThan(48);
      expect(r.days).toBe(3);
      expect(await checkCounts(events, data)).toEqual(before);
      expect(await events.rollup()).toEqual({ hours: 0, days: 0 });

      // Events written after the roll-up into hours already rolled (and one new hour): those
      // hours are dirty and must be counted from the events until the next roll-up.
      const late = [
        dns(T0 + 2 * HOUR + 20 * MIN, { unit: 'u1', outcome: 'blocked', category: 'mining-pool', name: 'late.example' }),
        dns(T0 + 2 * HOUR + 40 * MIN, { unit: null, outcome: 'resolved', category: null, name: 'late.example' }),
        dns(T0 + DAY + 5 * HOUR, { unit: 'u2', outcome: 'monitored', category: '', name: 'pool.example' }),
        dns(T0 + 2 * DAY + 23 * HOUR + 59 * MIN, { unit: 'u3', outcome: 'blocked', category: 'botnet-cc', name: 'late.example' }),
      ];
      await put(events, late);
      const all = [...data, ...late];
      const dirty = await checkCounts(events, all);

      // The dirty hours survive a restart.
      await closeAll();
      const again = await fresh(dir);
      expect(await checkCounts(again.events, all)).toEqual(dirty);
      expect(await again.events.rollup()).toEqual({ hours: 3, days: 3 });
      expect(await checkCounts(again.events, all)).toEqual(dirty);
    });

    it('counts other kinds and groups without roll-ups, and refuses a group the kind lacks', async () => {
      const { events } = await fresh();
      await put(events, [
        alert(T0 + 10 * MIN, { detector: 'stratum', unit: 'u1' }),
        alert(T0 + 20 * MIN, { detector: 'stratum', unit: 'u2' }),
        alert(T0 + HOUR + 1, { detector: 'fan-in', unit: 'u1' }),
        flow(T0 + 5),
      ]);
      expect(await events.counts({ kind: 'alert' }, 'hour', 'detector')).toEqual([
        { t: T0, key: 'stratum', count: 2 },
        { t: T0 + HOUR, key: 'fan-in', count: 1 },
      ]);
      expect(sortCounts(await events.counts({ kind: 'alert', from: T0 + 15 * MIN }, 'day', 'unit'))).toEqual([
        { t: T0, key: 'u1', count: 1 },
        { t: T0, key: 'u2', count: 1 },
      ]);
      expect(await events.counts({ kind: 'flow' }, 'minute')).toEqual([{ t: T0, key: null, count: 1 }]);
      await expect(events.counts({ kind: 'flow' }, 'hour', 'outcome')).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
      await expect(events.top({ kind: 'flow' }, 'category', 5)).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    });

    it('lists the top names, units, hosts and categories with blocked counts', async () => {
      const { events } = await fresh();
      await put(events, [
        dns(T0, { name: 'pool.example', unit: 'u1', client: '10.0.0.1', outcome: 'blocked', category: 'mining-pool' }),
        dns(T0 + 1, { name: 'pool.example', unit: 'u1', client: '10.0.0.1', outcome: 'blocked', category: 'mining-pool' }),
        dns(T0 + 2, { name: 'pool.example', unit: 'u2', client: '10.0.0.2', outcome: 'monitored', category: 'mining-pool' }),
        dns(T0 + 3, { name: 'cdn.example', unit: 'u2', client: '10.0.0.2', site: 'east', outcome: 'resolved', category: null }),
        dns(T0 + 4, { name: 'cc.example', unit: null, client: '10.0.0.2', site: 'east', outcome: 'blocked', category: 'botnet-cc' }),
      ]);
      expect(await events.top({ kind: 'dns' }, 'name', 10)).toEqual([
        { key: 'pool.example', count: 3, blocked: 2 },
        { key: 'cc.example', count: 1, blocked: 1 },
        { key: 'cdn.example', count: 1, blocked: 0 },
      ]);
      expect(await events.top({ kind: 'dns' }, 'name', 1)).toEqual([{ key: 'pool.example', count: 3, blocked: 2 }]);
      expect(await events.top({ kind: 'dns' }, 'unit', 10)).toEqual([
        { key: 'u1', count: 2, blocked: 2 },
        { key: 'u2', count: 2, blocked: 0 },
      ]);
      expect(await events.top({ kind: 'dns' }, 'host', 10)).toEqual([
        { key: '10.0.0.1', count: 2, blocked: 2 },
        { key: 'east/10.0.0.2', count: 2, blocked: 1 },
        { key: '10.0.0.2', count: 1, blocked: 0 },
      ]);
      expect(await events.top({ kind: 'dns' }, 'category', 10)).toEqual([
        { key: 'mining-pool', count: 3, blocked: 2 },
        { key: 'botnet-cc', count: 1, blocked: 1 },
      ]);
      expect(await events.top({ kind: 'dns', units: ['u2'] }, 'name', 10)).toEqual([
        { key: 'cdn.example', count: 1, blocked: 0 },
        { key: 'pool.example', count: 1, blocked: 0 },
      ]);
    });

    it('discovers hosts from events: first and last seen, unit, sites kept apart, search, paging', async () => {
      const { events } = await fresh();
      await put(events, [
        dns(T0 + 5000, { client: '192.168.1.10', site: 'east', unit: 'e' }),
        flow(T0 + 1000, { client: '192.168.1.10', site: 'east', unit: 'e' }),
        dns(T0 + 9000, { client: '192.168.1.10', site: 'east', unit: 'e2' }),
        dns(T0 + 2000, { client: '192.168.1.10', site: 'west', unit: 'w' }),
        dns(T0 + 3000, { client: '10.0.0.1', site: '', unit: null }),
        dns(T0 + 8000, { client: 'fd00::1', site: '', unit: 'w' }),
      ]);
      const east = await events.findHost('192.168.1.10', 'east');
      const west = await events.findHost('192.168.1.10', 'west');
      expect(east).toMatchObject({ site: 'east', address: '192.168.1.10', unit: 'e2', firstSeen: T0 + 1000, lastSeen: T0 + 9000, names: [] });
      expect(west).toMatchObject({ site: 'west', address: '192.168.1.10', unit: 'w', firstSeen: T0 + 2000, lastSeen: T0 + 2000 });
      expect(east!.id).not.toBe(west!.id);
      expect(await events.findHost('192.168.1.10')).toBeNull();
      expect(await events.findHost('10.0.0.1')).toMatchObject({ site: '', unit: null });

      const addr = (hs: Array<{ site: string; address: string }>): string[] => hs.map((h) => `${h.site}/${h.address}`);
      expect(addr(await events.hosts({}))).toEqual(['east/192.168.1.10', '/fd00::1', '/10.0.0.1', 'west/192.168.1.10']);
      expect(addr(await events.hosts({ units: ['w'] }))).toEqual(['/fd00::1', 'west/192.168.1.10']);
      expect(addr(await events.hosts({ units: [] }))).toEqual([]);
      expect(addr(await events.hosts({ search: '192.168' }))).toEqual(['east/192.168.1.10', 'west/192.168.1.10']);
      expect(addr(await events.hosts({ since: T0 + 3000 }))).toEqual(['east/192.168.1.10', '/fd00::1', '/10.0.0.1']);
      expect(addr(await events.hosts({ limit: 2, offset: 1 }))).toEqual(['/fd00::1', '/10.0.0.1']);

      events.noteHostNames([
        { client: '192.168.1.10', site: 'east', name: 'Lab-PC-07', source: 'dhcp', ts: T0 + 100 },
        { client: '192.168.1.10', site: 'east', name: 'lab-pc-07.school.example', source: 'dns', ts: T0 + 200 },
        { client: '10.9.9.9', name: 'unknown-host', source: 'dhcp', ts: T0 },
      ]);
      await events.flush();
      expect(addr(await events.hosts({ search: 'lab-pc' }))).toEqual(['east/192.168.1.10']);
      expect((await events.findHost('192.168.1.10', 'east'))!.names).toEqual([
        { name: 'lab-pc-07.school.example', source: 'dns', ts: T0 + 200 },
        { name: 'Lab-PC-07', source: 'dhcp', ts: T0 + 100 },
      ]);
      expect(await events.findHost('10.9.9.9')).toBeNull();
    });

    it('keeps events, hosts, names and host ids across a reopen; new hosts get new ids', async () => {
      const { events, dir } = await fresh();
      await put(events, [dns(T0, { client: '10.0.0.1' }), dns(T0 + 1, { client: '10.0.0.2' }), alert(T0 + 2, { client: '10.0.0.3' })]);
      events.noteHostNames([{ client: '10.0.0.2', name: 'printer', source: 'dhcp', ts: T0 + 50 }]);
      await events.flush();
      // A later event moves the last seen of an existing host; written on close.
      await put(events, [dns(T0 + 10_000, { client: '10.0.0.1', unit: 'u9' })]);
      const hostsBefore = await events.hosts({});
      const maxId = Math.max(...hostsBefore.map((h) => h.id));
      await closeAll();

      const again = await fresh(dir);
      expect(await again.events.hosts({})).toEqual(hostsBefore);
      expect(await again.events.findHost('10.0.0.2')).toMatchObject({ names: [{ name: 'printer', source: 'dhcp', ts: T0 + 50 }] });
      expect(await again.events.findHost('10.0.0.1')).toMatchObject({ lastSeen: T0 + 10_000, unit: 'u9' });
      expect((await again.events.query({ kind: 'dns' })).length).toBe(3);
      expect((await again.events.query({ kind: 'alert' }))[0]).toMatchObject({ client: '10.0.0.3', hostId: (await again.events.findHost('10.0.0.3'))!.id });

      await put(again.events, [flow(T0 + 20_000, { client: '10.0.0.50', site: '' })]);
      const added = await again.events.findHost('10.0.0.50');
      expect(added!.id).toBe(maxId + 1);
      const [fl] = await again.events.query({ kind: 'flow' });
      expect(fl).toMatchObject({ client: '10.0.0.50', hostId: added!.id });
    });

    it('applies retention per kind and to roll-ups, and reports what it deleted', async () => {
      const { events } = await fresh();
      const now = T0 + 10 * DAY;
      const ages = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5];
      const all: MinewardenEvent[] = [];
      for (const age of ages) {
        const ts = now - age * DAY;
        all.push(dns(ts), flow(ts), http(ts), tls(ts), sinkhole(ts), alert(ts));
      }
      await put(events, all);
      await events.rollup();
      const before = await events.stats();
      expect(before.rollupRows).toBeGreaterThan(0);
      const r = await events.applyRetention(now, POLICY);
      // Kept: younger than the kind's days. dns 1 day keeps 1 of 7; alert 6 days keeps 6.
      expect(r).toMatchObject({ dns: 6, flow: 5, http: 4, tls: 3, sinkhole: 2, alert: 1 });
      // Roll-ups: one hour row and one name/day row per DNS event; those older than 2 days go.
      expect(r.rollups).toBe(10);
      const st = await events.stats();
      expect(st.kinds.dns.rows).toBe(1);
      expect(st.kinds.alert.rows).toBe(6);
      expect(st.kinds.flow.oldest).toBe(now - 1.5 * DAY);
      expect(st.rollupRows).toBe(before.rollupRows - 10);
      expect(await events.applyRetention(now, POLICY)).toEqual({ dns: 0, flow: 0, http: 0, tls: 0, sinkhole: 0, alert: 0, rollups: 0 });
    });

    it('reports rows, oldest and newest per kind and the number of hosts', async () => {
      const { events } = await fresh();
      const empty = await events.stats();
      expect(empty.kinds.dns).toEqual({ rows: 0, oldest: null, newest: null });
      expect(empty.hosts).toBe(0);
      await put(events, [dns(T0 + 5), dns(T0 + 1), dns(T0 + 9, { client: '10.0.0.7' }), flow(T0 + 100), alert(T0 + 3)]);
      const st = await events.stats();
      expect(st.kinds.dns).toEqual({ rows: 3, oldest: T0 + 1, newest: T0 + 9 });
      expect(st.kinds.flow).toEqual({ rows: 1, oldest: T0 + 100, newest: T0 + 100 });
      expect(st.kinds.alert).toEqual({ rows: 1, oldest: T0 + 3, newest: T0 + 3 });
      expect(st.kinds.http).toEqual({ rows: 0, oldest: null, newest: null });
      expect(st.hosts).toBe(4);
      expect(st.bytes).toBeGreaterThan(0);
      const status = events.status();
      expect(status).toMatchObject({ accepted: 5, written: 5, pending: 0, dropped: 0, failures: 0 });
    });
  });
}
