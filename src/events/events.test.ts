/**
 * The events module on a real (in-memory) store: the sink maps addresses to units and batches,
 * refuses bad events without throwing, and sends partial batches on its timer; searches become
 * store queries; JSON events validate; maintenance applies retention and roll-ups.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsEvent } from '../model/events.ts';
import { UnitTree, AddressResolver } from '../org/index.ts';
import { CITY } from '../org/org.test-util.ts';
import { openMemoryStore, type EventStore, type Store } from '../store/index.ts';
import { createLogger } from '../core/log.ts';
import { EventSink } from './sink.ts';
import { parseTime, toQuery } from './search.ts';
import { parseEventJson } from './schema.ts';
import { EventMaintenance, retentionPolicy } from './maintenance.ts';

const tree = UnitTree.build(CITY);
const resolver = new AddressResolver(tree);
const units = { resolve: (ip: string, site?: string) => resolver.resolve(ip, site ?? '') };
const DAY = 86_400_000;

function dns(ts: number, client: string, extra: Partial<DnsEvent> = {}): DnsEvent {
  return { kind: 'dns', ts, client, name: 'a.example', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 10, ...extra };
}

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('EventSink', () => {
  it('fills the unit from the address and site at ingest, keeps a unit the producer gave, and writes in batches', async () => {
    store = await openMemoryStore();
    const sink = new EventSink(store.events, units, { batchSize: 3, flushMs: 60_000 });
    sink.record(dns(1000, '192.168.1.9', { site: 'east-2' }));
    sink.record(dns(1001, '192.168.1.9', { site: 'west-2' }));
    sink.record(dns(1002, '10.3.7.200'));
    sink.record(dns(1003, '8.8.8.8'));
    sink.record(dns(1004, '10.3.7.200', { unit: 's-north-8' }));
    await sink.flush();
    const got = await store.events.query({ kind: 'dns', order: 'asc' });
    expect(got.map((e) => [e.client, e.site, e.unit])).toEqual([
      ['192.168.1.9', 'east-2', 's-east-2'],
      ['192.168.1.9', 'west-2', 's-west-2'],
      ['10.3.7.200', '', 'lab-north-7'],
      ['8.8.8.8', '', null],
      ['10.3.7.200', '', 's-north-8'],
    ]);
    expect(sink.status()).toMatchObject({ recorded: 5, rejected: 0 });
  });

  it('counts and skips an event with a bad field instead of throwing, and the batch stays whole', async () => {
    store = await openMemoryStore();
    const sink = new EventSink(store.events, units, { flushMs: 60_000 });
    expect(sink.record(dns(1, '10.1.1.1', { outcome: 'vanished' as DnsEvent['outcome'] }))).toBe(false);
    expect(sink.record(dns(2, '10.1.1.2'))).toBe(true);
    await sink.flush();
    expect(sink.status()).toMatchObject({ recorded: 1, rejected: 1 });
    expect(sink.status().lastRejection).toMatch(/outcome "vanished" is not one of/);
    expect((await store.events.query({ kind: 'dns' })).map((e) => e.client)).toEqual(['10.1.1.2']);
  });

  it('sends a partial batch on its timer, without a flush', async () => {
    store = await openMemoryStore();
    const sink = new EventSink(store.events, units, { flushMs: 20 });
    sink.record(dns(5, '10.2.1.5'));
    let rows = 0;
    for (let i = 0; i < 100 && rows === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await store.events.flush();
      rows = (await store.events.query({ kind: 'dns' })).length;
    }
    expect(rows).toBe(1);
    await sink.close();
  });

  it('says when the writer is behind, and drained() waits for it', async () => {
    store = await openMemoryStore();
    const real = store.events;
    let behind = true;
    const slow: EventStore = Object.assign(Object.create(real) as EventStore, {
      write: (b: Parameters<EventStore['write']>[0]) => real.write(b) && !behind,
      flush: () => {
        behind = false;
        return real.flush();
      },
    });
    const sink = new EventSink(slow, units, { batchSize: 2, flushMs: 60_000 });
    expect(sink.record(dns(1, '10.1.1.1'))).toBe(true);
    expect(sink.record(dns(2, '10.1.1.1'))).toBe(false);
    expect(sink.status().backpressure).toBe(1);
    await sink.drained();
    expect(sink.record(dns(3, '10.1.1.1'))).toBe(true);
    await sink.flush();
    expect(await real.query({ kind: 'dns' })).toHaveLength(3);
  });
});

describe('searches', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  it('reads times as durations back from now, ISO date-times or epoch ms', () => {
    expect(parseTime('15m', now, 'since')).toBe(now - 15 * 60_000);
    expect(parseTime('7d', now, 'since')).toBe(now - 7 * DAY);
    expect(parseTime('2026-11-22T08:00:00Z', now, 'since')).toBe(Date.UTC(2026, 10, 22, 8));
    expect(parseTime('1795000000000', now, 'since')).toBe(1795000000000);
    expect(() => parseTime('soon', now, 'until')).toThrow(/until "soon" is not a time/);
  });

  it('turns a unit into its subtree, a host into address + site or an id, and checks outcomes', () => {
    const q = toQuery({ kind: 'dns', since: '1h', unit: 'd-north', host: '10.3.7.9', outcome: ['blocked'], name: 'pool.example' }, tree, now);
    expect(q).toMatchObject({ kind: 'dns', from: now - 3_600_000, to: now + 60_000, client: '10.3.7.9', site: '', outcomes: ['blocked'], nameSuffix: 'pool.example' });
    expect(new Set(q.units)).toEqual(new Set(['d-north', 's-north-7', 'lab-north-7', 's-north-8', 's-north-9']));
    expect(toQuery({ kind: 'alert', host: '#42' }, tree, now).hostId).toBe(42);
    expect(() => toQuery({ kind: 'dns', unit: 'nowhere' }, tree, now)).toThrow(/no unit "nowhere"/);
    expect(() => toQuery({ kind: 'dns', outcome: ['exploded'] }, tree, now)).toThrow(/unknown outcome "exploded"/);
    expect(() => toQuery({ kind: 'mail' }, tree, now)).toThrow(/unknown event kind "mail"/);
    expect(() => toQuery({ kind: 'dns', since: '1h', until: '2h' }, tree, now)).toThrow(/since must be before until/);
  });
});

describe('JSON events', () => {
  it('accepts each kind, with ISO or epoch times, and normalises the DNS name', () => {
    const d = parseEventJson(JSON.stringify({ kind: 'dns', ts: '2026-11-22T08:00:00.250Z', client: '10.0.0.1', name: 'XMR.Pool.Example.', qtype: 1, rcode: 3, outcome: 'blocked' }));
    expect(d).toEqual({ ok: true, event: expect.objectContaining({ ts: Date.UTC(2026, 10, 22, 8, 0, 0, 250), name: 'xmr.pool.example', latencyUs: 0 }) as unknown });
    for (const ev of [
      { kind: 'flow', ts: 1, end: 2, client: 'a', src: 'a', srcPort: 1, dst: 'b', dstPort: 2, proto: 6, bytesOut: 1, pktsOut: 1 },
      { kind: 'http', ts: 1, client: 'a', server: 'b', method: 'GET', host: 'h', url: '/x.exe' },
      { kind: 'tls', ts: 1, client: 'a', server: 'b', sni: 'pool.example', ja4: 't13d1516h2_8daaf6152771_b0da82dd1658' },
      { kind: 'sinkhole', ts: 1, client: 'a', port: 3333, proto: 'tcp', said: '{"method":"login"}' },
      { kind: 'alert', ts: 1, client: 'a', detector: 'fan-in', severity: 'critical', title: '209 hosts → one controller' },
    ]) {
      expect(parseEventJson(JSON.stringify(ev))).toMatchObject({ ok: true });
    }
  });

  it('names the field that is wrong', () => {
    expect(parseEventJson('{"kind":"dns"')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) as unknown });
    const r = parseEventJson(JSON.stringify({ kind: 'flow', ts: 'noon', client: 'a', src: 'a', srcPort: 70000, dst: 'b', dstPort: 2, proto: 6, bytesOut: 1, pktsOut: 1 }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/ts: "noon" is not a time/);
    expect(!r.ok && r.error).toMatch(/srcPort: /);
    expect(parseEventJson(JSON.stringify({ kind: 'dns', ts: 1, client: 'a', name: 'x', qtype: 1, rcode: 0, outcome: 'resolved', colour: 'red' }))).toMatchObject({ ok: false, error: expect.stringMatching(/colour/) as unknown });
    expect(parseEventJson(JSON.stringify({ kind: 'email', ts: 1, client: 'a' }))).toMatchObject({ ok: false });
  });
});

describe('EventMaintenance', () => {
  it('applies retention per kind (config seconds → days) and recomputes roll-ups', async () => {
    store = await openMemoryStore();
    const now = Date.UTC(2026, 10, 22, 12);
    const sink = new EventSink(store.events, units, { flushMs: 60_000 });
    sink.record(dns(now - 40 * DAY, '10.1.1.1'));
    sink.record(dns(now - 10 * DAY, '10.1.1.1'));
    sink.record({ kind: 'alert', ts: now - 40 * DAY, client: '10.1.1.1', detector: 'x', severity: 'low', title: 't', evidence: {} });
    await sink.flush();
    const policy = retentionPolicy({ dns: 30 * 86400, flow: 30 * 86400, http: 30 * 86400, tls: 30 * 86400, sinkhole: 90 * 86400, alert: 180 * 86400, rollups: 400 * 86400 });
    expect(policy.dns).toBe(30);
    const m = new EventMaintenance(store.events, createLogger({ level: 'silent', format: 'json' }), { rollupMs: 60_000, retentionMs: DAY, policy, now: () => now });
    await m.retentionOnce();
    expect((await store.events.query({ kind: 'dns' })).map((e) => e.ts)).toEqual([now - 10 * DAY]);
    expect(await store.events.query({ kind: 'alert' })).toHaveLength(1);
    await m.rollupOnce();
    expect(await store.events.rollup()).toEqual({ hours: 0, days: 0 });
    await m.stop();
  });
});

describe('EventSink under overload', () => {
  it('drops and counts new events while the writer holds more than maxPending, and resumes below half', async () => {
    store = await openMemoryStore();
    const real = store.events;
    let pending = 0;
    const slow: EventStore = Object.assign(Object.create(real) as EventStore, {
      write: (b: Parameters<EventStore['write']>[0]) => real.write(b),
      status: () => ({ ...real.status(), pending }),
    });
    const sink = new EventSink(slow, units, { batchSize: 2, flushMs: 60_000, maxPending: 100 });
    pending = 150;
    sink.record(dns(1, '10.1.1.1'));
    sink.record(dns(2, '10.1.1.1')); // fills a batch: the sink sees 150 waiting
    expect(sink.record(dns(3, '10.1.1.1'))).toBe(false);
    expect(sink.status().dropped).toBe(1);
    pending = 10;
    sink.send();
    expect(sink.record(dns(4, '10.1.1.1'))).toBe(true);
    await sink.flush();
    expect((await real.query({ kind: 'dns', order: 'asc' })).map((e) => e.ts)).toEqual([1, 2, 4]);
  });
});
