/**
 * The real API for the API tests: a fresh data directory, the real app (embedded store, intel
 * seed, incident engine), a seeded unit tree, users, DNS events and incidents, and the Fastify
 * server on a free loopback port. `client()` logs in over HTTP and keeps the session cookie and
 * the CSRF token the way the console does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/index.ts';
import { openApp, type App } from '../../src/cli/app.ts';
import { startConsole, type ConsoleHandle } from '../../src/cli/console.ts';
import type { Alert } from '../../src/model/detect.ts';
import type { DnsEvent } from '../../src/model/events.ts';
import type { Unit } from '../../src/model/org.ts';
import type { User } from '../../src/model/auth.ts';

/** Every seeded user's password. */
export const PASSWORD = 'correct-horse-battery-9';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** The `{ error: { code } }` of an error answer, or undefined. */
export function errorCode(r: Reply): string | undefined {
  const b = r.body as { error?: { code?: unknown } } | null;
  return typeof b?.error?.code === 'string' ? b.error.code : undefined;
}

/** The `{ error: { message } }` of an error answer, or undefined. */
export function errorMessage(r: Reply): string | undefined {
  const b = r.body as { error?: { message?: unknown } } | null;
  return typeof b?.error?.message === 'string' ? b.error.message : undefined;
}

export interface LoginBody {
  user: User;
  csrfToken: string | null;
  mustEnrollTotp: boolean;
  permissions: string[];
}

/** Seeded DNS events: timestamps (ms) and the local day they fall on. */
export interface Seeded {
  /** When the seeded events and alerts happened (a few minutes before start). */
  ts: number;
  /** YYYY-MM-DD of `ts` in the server's time zone. */
  day: string;
  /** YYYY-MM of `ts`. */
  month: string;
  /** Queries per client address, and of those blocked. */
  queries: Record<string, { total: number; blocked: number }>;
}

export interface Ids {
  /** Host incident in s-n1 (10.1.1.5). */
  northHost: number;
  /** Host incident in s-e1 (10.3.1.5). */
  eastHost: number;
  /** The campaign over 10.1.1.7, 10.1.2.7 (d-north) and 10.3.1.7 (s-e1). */
  campaign: number;
  /** The campaign's member host incidents by client address. */
  members: Record<string, number>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;
  /** Send the CSRF header on changes (tests turn it off to prove it is required). */
  sendCsrf = true;

  constructor(readonly url: string) {}

  /** A raw fetch with this client's credentials (for SSE, PDF, HTML). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie !== null) headers.set('cookie', this.cookie);
    if (this.bearer !== null) headers.set('authorization', `Bearer ${this.bearer}`);
    const method = (init.method ?? 'GET').toUpperCase();
    if (this.sendCsrf && this.csrf !== null && method !== 'GET' && method !== 'HEAD') headers.set('x-csrf-token', this.csrf);
    return fetch(`${this.url}${path}`, { ...init, headers });
  }

  async request<T = unknown>(method: Method, path: string, body?: unknown): Promise<Reply<T>> {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await this.fetch(path, body === undefined ? init : { ...init, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
    // A login (or setup) starts a session: keep its cookie and CSRF token as the console does.
    for (const c of res.headers.getSetCookie()) {
      const m = /^mw_session=([^;]*)/.exec(c);
      if (m !== null && m[1] !== undefined && m[1] !== '') this.cookie = `mw_session=${m[1]}`;
    }
    const csrf = (parsed as { csrfToken?: unknown } | null)?.csrfToken;
    if (res.status === 200 && typeof csrf === 'string' && (path === '/api/auth/login' || path === '/api/setup')) this.csrf = csrf;
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = unknown>(path: string): Promise<Reply<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('POST', path, body);
  }

  put<T = unknown>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('PUT', path, body);
  }

  patch<T = unknown>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('PATCH', path, body);
  }

  del<T = unknown>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('DELETE', path, body);
  }

  login(username: string, password = PASSWORD, totp?: string): Promise<Reply<LoginBody>> {
    return this.post<LoginBody>('/api/auth/login', { username, password, ...(totp === undefined ? {} : { totp }) });
  }
}

export interface Api {
  app: App;
  url: string;
  ids: Ids;
  seeded: Seeded;
  /** User ids by username. */
  users: Record<string, number>;
  /** A client logged in over HTTP (POST /api/auth/login); throws when the login fails. */
  client(username: string, password?: string): Promise<Client>;
  /**
   * A client with a session made by the auth service itself (the same session a login makes),
   * for tests whose subject is not the login: the login route allows 20 calls a minute per
   * address, and every test comes from 127.0.0.1.
   */
  session(username: string, password?: string): Promise<Client>;
  /** No credentials. */
  anon: Client;
  close(): Promise<void>;
}

const unit = (id: string, parentId: string | null, cidrs: string[] = []): Unit => ({
  id, name: id.toUpperCase(), parentId, kind: parentId === null ? 'centre' : cidrs.length === 0 ? 'district' : 'school', cidrs, site: '', egress: [], contacts: [],
});

export const UNITS: Unit[] = [
  unit('city', null),
  unit('d-north', 'city'),
  unit('s-n1', 'd-north', ['10.1.1.0/24']),
  unit('s-n2', 'd-north', ['10.1.2.0/24']),
  unit('d-east', 'city'),
  unit('s-e1', 'd-east', ['10.3.1.0/24']),
];

/** The configured local feed, the popular domains it holds for review, and what it loads. */
export const FEED = 'local-test';
export const FEED_HELD = ['google.com', 'youtube.com', 'baidu.com', 'wikipedia.org'];
export const FEED_ACTIVE = ['evil-miner.example', 'c2.bad.example'];

export const NORTH_UNITS = ['d-north', 's-n1', 's-n2'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dns(ts: number, client: string, name: string, extra: Partial<DnsEvent> = {}): DnsEvent {
  return { kind: 'dns', ts, client, name, qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 120, ...extra };
}

function blocked(ts: number, client: string, name: string): DnsEvent {
  return dns(ts, client, name, { outcome: 'blocked', rcode: 3, reason: 'indicator', indicator: name, category: 'mining-pool' });
}

function alert(ts: number, client: string, unitId: string, extra: Partial<Alert> = {}): Alert {
  return {
    detector: 'intel-match', ts, client, site: '', unit: unitId, severity: 'high', confidence: 80, stage: 'mining',
    threat: 'mining:monero', title: `Mining pool lookups from ${client}`, indicator: 'pool.supportxmr.com', controller: null,
    evidence: { name: 'pool.supportxmr.com' }, ...extra,
  };
}

export interface StartOptions {
  /** Seed units, users, events and incidents (default true); false: a fresh app without users. */
  seed?: boolean;
}

export async function startApi(opts: StartOptions = {}): Promise<Api> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-api-'));
  // A local feed: popular domains in it are held for review, the rest loads.
  const feedFile = join(dataDir, 'local-feed.txt');
  writeFileSync(feedFile, `${FEED_HELD.join('\n')}\n${FEED_ACTIVE.join('\n')}\n`);
  const config = configSchema.parse({
    dataDir, api: { listen: '127.0.0.1:0' }, dns: { enabled: false }, metrics: { listen: '' }, log: { level: 'silent' },
    intel: { feeds: [{ name: FEED, url: feedFile, format: 'plain', category: 'malware' }] },
  });
  const app = await openApp(config);
  let handle: ConsoleHandle | null = null;
  try {
    await app.engine.start({ seed: true });
    await app.feeds.refreshAll({ force: true, names: [FEED] });
    const ts = Date.now() - 5 * 60_000;
    const d = new Date(ts);
    const seeded: Seeded = { ts, day: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, month: `${d.getFullYear()}-${pad(d.getMonth() + 1)}`, queries: {} };
    const ids: Ids = { northHost: 0, eastHost: 0, campaign: 0, members: {} };
    const users: Record<string, number> = {};
    if (opts.seed !== false) {
      await app.org.replace(UNITS);
      for (const [username, role, units] of [['admin', 'admin', []], ['analyst', 'analyst', []], ['north', 'unit-viewer', ['d-north']], ['east', 'unit-viewer', ['s-e1']]] as const) {
        const u = await app.auth.adminCreateUser('test', { username, password: PASSWORD, role, units: [...units] });
        users[username] = u.id;
      }
      const events: DnsEvent[] = [
        dns(ts, '10.1.1.5', 'www.school.example'),
        dns(ts + 1, '10.1.1.5', 'mail.school.example'),
        blocked(ts + 2, '10.1.1.5', 'pool.supportxmr.com'),
        dns(ts + 3, '10.3.1.5', 'www.east.example'),
        blocked(ts + 4, '10.3.1.5', 'xmr-eu1.nanopool.org'),
        blocked(ts + 5, '10.3.1.5', 'pool.supportxmr.com'),
      ];
      for (const e of events) {
        const q = (seeded.queries[e.client] ??= { total: 0, blocked: 0 });
        q.total++;
        if (e.outcome === 'blocked') q.blocked++;
        app.sink.record(e);
      }
      await app.sink.flush();
      await app.incidents.ingest([
        alert(ts + 10, '10.1.1.5', 's-n1'),
        alert(ts + 11, '10.3.1.5', 's-e1', { indicator: 'xmr-eu1.nanopool.org', evidence: { name: 'xmr-eu1.nanopool.org' } }),
      ]);
      const c2 = (client: string, unitId: string, k: number): Alert => alert(ts + 20 + k, client, unitId, {
        threat: 'c2:203.0.113.9', title: `Beacon to 203.0.113.9 from ${client}`, indicator: '203.0.113.9', controller: '203.0.113.9',
        stage: 'command-and-control', evidence: { port: 443 },
      });
      await app.incidents.ingest([c2('10.1.1.7', 's-n1', 0), c2('10.1.2.7', 's-n2', 1), c2('10.3.1.7', 's-e1', 2)]);
      const all = await app.store.incidents.list({ limit: 100 });
      const find = (pred: (i: (typeof all)[number]) => boolean, what: string): number => {
        const i = all.find(pred);
        if (i === undefined) throw new Error(`the seed made no ${what}`);
        return i.id;
      };
      ids.northHost = find((i) => i.kind === 'host' && i.hosts[0]?.client === '10.1.1.5', 'host incident in s-n1');
      ids.eastHost = find((i) => i.kind === 'host' && i.hosts[0]?.client === '10.3.1.5', 'host incident in s-e1');
      ids.campaign = find((i) => i.kind === 'campaign', 'campaign');
      for (const client of ['10.1.1.7', '10.1.2.7', '10.3.1.7']) ids.members[client] = find((i) => i.kind === 'host' && i.hosts[0]?.client === client, `member ${client}`);
    }
    handle = await startConsole(app, () => null);
    const url = handle.url;
    const h = handle;
    return {
      app, url, ids, seeded, users,
      anon: new Client(url),
      async client(username: string, password = PASSWORD): Promise<Client> {
        const c = new Client(url);
        const r = await c.login(username, password);
        if (r.status !== 200) throw new Error(`login of ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
        return c;
      },
      async session(username: string, password = PASSWORD): Promise<Client> {
        const r = await app.auth.login({ username, password }, { ip: '127.0.0.1', userAgent: 'api-test' });
        const c = new Client(url);
        c.cookie = `mw_session=${r.sessionSecret}`;
        c.csrf = r.csrfToken;
        return c;
      },
      async close(): Promise<void> {
        await h.close();
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await handle?.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
