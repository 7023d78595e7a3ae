/**
 * Unit viewers trying to get out of their units: every attempt is refused (403 for what the role
 * may not do, 404 for what lies outside its units, as if it did not exist) or filtered. `north`
 * sees d-north (s-n1, s-n2); `east` sees s-e1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '../src/store/index.ts';
import { errorCode, NORTH_UNITS, startApi, type Api, type Client } from './support/api.ts';

interface UnitNode { id: string; parentId: string | null }
interface Page<T> { items: T[]; total: number | null }
interface Ev { client: string; unit: string | null }

let api: Api;
let admin: Client;
let north: Client;
let east: Client;

beforeAll(async () => {
  api = await startApi();
  admin = await api.client('admin');
  north = await api.client('north');
  east = await api.client('east');
}, 60_000);

afterAll(async () => {
  await api?.close();
});

async function hostId(address: string): Promise<number> {
  const r = await admin.get<Page<{ id: number; address: string }>>(`/api/hosts?search=${address}`);
  const h = r.body.items.find((x) => x.address === address);
  if (h === undefined) throw new Error(`no host ${address}`);
  return h.id;
}

const clientsOf = (i: IncidentSummary): string[] => i.hosts.map((h) => h.client).sort();

describe('a unit viewer of d-north', () => {
  it('lists only d-north\'s subtree as units, d-north as a root', async () => {
    const r = await north.get<UnitNode[]>('/api/units');
    expect(r.status).toBe(200);
    expect(r.body.map((u) => u.id).sort()).toEqual([...NORTH_UNITS].sort());
    expect(r.body.find((u) => u.id === 'd-north')?.parentId).toBeNull();
  });

  it('gets 404 for a unit outside its subtree and for its ancestors', async () => {
    for (const id of ['s-e1', 'd-east', 'city']) {
      const r = await north.get(`/api/units/${id}`);
      expect(r.status, id).toBe(404);
      expect(errorCode(r)).toBe('MW_ERR_NOT_FOUND');
    }
  });

  it('sees its own unit without the ancestors in the path', async () => {
    const r = await north.get<{ path: Array<{ id: string }>; incidents: IncidentSummary[] }>('/api/units/d-north');
    expect(r.status).toBe(200);
    expect(r.body.path.map((p) => p.id)).toEqual(['d-north']);
    for (const i of r.body.incidents) for (const h of i.hosts) expect(NORTH_UNITS).toContain(h.unit);
  });

  it('lists none of s-e1\'s host incidents', async () => {
    const r = await north.get<Page<IncidentSummary>>('/api/incidents?limit=500');
    expect(r.status).toBe(200);
    const ids = r.body.items.map((i) => i.id);
    expect(ids).toContain(api.ids.northHost);
    expect(ids).not.toContain(api.ids.eastHost);
    expect(ids).not.toContain(api.ids.members['10.3.1.7']);
    for (const i of r.body.items) for (const h of i.hosts) expect(h.unit?.startsWith('s-e')).toBe(false);
    expect(JSON.stringify(r.body)).not.toMatch(/10\.3\.1\./);
  });

  it('gets 404 for an s-e1 incident, also when asking by unit', async () => {
    expect((await north.get(`/api/incidents/${api.ids.eastHost}`)).status).toBe(404);
    expect((await north.get(`/api/incidents/${api.ids.members['10.3.1.7']}`)).status).toBe(404);
    expect((await north.get('/api/incidents?unit=s-e1')).status).toBe(404);
  });

  it('sees the campaign with only the d-north hosts, in the list and the detail (timeline too)', async () => {
    const list = await north.get<Page<IncidentSummary>>('/api/incidents?kind=campaign');
    const c = list.body.items.find((i) => i.id === api.ids.campaign);
    expect(c).toBeDefined();
    expect(clientsOf(c!)).toEqual(['10.1.1.7', '10.1.2.7']);
    const one = await north.get<{ incident: IncidentSummary & { timeline: Array<{ client: string }> } }>(`/api/incidents/${api.ids.campaign}`);
    expect(one.status).toBe(200);
    expect(clientsOf(one.body.incident)).toEqual(['10.1.1.7', '10.1.2.7']);
    expect(one.body.incident.timeline.map((t) => t.client).sort()).toEqual(['10.1.1.7', '10.1.2.7']);
    expect(JSON.stringify(one.body)).not.toMatch(/10\.3\.1\./);
    // The admin sees all three.
    const full = await admin.get<{ incident: IncidentSummary }>(`/api/incidents/${api.ids.campaign}`);
    expect(clientsOf(full.body.incident)).toEqual(['10.1.1.7', '10.1.2.7', '10.3.1.7']);
  });

  it('gets 404 for a host of s-e1 (found as admin) and 200 for its own', async () => {
    const theirs = await hostId('10.3.1.5');
    expect((await admin.get(`/api/hosts/${theirs}`)).status).toBe(200);
    const r = await north.get(`/api/hosts/${theirs}`);
    expect(r.status).toBe(404);
    expect(errorCode(r)).toBe('MW_ERR_NOT_FOUND');
    expect((await north.get(`/api/hosts/${await hostId('10.1.1.5')}`)).status).toBe(200);
    const hosts = await north.get<Page<{ address: string }>>('/api/hosts?search=10.3');
    expect(hosts.body.items).toEqual([]);
    expect((await north.get('/api/hosts?unit=s-e1')).status).toBe(404);
  });

  it('cannot search s-e1\'s DNS queries, and its query list holds no 10.3.* client', async () => {
    expect((await north.get('/api/queries?unit=s-e1')).status).toBe(404);
    const all = await north.get<{ items: Ev[] }>('/api/queries?limit=500');
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBe(api.seeded.queries['10.1.1.5']?.total);
    for (const e of all.body.items) expect(e.client).not.toMatch(/^10\.3\./);
    const byClient = await north.get<{ items: Ev[] }>('/api/queries?client=10.3.1.5');
    expect(byClient.body.items).toEqual([]);
    const byHost = await north.get<{ items: Ev[] }>(`/api/queries?host=${await hostId('10.3.1.5')}`);
    expect(byHost.body.items).toEqual([]);
  });

  it('cannot see the overview of s-e1, and its own totals count only d-north', async () => {
    expect((await north.get('/api/overview?unit=s-e1')).status).toBe(404);
    const r = await north.get<{ totals: Record<string, number>; topBlocked: Array<{ key: string }> }>('/api/overview');
    expect(r.status).toBe(200);
    const q = api.seeded.queries['10.1.1.5']!;
    // Open host incidents in d-north: 10.1.1.5, and the campaign members 10.1.1.7 and 10.1.2.7.
    expect(r.body.totals).toEqual({ queries: q.total, blocked: q.blocked, incidentsOpen: 3, infectedHosts: 3, affectedUnits: 2 });
    expect(r.body.topBlocked.map((t) => t.key)).not.toContain('xmr-eu1.nanopool.org');
    const all = await admin.get<{ totals: Record<string, number> }>('/api/overview');
    expect(all.body.totals.queries).toBe(6);
  });

  it('gets 404 for the effective policy of s-e1', async () => {
    expect((await north.get('/api/policies/effective/s-e1')).status).toBe(404);
    expect((await north.get('/api/policies/effective/s-n1')).status).toBe(200);
  });

  it('sees the policies on its path only', async () => {
    expect((await admin.put('/api/policies', { scope: 'unit:s-e1', document: { deny: ['east-only.example'] }, comment: 'east' })).status).toBe(200);
    expect((await admin.put('/api/policies', { scope: 'unit:s-n1', document: { deny: ['north-only.example'] }, comment: 'north' })).status).toBe(200);
    const r = await north.get<Array<{ scope: string }>>('/api/policies');
    expect(r.body.map((p) => p.scope)).toContain('unit:s-n1');
    expect(r.body.map((p) => p.scope)).not.toContain('unit:s-e1');
  });

  it('gets a daily report counting only d-north', async () => {
    const r = await north.get<{ dns: { today: { queries: number; blocked: number } }; infected: { today: { hosts: string[]; units: string[] } }; topBlocked: Array<{ key: string }> }>(`/api/reports/daily?date=${api.seeded.day}`);
    expect(r.status).toBe(200);
    const q = api.seeded.queries['10.1.1.5']!;
    expect(r.body.dns.today).toEqual({ queries: q.total, blocked: q.blocked });
    expect(r.body.infected.today.hosts).toEqual(['10.1.1.5', '10.1.1.7', '10.1.2.7']);
    expect(r.body.infected.today.units).toEqual(['s-n1', 's-n2']);
    expect(JSON.stringify(r.body)).not.toMatch(/10\.3\.1\.|s-e1|nanopool/);
    const m = await north.get(`/api/reports/monthly?month=${api.seeded.month}`);
    expect(m.status).toBe(200);
    expect(JSON.stringify(m.body)).not.toMatch(/10\.3\.1\.|s-e1|nanopool/);
  });

  it('may not act on an incident, even one in its units', async () => {
    for (const [id, move] of [[api.ids.northHost, 'ack'], [api.ids.eastHost, 'ack'], [api.ids.campaign, 'contain'], [api.ids.northHost, 'note']] as const) {
      const r = await north.post(`/api/incidents/${id}/${move}`, move === 'note' ? { text: 'x' } : {});
      expect(r.status, `${move} #${id}`).toBe(403);
      expect(errorCode(r)).toBe('MW_ERR_FORBIDDEN');
    }
    const still = await admin.get<{ incident: { state: string } }>(`/api/incidents/${api.ids.northHost}`);
    expect(still.body.incident.state).toBe('new');
  });

  it('may not read users, the audit log or intelligence, nor change policies', async () => {
    for (const path of ['/api/users', '/api/audit', '/api/intel/stats', '/api/intel/feeds', '/api/intel/indicators', '/api/intel/lookup?value=x.example', '/api/intel/review', '/api/intel/allow', '/api/policies/history?scope=global', '/api/policy-groups', '/api/gateways', '/api/sensors', '/api/system']) {
      const r = await north.get(path);
      expect(r.status, path).toBe(403);
    }
    expect((await north.put('/api/policies', { scope: 'unit:s-n1', document: { deny: ['x.example'] } })).status).toBe(403);
    expect((await north.put('/api/policies', { scope: 'global', document: {} })).status).toBe(403);
    expect((await north.post('/api/policies/rollback', { scope: 'global', version: 1 })).status).toBe(403);
    expect((await north.post('/api/intel/allow', { value: 'pool.supportxmr.com' })).status).toBe(403);
    expect((await north.post('/api/users', { username: 'sneaky', password: 'long-enough-password', role: 'admin' })).status).toBe(403);
    expect((await north.patch(`/api/users/${api.users.north}`, { role: 'admin' })).status).toBe(403);
    expect((await north.patch(`/api/users/${api.users.north}`, { units: ['city'] })).status).toBe(403);
    expect((await north.put('/api/roles/unit-viewer', { totpRequired: false })).status).toBe(403);
  });

  it('gets 404 or 400, never data, for unit ids with path tricks', async () => {
    const tricks = ['..%2Fs-e1', 's-e1%00', '%2e%2e%2fs-e1', 's-e1%2F', 'd-north%2F..%2F..%2Fs-e1', 's-e1%20', 'S-E1', '*', '%25'];
    for (const t of tricks) {
      for (const path of [`/api/units/${t}`, `/api/policies/effective/${t}`, `/api/queries?unit=${t}`, `/api/overview?unit=${t}`, `/api/incidents?unit=${t}`, `/api/hosts?unit=${t}`]) {
        const r = await north.get(path);
        expect([400, 404], `${path} → ${r.status}`).toContain(r.status);
        expect(JSON.stringify(r.body)).not.toMatch(/10\.3\.1\./);
      }
    }
    // Dot segments in the path itself are not a way out either.
    const dots = await north.get('/api/units/d-north/../s-e1');
    expect([400, 404]).toContain(dots.status);
    expect(JSON.stringify(dots.body)).not.toMatch(/10\.3\.1\./);
  });
});

describe('a unit viewer of s-e1', () => {
  it('sees s-e1 and nothing of d-north', async () => {
    const units = await east.get<UnitNode[]>('/api/units');
    expect(units.body.map((u) => u.id)).toEqual(['s-e1']);
    for (const id of NORTH_UNITS) expect((await east.get(`/api/units/${id}`)).status).toBe(404);
    const inc = await east.get<Page<IncidentSummary>>('/api/incidents?limit=500');
    const ids = inc.body.items.map((i) => i.id);
    expect(ids).toContain(api.ids.eastHost);
    expect(ids).not.toContain(api.ids.northHost);
    const campaign = inc.body.items.find((i) => i.id === api.ids.campaign);
    expect(campaign === undefined ? [] : clientsOf(campaign)).toEqual(['10.3.1.7']);
    expect(JSON.stringify(inc.body)).not.toMatch(/10\.1\.[12]\./);
    expect((await east.get(`/api/incidents/${api.ids.northHost}`)).status).toBe(404);
    expect((await east.get(`/api/hosts/${await hostId('10.1.1.5')}`)).status).toBe(404);
    const q = await east.get<{ items: Ev[] }>('/api/queries?limit=500');
    expect(q.body.items.length).toBe(api.seeded.queries['10.3.1.5']?.total);
    for (const e of q.body.items) expect(e.client).toMatch(/^10\.3\.1\./);
    const ov = await east.get<{ totals: Record<string, number> }>('/api/overview');
    expect(ov.body.totals).toMatchObject({ queries: 3, blocked: 2, incidentsOpen: 2, infectedHosts: 2, affectedUnits: 1 });
    expect((await east.get('/api/policies/effective/s-n1')).status).toBe(404);
    const rep = await east.get(`/api/reports/daily?date=${api.seeded.day}`);
    expect(JSON.stringify(rep.body)).not.toMatch(/10\.1\.[12]\.|s-n1|s-n2|d-north/);
  });
});

/** Reads an SSE stream into parsed events until `done` says so or the time runs out. */
async function readEvents(res: Response, done: (events: Array<{ event: string; data: unknown }>) => boolean, ms: number): Promise<Array<{ event: string; data: unknown }>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: unknown }> = [];
  let buf = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !done(events)) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
    if (next === null || next.done) break;
    buf += decoder.decode(next.value as Uint8Array, { stream: true });
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

describe('live updates (SSE) for a unit viewer', () => {
  it('deliver only its units\' blocks and the incidents it may see, with only its hosts', async () => {
    const ctl = new AbortController();
    const res = await north.fetch('/api/live', { signal: ctl.signal, headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The subscription is made before the headers are sent; publish right away.
    const now = Date.now();
    api.app.live.block({ ts: now, client: '10.3.1.5', unit: 's-e1', name: 'east-secret.example', category: 'mining-pool', reason: 'indicator' });
    api.app.live.block({ ts: now, client: '10.1.1.5', unit: 's-n1', name: 'north-visible.example', category: 'mining-pool', reason: 'indicator' });
    api.app.live.block({ ts: now, client: '8.8.8.8', unit: null, name: 'nobody.example', category: null, reason: null });
    // Incident changes through the API, by the admin: one in s-e1, one in s-n1, and the campaign.
    expect((await admin.post(`/api/incidents/${api.ids.eastHost}/note`, { text: 'east note' })).status).toBe(200);
    expect((await admin.post(`/api/incidents/${api.ids.campaign}/assign`, { assignee: 'analyst' })).status).toBe(200);
    expect((await admin.post(`/api/incidents/${api.ids.northHost}/assign`, { assignee: 'analyst' })).status).toBe(200);
    const events = await readEvents(res, (ev) => ev.filter((e) => e.event === 'incident').length >= 2 && ev.some((e) => e.event === 'block'), 5000);
    // Whatever else might still come, give it a moment and read once more.
    ctl.abort();
    const blocks = events.filter((e) => e.event === 'block').map((e) => (e.data as { name: string }).name);
    expect(blocks).toEqual(['north-visible.example']);
    const incidents = events.filter((e) => e.event === 'incident').map((e) => e.data as IncidentSummary);
    expect(incidents.map((i) => i.id).sort()).toEqual([api.ids.northHost, api.ids.campaign].sort());
    expect(clientsOf(incidents.find((i) => i.id === api.ids.campaign)!)).toEqual(['10.1.1.7', '10.1.2.7']);
    expect(JSON.stringify(events)).not.toMatch(/10\.3\.1\.|east-secret|nobody\.example/);
  });

  it('is refused without a login', async () => {
    const r = await api.anon.fetch('/api/live');
    expect(r.status).toBe(401);
    await r.body?.cancel();
  });
});
