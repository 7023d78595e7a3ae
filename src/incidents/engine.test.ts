import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../model/detect.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { IncidentEngine, canTransition } from './engine.ts';

const T0 = Date.UTC(2024, 4, 1);

function alert(extra: Partial<Alert> = {}): Alert {
  return {
    detector: 'intel-match', ts: T0, client: '10.0.0.5', site: '', unit: 'u1', severity: 'high', confidence: 70, stage: 'command-and-control',
    threat: 'c2:203.0.113.7', title: 'Beacon to 203.0.113.7', indicator: '203.0.113.7', controller: '203.0.113.7', evidence: { port: 443 }, ...extra,
  };
}

describe('the incident engine', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });
  const engine = async (allowed: string[] = []): Promise<{ e: IncidentEngine; store: Store }> => {
    const store = await openMemoryStore();
    stores.push(store);
    const e = new IncidentEngine({ store: store.incidents, now: () => T0 + 1000, allow: (v) => Promise.resolve(void allowed.push(v)), batchSize: 2 });
    return { e, store };
  };

  it('folds alerts across batches and makes a campaign at the third host', async () => {
    const { e, store } = await engine();
    const r = await e.ingest([alert(), alert({ ts: T0 + 1 }), alert({ client: '10.0.0.6' }), alert({ client: '10.0.0.7', ts: T0 + 2 })]);
    expect(r).toMatchObject({ alerts: 4, created: 4 });
    expect(r.campaigns).toHaveLength(1);
    const all = await store.incidents.list({});
    const campaign = all.find((i) => i.kind === 'campaign');
    expect(campaign).toMatchObject({ title: 'Botnet: 3 hosts → 203.0.113.7', unit: 'u1', alerts: 4 });
    expect(all.filter((i) => i.kind === 'host').map((i) => i.campaignId)).toEqual([campaign?.id, campaign?.id, campaign?.id]);
    expect(all.find((i) => i.hosts[0]?.client === '10.0.0.5' && i.kind === 'host')?.alerts).toBe(2);
  });

  it('takes a campaign\'s open host incidents along when it is contained or resolved', async () => {
    const { e, store } = await engine();
    await e.ingest([alert(), alert({ client: '10.0.0.6' }), alert({ client: '10.0.0.7' })]);
    const all = await store.incidents.list({});
    const campaign = all.find((i) => i.kind === 'campaign')!;
    const first = all.find((i) => i.kind === 'host')!;
    await e.transition(first.id, 'resolved', 'ana'); // one host already dealt with on its own
    await e.transition(campaign.id, 'contained', 'ana');
    const after = await store.incidents.list({});
    expect(after.filter((i) => i.kind === 'host').map((i) => [i.id, i.state]).sort()).toEqual(
      all.filter((i) => i.kind === 'host').map((i) => [i.id, i.id === first.id ? 'resolved' : 'contained']).sort(),
    );
    const member = after.find((i) => i.kind === 'host' && i.id !== first.id)!;
    expect((await store.incidents.history(member.id)).at(-1)).toMatchObject({ by: 'ana', from: 'new', to: 'contained' });
  });

  it('moves forward through the workflow and records who did it', async () => {
    const { e } = await engine();
    await e.ingest([alert()]);
    await e.transition(1, 'acknowledged', 'ana');
    await e.transition(1, 'contained', 'ana', 'port shut');
    const done = await e.transition(1, 'resolved', 'bo');
    expect(done.state).toBe('resolved');
    expect((await e.history(1)).map((h) => `${h.by}:${h.from}→${h.to}`)).toEqual(['ana:new→acknowledged', 'ana:acknowledged→contained', 'bo:contained→resolved']);
    expect(done.notes.map((n) => n.text)).toEqual(['port shut']);
  });

  it('refuses backward moves, moves out of a closed state, and unknown ids, with clear errors', async () => {
    const { e } = await engine();
    await e.ingest([alert()]);
    await e.transition(1, 'contained', 'ana');
    await expect(e.transition(1, 'acknowledged', 'ana')).rejects.toThrow('incident #1 is contained: it cannot become acknowledged (it can go to resolved, false-positive)');
    await expect(e.transition(1, 'contained', 'ana')).rejects.toThrow(/cannot become contained/);
    await e.transition(1, 'resolved', 'ana');
    await expect(e.transition(1, 'false-positive', 'ana')).rejects.toThrow('incident #1 is resolved: it cannot become false-positive (it is closed; reopen it first (minewarden incidents reopen 1))');
    await expect(e.transition(9, 'resolved', 'ana')).rejects.toThrow('no incident #9');
    expect(canTransition('new', 'false-positive')).toBe(true);
    expect(canTransition('false-positive', 'new')).toBe(false);
  });

  it('opens a new incident for an alert after resolution, and reopens only when nothing else is open for it', async () => {
    const { e, store } = await engine();
    await e.ingest([alert()]);
    await e.transition(1, 'resolved', 'ana');
    await e.ingest([alert({ ts: T0 + 5000 })]);
    expect((await store.incidents.list({ open: true })).map((i) => i.id)).toEqual([2]);
    await expect(e.reopen(1, 'ana')).rejects.toThrow('incident #2 is open for the same host and threat; it gets the new alerts');
    await expect(e.reopen(2, 'ana')).rejects.toThrow('incident #2 is new, not closed');
    await e.transition(2, 'false-positive', 'ana');
    expect((await e.reopen(1, 'ana', 'came back')).state).toBe('acknowledged');
    await e.ingest([alert({ ts: T0 + 9000 })]);
    expect((await e.get(1)).alerts).toBe(2);
  });

  it('marks a false positive and allowlists its indicator when asked, and only then', async () => {
    const allowed: string[] = [];
    const { e } = await engine(allowed);
    await e.ingest([alert(), alert({ threat: 'mining:x', controller: null, indicator: null })]);
    const fp = await e.falsePositive(1, 'ana', { allowlist: true, note: 'our CDN' });
    expect(fp).toMatchObject({ state: 'false-positive', notes: [{ by: 'ana', text: 'our CDN' }] });
    expect(allowed).toEqual(['203.0.113.7']);
    await expect(e.falsePositive(2, 'ana', { allowlist: true })).rejects.toThrow('incident #2 names no indicator to allowlist');
    expect((await e.get(2)).state).toBe('new');
    await e.falsePositive(2, 'ana', { allowlist: false });
    expect(allowed).toEqual(['203.0.113.7']);
    await expect(e.falsePositive(2, 'ana', { allowlist: true })).rejects.toThrow(/is false-positive: it cannot become false-positive/);
  });

  it('assigns and notes', async () => {
    const { e } = await engine();
    await e.ingest([alert()]);
    expect((await e.assign(1, 'bo', 'ana')).assignee).toBe('bo');
    expect((await e.note(1, 'bo', 'looking')).notes).toEqual([{ at: T0 + 1000, by: 'bo', text: 'looking' }]);
    await expect(e.note(1, 'bo', '  ')).rejects.toThrow('a note needs some text');
  });
});
