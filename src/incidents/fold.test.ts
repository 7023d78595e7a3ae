import { describe, expect, it } from 'vitest';
import type { Alert, Incident } from '../model/detect.ts';
import { FOLD_DEFAULTS, capTimeline, combineConfidence, commonUnit, foldAlerts, type FoldOptions } from './fold.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1);
/** Units: city › district-n › school-n7 / school-n8; city › district-e › school-e1. */
const TREE: Record<string, string[]> = {
  city: ['city'], 'd-n': ['city', 'd-n'], 's-n7': ['city', 'd-n', 's-n7'], 's-n8': ['city', 'd-n', 's-n8'], 's-e1': ['city', 'd-e', 's-e1'],
};
const OPTS: FoldOptions = { ...FOLD_DEFAULTS, lineage: (u) => TREE[u] ?? [u] };

function alert(extra: Partial<Alert> = {}): Alert {
  return {
    detector: 'stratum', ts: T0, client: '10.3.7.20', site: '', unit: 's-n7', severity: 'medium', confidence: 50, stage: 'mining',
    threat: 'mining:monero', title: 'Stratum mining to pool.example', indicator: 'pool.example', controller: null,
    evidence: { wallet: '4A…', worker: 'rig1' }, ...extra,
  };
}

/** Folds and then "stores" (gives new incidents real ids), as the engine does. */
function run(alerts: Alert[], open: Incident[] = [], opts = OPTS): Incident[] {
  const { open: after } = foldAlerts(open, alerts, opts);
  let next = Math.max(0, ...open.map((i) => i.id)) + 1;
  const ids = new Map<number, number>();
  for (const i of after) if (i.id <= 0) ids.set(i.id, next++);
  return after.map((i) => ({ ...i, id: ids.get(i.id) ?? i.id, campaignId: i.campaignId === null ? null : (ids.get(i.campaignId) ?? i.campaignId) }));
}

describe('folding alerts into incidents', () => {
  it('folds alerts of the same host and threat into one incident: count, last seen, max severity, furthest stage', () => {
    const [inc, ...rest] = run([
      alert({ stage: 'command-and-control', severity: 'high' }),
      alert({ ts: T0 + H, stage: 'mining', severity: 'low', detector: 'intel-match' }),
      alert({ ts: T0 + 2 * H, stage: 'delivery', severity: 'medium' }),
    ]);
    expect(rest).toEqual([]);
    expect(inc).toMatchObject({ kind: 'host', alerts: 3, firstSeen: T0, lastSeen: T0 + 2 * H, severity: 'high', stage: 'mining', state: 'new', unit: 's-n7' });
    expect(inc?.hosts).toEqual([{ client: '10.3.7.20', site: '', unit: 's-n7', firstSeen: T0, lastSeen: T0 + 2 * H }]);
    expect(inc?.timeline.map((e) => e.detector)).toEqual(['stratum', 'intel-match', 'stratum']);
  });

  it('combines confidence as independent evidence: 1 − Π(1 − c)', () => {
    expect(combineConfidence(50, 50)).toBe(75);
    expect(combineConfidence(60, 50, 20)).toBe(84);
    const [inc] = run([alert({ confidence: 60 }), alert({ ts: T0 + 1, confidence: 50 })]);
    expect(inc?.confidence).toBe(80);
  });

  it('opens a new incident for another threat, another host, or the same address at another site', () => {
    const all = run([alert(), alert({ threat: 'c2:203.0.113.7', stage: 'command-and-control' }), alert({ client: '10.3.7.21' }), alert({ site: 'east-2' })]);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((i) => i.id)).size).toBe(4);
  });

  it('does not reopen a resolved or false-positive incident: a new alert opens a new one', () => {
    const [first] = run([alert()]);
    for (const state of ['resolved', 'false-positive'] as const) {
      const closed = { ...(first as Incident), state };
      const after = run([alert({ ts: T0 + H })], [closed]);
      expect(after).toHaveLength(2);
      expect(after.find((i) => i.id === closed.id)).toEqual(closed);
      expect(after.find((i) => i.id !== closed.id)).toMatchObject({ state: 'new', alerts: 1, firstSeen: T0 + H });
    }
  });

  it('caps the timeline, keeping the first entries and the latest', () => {
    const alerts = Array.from({ length: 50 }, (_, k) => alert({ ts: T0 + k, title: `a${k}` }));
    const [inc] = run(alerts, [], { ...OPTS, timelineCap: 20 });
    expect(inc?.alerts).toBe(50);
    expect(inc?.timeline.map((e) => e.title)).toEqual(['a0', 'a1', ...Array.from({ length: 18 }, (_, k) => `a${32 + k}`)]);
    expect(capTimeline([], 5)).toEqual([]);
  });

  it('puts a late alert in time order on the timeline', () => {
    const [inc] = run([alert({ ts: T0 + 2, title: 'b' }), alert({ ts: T0 + 3, title: 'c' })]);
    const [again] = run([alert({ ts: T0 + 1, title: 'a' })], [inc as Incident]);
    expect(again?.timeline.map((e) => e.title)).toEqual(['a', 'b', 'c']);
    expect(again?.firstSeen).toBe(T0 + 1);
  });

  it('makes a campaign at the third host reaching one controller, with the common unit, and links every member', () => {
    const c2 = (client: string, unit: string, ts: number): Alert =>
      alert({ client, unit, ts, threat: 'c2:203.0.113.7', controller: '203.0.113.7', indicator: '203.0.113.7', stage: 'command-and-control', severity: 'high', confidence: 40 });
    const two = run([c2('10.3.7.20', 's-n7', T0), c2('10.3.8.20', 's-n8', T0 + H)]);
    expect(two.filter((i) => i.kind === 'campaign')).toEqual([]);
    const three = run([c2('10.3.8.21', 's-n8', T0 + 2 * H)], two);
    const campaign = three.find((i) => i.kind === 'campaign');
    expect(campaign).toMatchObject({ title: 'Botnet: 3 hosts → 203.0.113.7', unit: 'd-n', controller: '203.0.113.7', alerts: 3, severity: 'high', state: 'new' });
    expect(campaign?.hosts.map((h) => h.client).sort()).toEqual(['10.3.7.20', '10.3.8.20', '10.3.8.21']);
    expect(three.filter((i) => i.kind === 'host').every((i) => i.campaignId === campaign?.id)).toBe(true);
    // A fourth host joins it (and the units now meet only at the root).
    const four = run([c2('10.5.1.9', 's-e1', T0 + 3 * H)], three);
    const grown = four.find((i) => i.kind === 'campaign');
    expect(four.filter((i) => i.kind === 'campaign')).toHaveLength(1);
    expect(grown).toMatchObject({ id: campaign?.id, title: 'Botnet: 4 hosts → 203.0.113.7', unit: 'city', alerts: 4 });
    expect(four.find((i) => i.hosts[0]?.client === '10.5.1.9' && i.kind === 'host')?.campaignId).toBe(campaign?.id);
  });

  it('counts only hosts seen within the window towards a campaign', () => {
    const c2 = (client: string, ts: number): Alert => alert({ client, ts, threat: 'c2:x', controller: 'x.example' });
    const all = run([c2('10.0.0.1', T0), c2('10.0.0.2', T0 + 30 * H), c2('10.0.0.3', T0 + 31 * H)]);
    expect(all.filter((i) => i.kind === 'campaign')).toEqual([]);
    const now = run([c2('10.0.0.4', T0 + 32 * H)], all);
    expect(now.find((i) => i.kind === 'campaign')?.hosts).toHaveLength(3);
  });

  it('finds the nearest common unit, or null when a host has none', () => {
    expect(commonUnit(['s-n7', 's-n8'], OPTS.lineage)).toBe('d-n');
    expect(commonUnit(['s-n7', 's-n7'], OPTS.lineage)).toBe('s-n7');
    expect(commonUnit(['s-n7', null], OPTS.lineage)).toBeNull();
    expect(commonUnit(['s-n7', 'elsewhere'], OPTS.lineage)).toBeNull();
  });
});
