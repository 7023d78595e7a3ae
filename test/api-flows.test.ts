/**
 * The console's work through the API, end to end: the incident workflow and its audit trail,
 * policy versions and rollback, groups, intelligence, reports (JSON and PDF), system pages, and
 * user administration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '../src/store/index.ts';
import { Client, errorCode, errorMessage, FEED, PASSWORD, startApi, type Api } from './support/api.ts';

interface Incident extends IncidentSummary {
  notes: Array<{ by: string; text: string }>;
}
interface Change { by: string; field: string; from: string | null; to: string | null }
interface AuditEntry { actor: string; action: string; target: string; before: unknown; after: unknown; ip: string | null }
interface PolicyVersion { scope: string; version: number; document: { deny: string[] }; author: string; comment: string; rolledBackFrom: number | null }

let api: Api;
let admin: Client;
let analyst: Client;

beforeAll(async () => {
  api = await startApi();
  admin = await api.client('admin');
  analyst = await api.client('analyst');
}, 60_000);

afterAll(async () => {
  await api?.close();
});

async function audit(q: string): Promise<AuditEntry[]> {
  const r = await admin.get<{ items: AuditEntry[] }>(`/api/audit?${q}`);
  expect(r.status).toBe(200);
  return r.body.items;
}

describe('the incident workflow', () => {
  it('goes ack → contain → resolve, reopens, takes notes and an assignee, each in the history and the audit log', async () => {
    const id = api.ids.northHost;
    for (const [move, state] of [['ack', 'acknowledged'], ['contain', 'contained'], ['resolve', 'resolved'], ['reopen', 'acknowledged']] as const) {
      const r = await analyst.post<Incident>(`/api/incidents/${id}/${move}`, { note: `${move} done` });
      expect(r.status, move).toBe(200);
      expect(r.body.state).toBe(state);
    }
    // No way back, and nothing but reopen once closed.
    const backwards = await analyst.post(`/api/incidents/${id}/ack`, {});
    expect(backwards.status).toBe(409);
    expect(errorCode(backwards)).toBe('MW_ERR_CONFLICT');
    const resolveAgain = await analyst.post(`/api/incidents/${id}/resolve`, {});
    expect(resolveAgain.status).toBe(200);
    const closedMove = await analyst.post(`/api/incidents/${id}/contain`, {});
    expect(closedMove.status).toBe(409);
    expect((await analyst.post(`/api/incidents/${id}/reopen`, {})).status).toBe(200);

    const noted = await analyst.post<Incident>(`/api/incidents/${id}/note`, { text: 'called the school' });
    expect(noted.status).toBe(200);
    expect(noted.body.notes.at(-1)).toMatchObject({ by: 'analyst', text: 'called the school' });
    const assigned = await analyst.post<Incident>(`/api/incidents/${id}/assign`, { assignee: 'admin' });
    expect(assigned.body.assignee).toBe('admin');
    expect((await analyst.post<Incident>(`/api/incidents/${id}/assign`, { assignee: null })).body.assignee).toBeNull();

    const one = await admin.get<{ incident: Incident; history: Change[] }>(`/api/incidents/${id}`);
    expect(one.body.history.filter((h) => h.field === 'state').slice(0, 4).map((h) => `${h.by}:${h.from}→${h.to}`)).toEqual([
      'analyst:new→acknowledged', 'analyst:acknowledged→contained', 'analyst:contained→resolved', 'analyst:resolved→acknowledged',
    ]);
    expect(one.body.history.filter((h) => h.field === 'assignee').map((h) => h.to)).toEqual(['admin', null]);
    expect(one.body.incident.notes.map((n) => n.text)).toEqual(expect.arrayContaining(['ack done', 'contain done', 'called the school']));

    const trail = await audit(`target=incident:${id}&limit=100`);
    const actions = trail.map((e) => e.action);
    for (const a of ['incident.ack', 'incident.contain', 'incident.resolve', 'incident.reopen', 'incident.note', 'incident.assign']) expect(actions).toContain(a);
    for (const e of trail) expect(e.actor).toBe('analyst');
    const contain = trail.find((e) => e.action === 'incident.contain');
    expect(contain).toMatchObject({ before: 'acknowledged', after: 'contained', ip: '127.0.0.1' });
    expect(trail.find((e) => e.action === 'incident.assign' && e.after === 'admin')).toMatchObject({ before: null });
  });

  it('closes as a false positive with the allowlist, and the indicator is then on GET /api/intel/allow', async () => {
    const id = api.ids.eastHost;
    const r = await analyst.post<Incident>(`/api/incidents/${id}/false-positive`, { allowlist: true, note: 'a lab test' });
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('false-positive');
    const allow = await analyst.get<Array<{ type: string; value: string }>>('/api/intel/allow');
    expect(allow.body).toContainEqual(expect.objectContaining({ type: 'domain', value: 'xmr-eu1.nanopool.org' }));
    const lookup = await analyst.get<{ allowed?: unknown; verdict: string }>('/api/intel/lookup?value=xmr-eu1.nanopool.org');
    expect(lookup.status).toBe(200);
    expect(JSON.stringify(lookup.body)).toMatch(/allow/i);
    const [entry] = await audit(`target=incident:${id}&action=incident.false-positive`);
    expect(entry).toMatchObject({ actor: 'analyst', before: 'new', after: { state: 'false-positive', allowlisted: 'xmr-eu1.nanopool.org' } });
  });

  it('contains a campaign with its open host incidents', async () => {
    const r = await analyst.post<Incident>(`/api/incidents/${api.ids.campaign}/contain`, {});
    expect(r.status).toBe(200);
    for (const member of Object.values(api.ids.members)) {
      expect((await admin.get<{ incident: Incident }>(`/api/incidents/${member}`)).body.incident.state).toBe('contained');
    }
  });
});

describe('policies', () => {
  it('versions the global policy, lists its history newest first, and rolls back as a new version', async () => {
    const v1 = await analyst.put<PolicyVersion>('/api/policies', { scope: 'global', document: { deny: ['bad-one.example'] }, comment: 'first' });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ scope: 'global', version: 1, author: 'analyst', rolledBackFrom: null });
    const current = await admin.get<PolicyVersion[]>('/api/policies');
    expect(current.body.find((p) => p.scope === 'global')).toMatchObject({ version: 1, document: { deny: ['bad-one.example'] } });
    const v2 = await analyst.put<PolicyVersion>('/api/policies', { scope: 'global', document: { deny: ['bad-one.example', 'bad-two.example'] }, comment: 'second' });
    expect(v2.body.version).toBe(2);
    expect((await admin.get<PolicyVersion[]>('/api/policies')).body.find((p) => p.scope === 'global')?.version).toBe(2);
    const history = await analyst.get<PolicyVersion[]>('/api/policies/history?scope=global');
    expect(history.body.map((v) => v.version)).toEqual([2, 1]);
    const back = await analyst.post<PolicyVersion>('/api/policies/rollback', { scope: 'global', version: 1, comment: 'too much' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ version: 3, rolledBackFrom: 1, document: { deny: ['bad-one.example'] } });
    expect((await admin.get<PolicyVersion[]>('/api/policies')).body.find((p) => p.scope === 'global')?.version).toBe(3);
    const trail = await audit('target=global&limit=10');
    expect(trail.length).toBeGreaterThanOrEqual(3);
    expect(trail[0]).toMatchObject({ actor: 'analyst' });
    expect(JSON.stringify(trail)).toMatch(/bad-two\.example/);
  });

  it('refuses a bad document (category action "explode") and a bad scope with 400', async () => {
    const bad = await analyst.put('/api/policies', { scope: 'global', document: { categories: { 'mining-pool': 'explode' } } });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('MW_ERR_BAD_INPUT');
    expect((await analyst.put('/api/policies', { scope: 'everywhere', document: {} })).status).toBe(400);
    expect((await analyst.post('/api/policies/rollback', { scope: 'global', version: 99 })).status).toBeGreaterThanOrEqual(400);
    expect((await admin.get<PolicyVersion[]>('/api/policies')).body.find((p) => p.scope === 'global')?.version).toBe(3);
  });

  it('makes, lists and deletes a policy group, and shows a unit\'s effective policy', async () => {
    const put = await analyst.put<{ name: string; units: string[] }>('/api/policy-groups/schools', { description: 'all schools', units: ['s-n1', 's-e1'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'schools', units: ['s-n1', 's-e1'] });
    expect((await analyst.get<Array<{ name: string }>>('/api/policy-groups')).body.map((g) => g.name)).toContain('schools');
    expect((await analyst.put('/api/policies', { scope: 'group:schools', document: { deny: ['group-deny.example'] } })).status).toBe(200);
    expect((await analyst.put('/api/policies', { scope: 'unit:s-n1', document: { deny: ['unit-deny.example'] } })).status).toBe(200);
    const eff = await analyst.get('/api/policies/effective/s-n1');
    expect(eff.status).toBe(200);
    const text = JSON.stringify(eff.body);
    for (const name of ['unit-deny.example', 'group-deny.example', 'bad-one.example']) expect(text).toContain(name);
    expect(JSON.stringify((await analyst.get('/api/policies/effective/s-n2')).body)).not.toContain('unit-deny.example');
    expect((await analyst.put('/api/policy-groups/bad%20name', { units: [] })).status).toBe(400);
    expect((await analyst.del('/api/policy-groups/schools')).status).toBe(200);
    expect((await analyst.get<Array<{ name: string }>>('/api/policy-groups')).body.map((g) => g.name)).not.toContain('schools');
    expect((await analyst.del('/api/policy-groups/schools')).status).toBe(404);
    const gw = await analyst.get<{ revision: number; gateways: unknown[] }>('/api/gateways');
    expect(gw.status).toBe(200);
    expect(gw.body.revision).toBeGreaterThan(0);
  });
});

describe('intelligence', () => {
  it('shows stats, the configured feed, a seeded mining pool in the search, and a lookup', async () => {
    const stats = await analyst.get<{ total: number }>('/api/intel/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.total).toBeGreaterThan(10);
    const feeds = await analyst.get<Array<{ name: string; indicators: number; refreshSeconds: number; status: { entries: number; lastSuccess: number } | null }>>('/api/intel/feeds');
    const feed = feeds.body.find((f) => f.name === FEED);
    expect(feed?.status?.entries).toBeGreaterThan(0);
    expect(feed?.indicators).toBe(feed?.status?.entries);
    // Times in milliseconds, like every time the API gives.
    expect(Math.abs((feed?.status?.lastSuccess ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
    // The built-in mining-pool list is a source too, without a schedule.
    const seed = feeds.body.find((f) => f.name === 'minewarden-seed');
    expect(seed?.indicators).toBeGreaterThan(10);
    expect(seed?.refreshSeconds).toBe(0);
    const refreshed = await analyst.post<{ name: string }>(`/api/intel/feeds/${FEED}/refresh`);
    expect(refreshed.status).toBe(200);
    expect((await analyst.post('/api/intel/feeds/unknown-feed/refresh')).status).toBe(404);
    const search = await analyst.get<{ items: Array<{ value: string; category: string; status: string }> }>('/api/intel/indicators?q=supportxmr');
    expect(search.status).toBe(200);
    expect(search.body.items.length).toBeGreaterThan(0);
    expect(search.body.items.every((i) => i.value.includes('supportxmr'))).toBe(true);
    expect(search.body.items[0]).toMatchObject({ category: 'mining-pool', status: 'active' });
    expect((await analyst.get('/api/intel/indicators?type=nonsense')).status).toBe(400);
    const look = await analyst.get<{ query: string; verdict: string }>('/api/intel/lookup?value=pool.supportxmr.com');
    expect(look.status).toBe(200);
    expect(look.body.verdict).not.toMatch(/clean|none/);
  });

  it('lists held indicators for review, releases one, and adds and removes an allowlist entry', async () => {
    const review = await analyst.get<{ items: Array<{ value: string; status: string }> }>('/api/intel/review');
    expect(review.body.items.map((i) => i.value)).toEqual(expect.arrayContaining(['google.com', 'youtube.com']));
    const rel = await analyst.post<{ released: number }>('/api/intel/review/release', { type: 'domain', value: 'google.com' });
    expect(rel.status).toBe(200);
    expect(rel.body.released).toBeGreaterThan(0);
    expect((await analyst.get<{ items: Array<{ value: string }> }>('/api/intel/review')).body.items.map((i) => i.value)).not.toContain('google.com');
    expect((await analyst.post('/api/intel/review/release', { type: 'domain', value: 'google.com' })).status).toBe(404);

    const add = await analyst.post<{ type: string; value: string; comment: string }>('/api/intel/allow', { value: 'Safe.Example.', comment: 'ours' });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ type: 'domain', value: 'safe.example', comment: 'ours' });
    expect((await analyst.get<Array<{ value: string }>>('/api/intel/allow')).body.map((e) => e.value)).toContain('safe.example');
    expect((await analyst.del('/api/intel/allow', { type: 'domain', value: 'safe.example' })).status).toBe(200);
    expect((await analyst.get<Array<{ value: string }>>('/api/intel/allow')).body.map((e) => e.value)).not.toContain('safe.example');
    expect((await analyst.del('/api/intel/allow', { type: 'domain', value: 'safe.example' })).status).toBe(404);
    const trail = await audit('target=domain:safe.example');
    expect(trail.map((e) => e.action).sort()).toEqual(['allowlist.add', 'allowlist.remove']);
  });
});

describe('reports and system', () => {
  it('makes the daily and monthly reports as JSON and as PDF', async () => {
    const daily = await admin.get<{ kind: string; date: string; dns: { today: { queries: number } } }>(`/api/reports/daily?date=${api.seeded.day}`);
    expect(daily.status).toBe(200);
    expect(daily.body).toMatchObject({ kind: 'daily', date: api.seeded.day, dns: { today: { queries: 6 } } });
    const monthly = await admin.get<{ kind: string; month: string }>(`/api/reports/monthly?month=${api.seeded.month}`);
    expect(monthly.status).toBe(200);
    expect(monthly.body).toMatchObject({ kind: 'monthly', month: api.seeded.month });
    for (const path of [`/api/reports/daily?date=${api.seeded.day}&format=pdf`, `/api/reports/monthly?month=${api.seeded.month}&format=pdf&lang=zh`]) {
      const res = await admin.fetch(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/pdf/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="minewarden-/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    expect((await admin.get('/api/reports/daily?date=2026-13-45')).status).toBe(400);
    expect((await admin.get('/api/reports/daily?date=yesterday')).status).toBe(400);
  });

  it('shows sensors and system status', async () => {
    const sensors = await analyst.get<Array<{ kind: string; name: string; status: string; lastEvent: number | null }>>('/api/sensors');
    expect(sensors.status).toBe(200);
    const feed = sensors.body.find((s) => s.kind === 'feed' && s.name === FEED);
    // Refreshed just now: fresh, and its time in milliseconds like every time in the API.
    expect(feed).toMatchObject({ status: 'ok' });
    expect(feed?.lastEvent).toBeGreaterThan(Date.now() - 3_600_000);
    const sys = await analyst.get<{ version: string; store: string; units: number; indicators: number; dns: string[] }>('/api/system');
    expect(sys.status).toBe(200);
    expect(sys.body).toMatchObject({ units: 6, dns: [] });
    expect(sys.body.indicators).toBeGreaterThan(0);
    expect(sys.body.store).toMatch(/embedded/i);
  });
});

describe('users', () => {
  it('creates an analyst, changes the role (ending the session), disables (ending the next) and deletes', async () => {
    const made = await admin.post<{ id: number; username: string; role: string }>('/api/users', { username: 'Carol', password: PASSWORD, role: 'analyst', displayName: 'Carol C.' });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ username: 'carol', role: 'analyst' });
    expect(JSON.stringify(made.body)).not.toMatch(/password|hash/i);
    const dup = await admin.post('/api/users', { username: 'carol', password: PASSWORD, role: 'analyst' });
    expect(dup.status).toBe(409);
    expect((await admin.post('/api/users', { username: 'short', password: 'short', role: 'analyst' })).status).toBe(400);
    expect((await admin.post('/api/users', { username: 'viewer-x', password: PASSWORD, role: 'unit-viewer' })).status).toBe(400);
    const id = made.body.id;

    const carol = await api.client('carol');
    expect((await carol.get('/api/intel/stats')).status).toBe(200);
    const patched = await admin.patch<{ role: string; units: string[] }>(`/api/users/${id}`, { role: 'unit-viewer', units: ['s-n2'] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'unit-viewer', units: ['s-n2'] });
    expect((await carol.get('/api/auth/me')).status).toBe(401);

    const again = await api.session('carol');
    expect((await again.get<Array<{ id: string }>>('/api/units')).body.map((u) => u.id)).toEqual(['s-n2']);
    expect((await again.get('/api/intel/stats')).status).toBe(403);
    expect((await admin.patch(`/api/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await again.get('/api/auth/me')).status).toBe(401);
    const disabledLogin = await new Client(api.url).login('carol');
    expect(disabledLogin.status).toBe(401);

    expect((await admin.del(`/api/users/${id}`)).status).toBe(200);
    expect((await admin.get<Array<{ id: number }>>('/api/users')).body.map((u) => u.id)).not.toContain(id);
    expect((await admin.del(`/api/users/${id}`)).status).toBe(404);
    const trail = await audit(`target=user:${id}&limit=20`);
    expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'user.update', 'user.delete']));
    const update = trail.find((e) => e.action === 'user.update' && (e.before as { role?: string }).role === 'analyst');
    expect(update).toMatchObject({ actor: 'admin', before: { role: 'analyst' }, after: { role: 'unit-viewer', units: ['s-n2'] } });
  });

  it('never lets the last admin go: not deleted, not demoted, not disabled (409)', async () => {
    const me = api.users.admin!;
    const del = await admin.del(`/api/users/${me}`);
    expect(del.status).toBe(409);
    expect(errorCode(del)).toBe('MW_ERR_CONFLICT');
    for (const patch of [{ role: 'analyst' }, { disabled: true }]) {
      const r = await admin.patch(`/api/users/${me}`, patch);
      expect(r.status, JSON.stringify(patch)).toBe(409);
      expect(errorMessage(r)).toMatch(/last administrator/);
    }
    // With a second administrator the first may go; then the second is the last one.
    const second = await admin.post<{ id: number }>('/api/users', { username: 'admin2', password: PASSWORD, role: 'admin' });
    const admin2 = await api.session('admin2');
    expect((await admin2.del(`/api/users/${second.body.id}`)).status).toBe(409);
    expect((await admin2.del(`/api/users/${me}`)).status).toBe(200);
    expect((await admin.get('/api/auth/me')).status).toBe(401);
    admin = admin2;
    const last = await admin2.patch(`/api/users/${second.body.id}`, { role: 'analyst' });
    expect(last.status).toBe(409);
    expect(errorCode(last)).toBe('MW_ERR_CONFLICT');
  });
});

describe('the audit log', () => {
  it('never holds a password, its hash, a TOTP secret or a token secret', async () => {
    const u = await admin.post<{ id: number }>('/api/users', { username: 'dave', password: 'dave-secret-password-77', role: 'analyst' });
    expect(u.status).toBe(200);
    expect((await admin.patch(`/api/users/${u.body.id}`, { password: 'dave-new-password-88' })).status).toBe(200);
    const dave = await api.session('dave', 'dave-new-password-88');
    const totp = await dave.post<{ secret: string }>('/api/auth/totp/setup');
    const token = await dave.post<{ secret: string }>('/api/tokens', { name: 'dave-bot' });
    expect((await dave.post('/api/auth/password', { current: 'dave-new-password-88', next: 'dave-third-password-99' })).status).toBe(200);
    const all = JSON.stringify(await audit('limit=500'));
    for (const secret of [PASSWORD, 'dave-secret-password-77', 'dave-new-password-88', 'dave-third-password-99', totp.body.secret, token.body.secret]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/\$argon2|passwordHash|totpSecret|totpPending/);
    expect(all).toMatch(/"passwordChanged":true/);
  });
});
