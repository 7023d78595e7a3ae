/**
 * Every route the API registers × every role (nobody, admin, analyst, unit viewer) → the status
 * it answers, on the real server with valid bodies, so a 200 is really reachable and a refusal is
 * really the role's. Routes that change or delete act on throw-away objects made for each call.
 * A route the server registers without a row here fails the coverage test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTP } from 'otpauth';
import { Client, PASSWORD, startApi, type Api, type Reply } from './support/api.ts';

type Who = 'anon' | 'admin' | 'analyst' | 'viewer';
const WHO: readonly Who[] = ['anon', 'admin', 'analyst', 'viewer'];
const USERNAME: Record<Exclude<Who, 'anon'>, string> = { admin: 'admin', analyst: 'analyst', viewer: 'north' };

interface Call {
  path: string;
  body?: unknown;
  /** Make the call with this client instead of the role's usual one (a throw-away session). */
  client?: Client;
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered (`:param`), for the coverage test. */
  route: string;
  /** What the row shows, when one route has several rows (in scope, out of scope). */
  note?: string;
  /** Expected status for anon, admin, analyst, unit viewer. */
  expect: [number, number, number, number];
  /** The concrete call for a role; may make throw-away objects first. */
  call: (who: Who) => Call | Promise<Call>;
  /** The route is not in the OpenAPI document (it serves the document). */
  hidden?: boolean;
  /** Server-Sent Events: only the status is read, then the stream is closed. */
  stream?: boolean;
}

let api: Api;
const clients = new Map<Who, Client>();
let seq = 0;
const uniq = (p: string): string => `${p}-${++seq}`;

function clientOf(who: Who): Client {
  const c = clients.get(who);
  if (c === undefined) throw new Error(`no client for ${who}`);
  return c;
}

function asAdmin(): Client {
  return clientOf('admin');
}

async function ok<T>(r: Promise<Reply<T>>): Promise<T> {
  const x = await r;
  if (x.status !== 200) throw new Error(`setup call failed: ${x.status} ${JSON.stringify(x.body)}`);
  return x.body;
}

/** A fresh login of the role's user (or a new anonymous client). */
async function freshSession(who: Who): Promise<Client> {
  if (who === 'anon') return new Client(api.url);
  return api.session(USERNAME[who]);
}

/** A throw-away user with the same role as `who`, logged in. */
async function throwAwayUser(who: Who): Promise<{ client: Client; id: number }> {
  if (who === 'anon') return { client: new Client(api.url), id: 0 };
  const role = who === 'viewer' ? 'unit-viewer' : who;
  const username = uniq(`tmp-${who}`);
  const u = await ok(asAdmin().post<{ id: number }>('/api/users', { username, password: PASSWORD, role, ...(role === 'unit-viewer' ? { units: ['d-north'] } : {}) }));
  return { client: await api.session(username), id: u.id };
}

async function throwAwayUserId(): Promise<number> {
  const u = await ok(asAdmin().post<{ id: number }>('/api/users', { username: uniq('victim'), password: PASSWORD, role: 'analyst' }));
  return u.id;
}

/** A new host incident in s-n1 (visible to the unit viewer), optionally already resolved. */
async function freshIncident(resolved = false): Promise<number> {
  const client = `10.1.1.${100 + ++seq}`;
  await api.app.incidents.ingest([{
    detector: 'intel-match', ts: Date.now(), client, site: '', unit: 's-n1', severity: 'medium', confidence: 60, stage: 'mining',
    threat: `mining:test-${seq}`, title: `Test incident ${seq}`, indicator: `pool-${seq}.miner.example`, controller: null, evidence: {},
  }]);
  const found = (await api.app.store.incidents.list({ text: client, limit: 5 })).find((i) => i.hosts[0]?.client === client);
  if (found === undefined) throw new Error('the throw-away incident was not made');
  if (resolved) await api.app.incidents.transition(found.id, 'resolved', 'test');
  return found.id;
}

async function hostId(address: string): Promise<number> {
  const r = await ok(asAdmin().get<{ items: Array<{ id: number; address: string }> }>(`/api/hosts?search=${address}`));
  const h = r.items.find((x) => x.address === address);
  if (h === undefined) throw new Error(`no host ${address}`);
  return h.id;
}

const DOC = { categories: { 'mining-pool': 'block' }, deny: ['bad.example'], allow: [] };

const ANY = [401, 200, 200, 200] as [number, number, number, number];
const ADMIN_ONLY = [401, 200, 403, 403] as [number, number, number, number];
const STAFF = [401, 200, 200, 403] as [number, number, number, number];

const ROWS: Row[] = [
  // ---- first run, login, own account
  { method: 'GET', route: '/api/setup', expect: [200, 200, 200, 200], call: () => ({ path: '/api/setup' }) },
  { method: 'POST', route: '/api/setup', note: 'refused once there are users', expect: [409, 409, 409, 409], call: () => ({ path: '/api/setup', body: { username: 'intruder', password: PASSWORD } }) },
  {
    method: 'POST', route: '/api/auth/login', note: 'on a new client; nobody logs in as the analyst', expect: [200, 200, 200, 200],
    call: (who) => ({ path: '/api/auth/login', body: { username: who === 'anon' ? 'analyst' : USERNAME[who], password: PASSWORD }, client: new Client(api.url) }),
  },
  { method: 'POST', route: '/api/auth/logout', note: 'of a throw-away session', expect: [200, 200, 200, 200], call: async (who) => ({ path: '/api/auth/logout', client: await freshSession(who) }) },
  { method: 'GET', route: '/api/auth/me', expect: ANY, call: () => ({ path: '/api/auth/me' }) },
  {
    method: 'POST', route: '/api/auth/password', note: 'of a throw-away user', expect: ANY,
    call: async (who) => ({ path: '/api/auth/password', body: { current: PASSWORD, next: 'another-long-password-1' }, client: (await throwAwayUser(who)).client }),
  },
  { method: 'POST', route: '/api/auth/totp/setup', expect: ANY, call: () => ({ path: '/api/auth/totp/setup' }) },
  {
    method: 'POST', route: '/api/auth/totp/enable', note: 'of a throw-away user, with a code from the new secret', expect: ANY,
    call: async (who) => {
      const { client } = await throwAwayUser(who);
      if (who === 'anon') return { path: '/api/auth/totp/enable', body: { code: '123456' }, client };
      const s = await ok(client.post<{ secret: string }>('/api/auth/totp/setup'));
      return { path: '/api/auth/totp/enable', body: { code: new TOTP({ secret: s.secret }).generate() }, client };
    },
  },
  { method: 'POST', route: '/api/auth/totp/disable', expect: ANY, call: () => ({ path: '/api/auth/totp/disable', body: { password: PASSWORD } }) },
  { method: 'GET', route: '/api/roles', expect: ANY, call: () => ({ path: '/api/roles' }) },
  { method: 'PUT', route: '/api/roles/:role', expect: ADMIN_ONLY, call: () => ({ path: '/api/roles/unit-viewer', body: { totpRequired: false } }) },
  { method: 'GET', route: '/api/tokens', expect: ANY, call: () => ({ path: '/api/tokens' }) },
  { method: 'POST', route: '/api/tokens', expect: ANY, call: () => ({ path: '/api/tokens', body: { name: uniq('token'), expiresInDays: 1 } }) },
  {
    method: 'DELETE', route: '/api/tokens/:id', note: 'one\'s own token', expect: ANY,
    call: async (who) => {
      if (who === 'anon') return { path: '/api/tokens/nope' };
      const t = await ok(clientOf(who).post<{ token: { id: string } }>('/api/tokens', { name: uniq('doomed') }));
      return { path: `/api/tokens/${t.token.id}` };
    },
  },
  {
    method: 'DELETE', route: '/api/tokens/:id', note: 'another user\'s token', expect: [401, 200, 403, 403],
    call: async () => {
      const { client } = await throwAwayUser('analyst');
      const t = await ok(client.post<{ token: { id: string } }>('/api/tokens', { name: uniq('theirs') }));
      return { path: `/api/tokens/${t.token.id}` };
    },
  },
  // ---- users
  { method: 'GET', route: '/api/users', expect: ADMIN_ONLY, call: () => ({ path: '/api/users' }) },
  { method: 'POST', route: '/api/users', expect: ADMIN_ONLY, call: () => ({ path: '/api/users', body: { username: uniq('new-user'), password: PASSWORD, role: 'unit-viewer', units: ['s-n1'] } }) },
  { method: 'PATCH', route: '/api/users/:id', expect: ADMIN_ONLY, call: async () => ({ path: `/api/users/${await throwAwayUserId()}`, body: { displayName: 'Renamed' } }) },
  { method: 'DELETE', route: '/api/users/:id', expect: ADMIN_ONLY, call: async () => ({ path: `/api/users/${await throwAwayUserId()}` }) },
  { method: 'POST', route: '/api/users/:id/unlock', expect: ADMIN_ONLY, call: async () => ({ path: `/api/users/${await throwAwayUserId()}/unlock` }) },
  { method: 'GET', route: '/api/audit', expect: ADMIN_ONLY, call: () => ({ path: '/api/audit?limit=5' }) },
  // ---- network
  { method: 'GET', route: '/api/overview', expect: ANY, call: () => ({ path: '/api/overview' }) },
  { method: 'GET', route: '/api/overview', note: 'of a unit outside the viewer\'s', expect: [401, 200, 200, 404], call: () => ({ path: '/api/overview?unit=s-e1' }) },
  { method: 'GET', route: '/api/units', expect: ANY, call: () => ({ path: '/api/units' }) },
  { method: 'GET', route: '/api/units/:id', note: 'in the viewer\'s units', expect: ANY, call: () => ({ path: '/api/units/s-n1' }) },
  { method: 'GET', route: '/api/units/:id', note: 'outside the viewer\'s units', expect: [401, 200, 200, 404], call: () => ({ path: '/api/units/s-e1' }) },
  { method: 'GET', route: '/api/units/:id', note: 'that does not exist', expect: [401, 404, 404, 404], call: () => ({ path: '/api/units/nowhere' }) },
  { method: 'GET', route: '/api/hosts', expect: ANY, call: () => ({ path: '/api/hosts' }) },
  { method: 'GET', route: '/api/hosts/:id', note: 'in the viewer\'s units', expect: ANY, call: async () => ({ path: `/api/hosts/${await hostId('10.1.1.5')}` }) },
  { method: 'GET', route: '/api/hosts/:id', note: 'outside the viewer\'s units', expect: [401, 200, 200, 404], call: async () => ({ path: `/api/hosts/${await hostId('10.3.1.5')}` }) },
  { method: 'GET', route: '/api/queries', expect: ANY, call: () => ({ path: '/api/queries?limit=10' }) },
  { method: 'GET', route: '/api/queries', note: 'of a unit outside the viewer\'s', expect: [401, 200, 200, 404], call: () => ({ path: '/api/queries?unit=s-e1' }) },
  // ---- incidents
  { method: 'GET', route: '/api/incidents', expect: ANY, call: () => ({ path: '/api/incidents' }) },
  { method: 'GET', route: '/api/incidents/:id', note: 'in the viewer\'s units', expect: ANY, call: () => ({ path: `/api/incidents/${api.ids.northHost}` }) },
  { method: 'GET', route: '/api/incidents/:id', note: 'outside the viewer\'s units', expect: [401, 200, 200, 404], call: () => ({ path: `/api/incidents/${api.ids.eastHost}` }) },
  ...(['ack', 'contain', 'resolve'] as const).map((move): Row => ({
    method: 'POST', route: `/api/incidents/:id/${move}`, note: 'a fresh incident in the viewer\'s units', expect: STAFF,
    call: async () => ({ path: `/api/incidents/${await freshIncident()}/${move}`, body: { note: `${move} by test` } }),
  })),
  { method: 'POST', route: '/api/incidents/:id/reopen', note: 'a resolved incident', expect: STAFF, call: async () => ({ path: `/api/incidents/${await freshIncident(true)}/reopen`, body: {} }) },
  { method: 'POST', route: '/api/incidents/:id/false-positive', expect: STAFF, call: async () => ({ path: `/api/incidents/${await freshIncident()}/false-positive`, body: { allowlist: false } }) },
  { method: 'POST', route: '/api/incidents/:id/note', expect: STAFF, call: () => ({ path: `/api/incidents/${api.ids.northHost}/note`, body: { text: 'seen' } }) },
  { method: 'POST', route: '/api/incidents/:id/assign', expect: STAFF, call: () => ({ path: `/api/incidents/${api.ids.northHost}/assign`, body: { assignee: 'analyst' } }) },
  { method: 'GET', route: '/api/live', expect: ANY, stream: true, call: () => ({ path: '/api/live' }) },
  // ---- intelligence
  { method: 'GET', route: '/api/intel/stats', expect: STAFF, call: () => ({ path: '/api/intel/stats' }) },
  { method: 'GET', route: '/api/intel/feeds', expect: STAFF, call: () => ({ path: '/api/intel/feeds' }) },
  { method: 'POST', route: '/api/intel/feeds/:name/refresh', expect: STAFF, call: () => ({ path: '/api/intel/feeds/local-test/refresh' }) },
  { method: 'GET', route: '/api/intel/indicators', expect: STAFF, call: () => ({ path: '/api/intel/indicators?q=supportxmr' }) },
  { method: 'GET', route: '/api/intel/lookup', expect: STAFF, call: () => ({ path: '/api/intel/lookup?value=pool.supportxmr.com' }) },
  { method: 'GET', route: '/api/intel/review', expect: STAFF, call: () => ({ path: '/api/intel/review' }) },
  {
    method: 'POST', route: '/api/intel/review/release', note: 'a held indicator per role', expect: STAFF,
    call: (who) => ({ path: '/api/intel/review/release', body: { type: 'domain', value: who === 'admin' ? 'google.com' : who === 'analyst' ? 'youtube.com' : 'baidu.com' } }),
  },
  { method: 'GET', route: '/api/intel/allow', expect: STAFF, call: () => ({ path: '/api/intel/allow' }) },
  { method: 'POST', route: '/api/intel/allow', expect: STAFF, call: () => ({ path: '/api/intel/allow', body: { value: `${uniq('ok')}.allowed.example`, comment: 'test' } }) },
  {
    method: 'DELETE', route: '/api/intel/allow', note: 'an entry made first', expect: STAFF,
    call: async () => {
      const value = `${uniq('gone')}.allowed.example`;
      await ok(asAdmin().post('/api/intel/allow', { value }));
      return { path: '/api/intel/allow', body: { type: 'domain', value } };
    },
  },
  // ---- policies
  { method: 'GET', route: '/api/policies', expect: ANY, call: () => ({ path: '/api/policies' }) },
  { method: 'GET', route: '/api/policies/history', expect: STAFF, call: () => ({ path: '/api/policies/history?scope=unit:s-n2' }) },
  { method: 'PUT', route: '/api/policies', expect: STAFF, call: () => ({ path: '/api/policies', body: { scope: 'unit:s-n1', document: DOC, comment: 'roles test' } }) },
  { method: 'POST', route: '/api/policies/rollback', expect: STAFF, call: () => ({ path: '/api/policies/rollback', body: { scope: 'unit:s-n2', version: 1 } }) },
  { method: 'GET', route: '/api/policies/effective/:unit', note: 'in the viewer\'s units', expect: ANY, call: () => ({ path: '/api/policies/effective/s-n1' }) },
  { method: 'GET', route: '/api/policies/effective/:unit', note: 'outside the viewer\'s units', expect: [401, 200, 200, 404], call: () => ({ path: '/api/policies/effective/s-e1' }) },
  { method: 'GET', route: '/api/policy-groups', expect: STAFF, call: () => ({ path: '/api/policy-groups' }) },
  { method: 'PUT', route: '/api/policy-groups/:name', expect: STAFF, call: () => ({ path: `/api/policy-groups/${uniq('group')}`, body: { description: 'test', units: ['s-n1'] } }) },
  {
    method: 'DELETE', route: '/api/policy-groups/:name', note: 'a group made first', expect: STAFF,
    call: async () => {
      const name = uniq('doomed-group');
      await ok(asAdmin().put(`/api/policy-groups/${name}`, { units: ['s-n2'] }));
      return { path: `/api/policy-groups/${name}` };
    },
  },
  { method: 'GET', route: '/api/gateways', expect: STAFF, call: () => ({ path: '/api/gateways' }) },
  // ---- reports and system
  { method: 'GET', route: '/api/reports/daily', expect: ANY, call: () => ({ path: `/api/reports/daily?date=${api.seeded.day}` }) },
  { method: 'GET', route: '/api/reports/monthly', expect: ANY, call: () => ({ path: `/api/reports/monthly?month=${api.seeded.month}` }) },
  { method: 'GET', route: '/api/sensors', expect: STAFF, call: () => ({ path: '/api/sensors' }) },
  { method: 'GET', route: '/api/system', expect: STAFF, call: () => ({ path: '/api/system' }) },
  // ---- the document itself (public)
  { method: 'GET', route: '/api/openapi.json', hidden: true, expect: [200, 200, 200, 200], call: () => ({ path: '/api/openapi.json' }) },
];

beforeAll(async () => {
  api = await startApi();
  clients.set('anon', api.anon);
  clients.set('admin', await api.client('admin'));
  clients.set('analyst', await api.client('analyst'));
  clients.set('viewer', await api.client('north'));
  // Two versions of one scope to roll back to.
  await ok(asAdmin().put('/api/policies', { scope: 'unit:s-n2', document: DOC, comment: 'v1' }));
  await ok(asAdmin().put('/api/policies', { scope: 'unit:s-n2', document: { ...DOC, deny: ['worse.example'] }, comment: 'v2' }));
}, 60_000);

afterAll(async () => {
  await api?.close();
});

describe('the route table', () => {
  it('has a row for every route in the OpenAPI document, and every row is a route there', async () => {
    const doc = await ok(api.anon.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json'));
    const served = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) served.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const table = new Set(ROWS.filter((r) => r.hidden !== true).map((r) => `${r.method} ${r.route}`));
    expect([...served].filter((r) => !table.has(r)), 'routes without a row').toEqual([]);
    expect([...table].filter((r) => !served.has(r)), 'rows without a route').toEqual([]);
  });
});

describe.each(WHO)('as %s', (who) => {
  const index = WHO.indexOf(who);
  it.each(ROWS.map((r) => [`${r.method} ${r.route}${r.note === undefined ? '' : ` (${r.note})`} → ${r.expect[index]}`, r] as const))('%s', async (_name, row) => {
    const call = await row.call(who);
    const c = call.client ?? clientOf(who);
    if (row.stream === true) {
      const ctl = new AbortController();
      const res = await c.fetch(call.path, { signal: ctl.signal });
      expect(res.status).toBe(row.expect[index]);
      if (res.status === 200) expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      ctl.abort();
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    const r = await c.request(row.method, call.path, call.body);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(row.expect[index]);
    if (r.status === 401 || r.status === 403) {
      expect((r.body as { error: { code: string } }).error.code).toMatch(/^MW_ERR_(AUTH|FORBIDDEN)$/);
    }
    if (r.status === 404) expect((r.body as { error: { code: string } }).error.code).toBe('MW_ERR_NOT_FOUND');
  });
});
