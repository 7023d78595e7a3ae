/**
 * One contract suite for the IncidentStore, run against every backend (embedded DuckDB today;
 * the PostgreSQL backend joins BACKENDS and must pass the same tests).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry } from '../model/detect.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import type { Store } from './types.ts';

const BACKENDS: Array<{ name: string; open: (dir: string) => Promise<Store> }> = [
  { name: 'duckdb', open: (dir) => openDuckDbStore({ dataDir: dir, memoryLimit: '256MB' }) },
];

const T0 = Date.UTC(2024, 4, 1);

function entry(ts: number, extra: Partial<TimelineEntry> = {}): TimelineEntry {
  return { ts, client: '10.0.0.1', detector: 'stratum', stage: 'mining', title: 'mining', evidence: { wallet: '4A', n: 1, nested: { 端口: 3333 } }, events: [{ kind: 'flow', ts, client: '10.0.0.1', site: '' }], ...extra };
}

function incident(id: number, extra: Partial<Incident> = {}): Incident {
  return {
    id, kind: 'host', threat: 'mining:monero', title: '挖矿 "monero"', severity: 'medium', confidence: 62.5, stage: 'mining', unit: 's-1',
    hosts: [{ client: '10.0.0.1', site: '', unit: 's-1', firstSeen: T0, lastSeen: T0 + 5 }], controller: null, indicator: 'pool.example',
    firstSeen: T0, lastSeen: T0 + 5, state: 'new', assignee: null, notes: [], alerts: 2, timeline: [entry(T0), entry(T0 + 5, { title: 'again' })],
    campaignId: null, updatedAt: T0 + 5, ...extra,
  };
}

for (const backend of BACKENDS) {
  describe(`incident store contract: ${backend.name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const fresh = async (dir = mkdtempSync(join(tmpdir(), 'mw-inc-'))): Promise<{ store: Store; dir: string }> => {
      const store = await backend.open(dir);
      open.push(store);
      return { store, dir };
    };

    it('creates incidents with real ids, round-trips every field, and links members to a campaign saved with them', async () => {
      const { store } = await fresh();
      const campaign = incident(-1, { kind: 'campaign', threat: 'campaign:203.0.113.7', controller: '203.0.113.7', unit: null, severity: 'critical' });
      const [c, a, b] = await store.incidents.save([campaign, incident(-2, { campaignId: -1 }), incident(-3, { campaignId: -1, hosts: [], timeline: [] })]);
      expect(c?.id).toBeGreaterThan(0);
      expect(new Set([c?.id, a?.id, b?.id]).size).toBe(3);
      expect(a).toEqual(incident(a?.id ?? 0, { campaignId: c?.id ?? 0 }));
      expect(b).toMatchObject({ hosts: [], timeline: [], campaignId: c?.id });
      expect(await store.incidents.get(c?.id ?? 0)).toEqual({ ...campaign, id: c?.id });
      expect(await store.incidents.get(999)).toBeNull();
    });

    it('updates an incident and its timeline but keeps state, assignee and notes', async () => {
      const { store } = await fresh();
      const [i] = await store.incidents.save([incident(0)]);
      const id = i?.id ?? 0;
      await store.incidents.setState(id, 'acknowledged', 'ana', 'on it', T0 + 10);
      await store.incidents.assign(id, 'bo', 'ana', T0 + 11);
      const [u] = await store.incidents.save([incident(id, { alerts: 3, severity: 'high', state: 'new', assignee: null, timeline: [entry(T0 + 7)], lastSeen: T0 + 7 })]);
      expect(u).toMatchObject({ alerts: 3, severity: 'high', state: 'acknowledged', assignee: 'bo', lastSeen: T0 + 7, notes: [{ at: T0 + 10, by: 'ana', text: 'on it' }] });
      expect(u?.timeline).toEqual([entry(T0 + 7)]);
      await expect(store.incidents.save([incident(4242)])).rejects.toThrow(/no incident #4242/);
    });

    it('keeps an audit trail of state changes and assignments, and notes in order', async () => {
      const { store } = await fresh();
      const [i] = await store.incidents.save([incident(0)]);
      const id = i?.id ?? 0;
      await store.incidents.setState(id, 'acknowledged', 'ana', undefined, T0 + 1);
      await store.incidents.assign(id, 'bo', 'ana', T0 + 2);
      await store.incidents.addNote(id, 'bo', '先隔离', T0 + 3);
      const last = await store.incidents.setState(id, 'resolved', 'bo', 'reimaged', T0 + 4);
      expect(last).toMatchObject({ state: 'resolved', assignee: 'bo', updatedAt: T0 + 4 });
      expect(last.notes).toEqual([{ at: T0 + 3, by: 'bo', text: '先隔离' }, { at: T0 + 4, by: 'bo', text: 'reimaged' }]);
      expect(await store.incidents.history(id)).toEqual([
        { at: T0 + 1, by: 'ana', field: 'state', from: 'new', to: 'acknowledged' },
        { at: T0 + 2, by: 'ana', field: 'assignee', from: null, to: 'bo' },
        { at: T0 + 4, by: 'bo', field: 'state', from: 'acknowledged', to: 'resolved' },
      ]);
      await expect(store.incidents.setState(777, 'resolved', 'x')).rejects.toThrow(/no incident #777/);
      await expect(store.incidents.addNote(777, 'x', 'y')).rejects.toThrow(/no incident #777/);
    });

    it('lists with filters: state, open, units, minimum severity, since, kind; newest first, paged', async () => {
      const { store } = await fresh();
      const saved = await store.incidents.save([
        incident(-1, { unit: 'a', severity: 'low', lastSeen: T0 + 1 }),
        incident(-2, { unit: 'b', severity: 'high', lastSeen: T0 + 2 }),
        incident(-3, { unit: 'c', severity: 'critical', lastSeen: T0 + 3, kind: 'campaign' }),
      ]);
      const [a, b, c] = saved.map((s) => s.id);
      await store.incidents.setState(a ?? 0, 'resolved', 'x');
      const ids = async (q: Parameters<Store['incidents']['list']>[0]): Promise<number[]> => (await store.incidents.list(q)).map((i) => i.id);
      expect(await ids({})).toEqual([c, b, a]);
      expect(await ids({ open: true })).toEqual([c, b]);
      expect(await ids({ state: 'resolved' })).toEqual([a]);
      expect(await ids({ state: ['new', 'resolved'], units: ['a', 'b'] })).toEqual([b, a]);
      expect(await ids({ minSeverity: 'high' })).toEqual([c, b]);
      expect(await ids({ since: T0 + 2 })).toEqual([c, b]);
      expect(await ids({ kind: 'campaign' })).toEqual([c]);
      expect(await ids({ limit: 1, offset: 1 })).toEqual([b]);
      expect(await ids({ units: [] })).toEqual([]);
      expect((await store.incidents.list({}))[0]).not.toHaveProperty('timeline');
      expect((await store.incidents.listOpen()).map((i) => i.id)).toEqual([b, c]);
    });

    it('keeps incidents, notes and history across a restart, and new ids do not collide', async () => {
      const { store, dir } = await fresh();
      const [i] = await store.incidents.save([incident(0)]);
      await store.incidents.addNote(i?.id ?? 0, 'ana', 'kept', T0);
      await store.close();
      open.pop();
      const { store: again } = await fresh(dir);
      expect(await again.incidents.get(i?.id ?? 0)).toEqual({ ...incident(i?.id ?? 0), notes: [{ at: T0, by: 'ana', text: 'kept' }], updatedAt: T0 });
      const [j] = await again.incidents.save([incident(0)]);
      expect(j?.id).not.toBe(i?.id);
    });
  });
}
