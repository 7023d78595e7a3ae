/**
 * A seeded store for the report tests: two schools (one with a Chinese name) under a centre, DNS
 * queries and blocks, sinkhole connections, alerts and incidents on known days in Asia/Shanghai.
 */
import { EventSink } from '../events/index.ts';
import type { Incident } from '../model/detect.ts';
import type { MinewardenEvent } from '../model/events.ts';
import type { Unit } from '../model/org.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import type { ReportSources } from './types.ts';

export const TZ = 'Asia/Shanghai';
const H = 3_600_000;
/** Local midnight (UTC+8) of a March 2026 day, and of a February one. */
export const mar = (day: number, hour = 0): number => Date.UTC(2026, 2, day, hour) - 8 * H;
export const feb = (day: number, hour = 0): number => Date.UTC(2026, 1, day, hour) - 8 * H;

const unit = (id: string, name: string, parentId: string | null, cidrs: string[]): Unit => ({ id, name, parentId, kind: 'school', cidrs, site: '', egress: [], contacts: [] });
export const UNITS: Unit[] = [
  unit('centre', 'City centre', null, []),
  unit('north', '北区第七中学', 'centre', ['10.1.0.0/16']),
  unit('south', 'South school', 'centre', ['10.2.0.0/16']),
];

const resolver = {
  resolve: (ip: string): { unitId: string } | null => (ip.startsWith('10.1.') ? { unitId: 'north' } : ip.startsWith('10.2.') ? { unitId: 'south' } : null),
};

export function dns(ts: number, client: string, outcome: 'resolved' | 'blocked' = 'resolved', name = 'www.example.com', category: string | null = null): MinewardenEvent {
  return { kind: 'dns', ts, client, name, qtype: 1, rcode: 0, outcome, latencyUs: 50, category, reason: outcome === 'blocked' ? 'indicator' : null };
}

export function sinkhole(ts: number, client: string): MinewardenEvent {
  return { kind: 'sinkhole', ts, client, port: 3333, proto: 'tcp', name: 'pool.supportxmr.com', said: 'stratum login' };
}

export function alertEvent(ts: number, client: string, detector: string): MinewardenEvent {
  return { kind: 'alert', ts, client, detector, severity: 'high', title: `${detector} fired`, evidence: {} };
}

export function incident(firstSeen: number, client: string, extra: Partial<Incident> = {}): Incident {
  const unitId = resolver.resolve(client)?.unitId ?? null;
  return {
    id: 0, kind: 'host', threat: 'mining', title: `Monero mining from ${client}`, severity: 'high', confidence: 80, stage: 'mining', unit: unitId,
    hosts: [{ client, site: '', unit: unitId, firstSeen, lastSeen: firstSeen + 60_000 }], controller: null, indicator: 'pool.supportxmr.com',
    firstSeen, lastSeen: firstSeen + 60_000, state: 'new', assignee: null, notes: [], alerts: 1, timeline: [], campaignId: null, updatedAt: firstSeen + 60_000,
    ...extra,
  };
}

export async function seededStore(events: readonly MinewardenEvent[], incidents: readonly Incident[]): Promise<{ store: Store; saved: Incident[] }> {
  const store = await openMemoryStore();
  const sink = new EventSink(store.events, resolver, { flushMs: 60_000 });
  for (const e of events) sink.record(e);
  await sink.flush();
  await store.events.flush();
  // Each its own placeholder id: ≤ 0 means new.
  const saved = await store.incidents.save(incidents.map((i, k) => ({ ...i, id: -k })));
  return { store, saved };
}

export function sources(store: Store, health?: ReportSources['health']): ReportSources {
  return {
    events: store.events, incidents: store.incidents,
    units: (ids) => (ids === undefined ? UNITS : UNITS.filter((u) => ids.includes(u.id))),
    ...(health === undefined ? {} : { health }),
  };
}
