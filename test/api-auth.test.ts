/**
 * Getting in and staying safe over real HTTP: first-run setup, login failures and lock-out, TOTP
 * (enrolment, codes, replay, a role that requires it), CSRF on cookie sessions, API tokens,
 * logout, cookie flags, and the shape of errors and of the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTP } from 'otpauth';
import { Client, errorCode, errorMessage, PASSWORD, startApi, type Api, type LoginBody } from './support/api.ts';

let api: Api;
let admin: Client;

beforeAll(async () => {
  api = await startApi();
  admin = await api.client('admin');
}, 60_000);

afterAll(async () => {
  await api?.close();
});

async function newUser(username: string, role: 'admin' | 'analyst' | 'unit-viewer' = 'analyst'): Promise<number> {
  const r = await admin.post<{ id: number }>('/api/users', { username, password: PASSWORD, role, ...(role === 'unit-viewer' ? { units: ['d-north'] } : {}) });
  expect(r.status).toBe(200);
  return r.body.id;
}

const code = (secret: string, at = Date.now()): string => new TOTP({ secret }).generate({ timestamp: at });

describe('first run', () => {
  it('asks for setup while there is no user, creates the first admin logged in, then refuses a second setup', async () => {
    const fresh = await startApi({ seed: false });
    try {
      const c = new Client(fresh.url);
      expect((await c.get('/api/setup')).body).toEqual({ needsSetup: true });
      expect((await c.get('/api/auth/me')).status).toBe(401);
      const r = await c.post<LoginBody>('/api/setup', { username: 'root', password: PASSWORD, displayName: 'First' });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ username: 'root', role: 'admin' });
      expect(typeof r.body.csrfToken).toBe('string');
      const me = await c.get<LoginBody>('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.user.username).toBe('root');
      expect((await c.get('/api/setup')).body).toEqual({ needsSetup: false });
      const again = await new Client(fresh.url).post('/api/setup', { username: 'second', password: PASSWORD });
      expect(again.status).toBe(409);
      expect(errorCode(again)).toBe('MW_ERR_CONFLICT');
    } finally {
      await fresh.close();
    }
  });
});

describe('login', () => {
  it('refuses a wrong password with 401 MW_ERR_AUTH, and an unknown user the same way', async () => {
    const r = await new Client(api.url).login('analyst', 'wrong-password-123');
    expect(r.status).toBe(401);
    expect(errorCode(r)).toBe('MW_ERR_AUTH');
    const u = await new Client(api.url).login('nobody-here', 'wrong-password-123');
    expect(u.status).toBe(401);
    expect(errorCode(u)).toBe('MW_ERR_AUTH');
    expect(errorMessage(u)).toBe(errorMessage(r));
    // The analyst's count is back to zero after a good login.
    expect((await new Client(api.url).login('analyst')).status).toBe(200);
  });

  it('locks the account after 5 failures, even for the right password, until an admin unlocks it', async () => {
    const id = await newUser('locky');
    const c = new Client(api.url);
    for (let i = 1; i <= 4; i++) {
      const r = await c.login('locky', `wrong-password-${i}xx`);
      expect(r.status, `attempt ${i}`).toBe(401);
    }
    const fifth = await c.login('locky', 'wrong-password-5xx');
    expect(fifth.status).toBe(429);
    expect(errorCode(fifth)).toBe('MW_ERR_LOCKED');
    const right = await c.login('locky');
    expect(right.status).toBe(429);
    expect(errorCode(right)).toBe('MW_ERR_LOCKED');
    const users = await admin.get<Array<{ id: number; lockedUntil: number | null; failedLogins: number }>>('/api/users');
    expect(users.body.find((u) => u.id === id)).toMatchObject({ failedLogins: 5 });
    expect(users.body.find((u) => u.id === id)?.lockedUntil).toBeGreaterThan(Date.now());
    expect((await admin.post(`/api/users/${id}/unlock`)).status).toBe(200);
    const after = await c.login('locky');
    expect(after.status).toBe(200);
    expect(after.body.user.lockedUntil).toBeNull();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and answers the CSRF token', async () => {
    const res = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'analyst', password: PASSWORD }) });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mw_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // Loopback over plain HTTP: browsers accept Secure cookies there, so they are Secure.
    expect(cookie).toMatch(/;\s*Secure/i);
    const body = (await res.json()) as LoginBody;
    expect(body.csrfToken).toMatch(/\S{16,}/);
    expect(JSON.stringify(body)).not.toMatch(/passwordHash|totpSecret|argon2/);
  });

  it('ends the session at logout: the same cookie is then refused', async () => {
    const c = await api.client('analyst');
    expect((await c.get('/api/auth/me')).status).toBe(200);
    const out = await c.post('/api/auth/logout');
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toMatch(/mw_session=;/);
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe('MW_ERR_AUTH');
  });
});

describe('the login rate limit', () => {
  it('answers 429 after 20 logins a minute from one address, whatever the account', async () => {
    // Its own server: the limit counts every login from 127.0.0.1 on that server.
    const other = await startApi();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await new Client(other.url).login('nobody', 'wrong-password-123')).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
      const r = await new Client(other.url).login('admin');
      expect(r.status).toBe(429);
      expect(errorCode(r)).toBe('MW_ERR_RATE_LIMITED');
    } finally {
      await other.close();
    }
  });
});

describe('TOTP', () => {
  it('enrols with setup + enable, then requires a code at login and refuses a replayed one', async () => {
    await newUser('tess');
    const c = await api.session('tess');
    const setup = await c.post<{ secret: string; otpauthUrl: string; qrSvg: string }>('/api/auth/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*tess/);
    expect(setup.body.qrSvg).toMatch(/<svg/);
    expect((await c.post('/api/auth/totp/enable', { code: '000000' })).status).toBe(400);
    const enabled = await c.post('/api/auth/totp/enable', { code: code(setup.body.secret) });
    expect(enabled.status).toBe(200);
    expect((await c.get<LoginBody>('/api/auth/me')).body.user).toMatchObject({ totpEnabled: true });

    const noCode = await new Client(api.url).login('tess');
    expect(noCode.status).toBe(401);
    expect(errorCode(noCode)).toBe('MW_ERR_TOTP_REQUIRED');
    const wrong = await new Client(api.url).login('tess', PASSWORD, '123456' === code(setup.body.secret) ? '654321' : '123456');
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('MW_ERR_TOTP_REQUIRED');
    // The enrolment used the current step: the next step's code is the first one a login may use.
    const next = code(setup.body.secret, Date.now() + 30_000);
    const ok = await new Client(api.url).login('tess', PASSWORD, next);
    expect(ok.status).toBe(200);
    const replay = await new Client(api.url).login('tess', PASSWORD, next);
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe('MW_ERR_TOTP_REQUIRED');
  });

  it('when a role requires it, a member without it logs in with mustEnrollTotp and is held at 403 until enrolled', async () => {
    await newUser('ann');
    expect((await admin.put('/api/roles/analyst', { totpRequired: true })).status).toBe(200);
    try {
      const roles = await admin.get<Array<{ role: string; totpRequired: boolean }>>('/api/roles');
      expect(roles.body.find((r) => r.role === 'analyst')?.totpRequired).toBe(true);
      const c = new Client(api.url);
      const login = await c.login('ann');
      expect(login.status).toBe(200);
      expect(login.body.mustEnrollTotp).toBe(true);
      const blocked = await c.get('/api/incidents');
      expect(blocked.status).toBe(403);
      expect(errorCode(blocked)).toBe('MW_ERR_FORBIDDEN');
      expect((await c.get('/api/overview')).status).toBe(403);
      // Disabling is refused while the role requires a second factor.
      expect((await c.post('/api/auth/totp/disable', { password: PASSWORD })).status).toBeGreaterThanOrEqual(400);
      const setup = await c.post<{ secret: string }>('/api/auth/totp/setup');
      expect(setup.status).toBe(200);
      expect((await c.post('/api/auth/totp/enable', { code: code(setup.body.secret) })).status).toBe(200);
      expect((await c.get<LoginBody>('/api/auth/me')).body.mustEnrollTotp).toBe(false);
      expect((await c.get('/api/incidents')).status).toBe(200);
      const refuse = await c.post('/api/auth/totp/disable', { password: PASSWORD });
      expect(refuse.status).toBe(403);
    } finally {
      expect((await admin.put('/api/roles/analyst', { totpRequired: false })).status).toBe(200);
    }
  });
});

describe('CSRF', () => {
  it('refuses a change made with the cookie but without the x-csrf-token header, or with a wrong one', async () => {
    const c = await api.session('analyst');
    c.sendCsrf = false;
    const none = await c.post('/api/intel/allow', { value: 'csrf-test.example' });
    expect(none.status).toBe(403);
    expect(errorCode(none)).toBe('MW_ERR_CSRF');
    const wrong = await c.request('POST', '/api/tokens', { name: 'x' }).then(async () => c.fetch('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'forged' }, body: JSON.stringify({ name: 'x' }) }));
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('MW_ERR_CSRF');
    expect((await admin.get<Array<{ value: string }>>('/api/intel/allow')).body.map((e) => e.value)).not.toContain('csrf-test.example');
    // Reads need no header; the token from /api/auth/me makes the change work.
    const me = await c.get<LoginBody>('/api/auth/me');
    expect(me.status).toBe(200);
    c.sendCsrf = true;
    c.csrf = me.body.csrfToken;
    expect((await c.post('/api/intel/allow', { value: 'csrf-test.example' })).status).toBe(200);
  });
});

describe('API tokens', () => {
  it('make a secret that works as a Bearer token without CSRF, with the maker\'s role, until deleted', async () => {
    const analyst = await api.session('analyst');
    const made = await analyst.post<{ token: { id: string; prefix: string }; secret: string }>('/api/tokens', { name: 'ci-bot', expiresInDays: 7 });
    expect(made.status).toBe(200);
    expect(made.body.secret).toMatch(/^mw_/);
    expect(made.body.secret.slice(3, 11)).toBe(made.body.token.prefix);
    const listed = await analyst.get<Array<{ id: string }>>('/api/tokens');
    expect(listed.body.map((t) => t.id)).toContain(made.body.token.id);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.secret);

    const bot = new Client(api.url);
    bot.bearer = made.body.secret;
    const me = await bot.get<LoginBody>('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('analyst');
    expect(me.body.csrfToken).toBeNull();
    // A change without any CSRF header: allowed for a token.
    const note = await bot.post<{ notes: Array<{ by: string; text: string }> }>(`/api/incidents/${api.ids.northHost}/note`, { text: 'from the bot' });
    expect(note.status).toBe(200);
    expect(note.body.notes.at(-1)).toMatchObject({ by: 'analyst (token)', text: 'from the bot' });
    // The analyst's role, not more.
    expect((await bot.get('/api/users')).status).toBe(403);
    expect((await bot.get('/api/audit')).status).toBe(403);

    expect((await analyst.del(`/api/tokens/${made.body.token.id}`)).status).toBe(200);
    const gone = await bot.get('/api/auth/me');
    expect(gone.status).toBe(401);
    expect(errorCode(gone)).toBe('MW_ERR_AUTH');
    const bogus = new Client(api.url);
    bogus.bearer = 'mw_not-a-real-token';
    expect((await bogus.get('/api/incidents')).status).toBe(401);
  });

  it('of a unit viewer see only the viewer\'s units', async () => {
    const north = await api.session('north');
    const made = await north.post<{ secret: string }>('/api/tokens', { name: 'north-bot' });
    const bot = new Client(api.url);
    bot.bearer = made.body.secret;
    expect((await bot.get(`/api/incidents/${api.ids.eastHost}`)).status).toBe(404);
    expect((await bot.get(`/api/incidents/${api.ids.northHost}`)).status).toBe(200);
    expect((await bot.post(`/api/incidents/${api.ids.northHost}/ack`, {})).status).toBe(403);
  });
});

describe('errors and documents', () => {
  it('answers a validation error with 400 MW_ERR_BAD_INPUT naming the field', async () => {
    const r = await admin.get('/api/incidents?severity=nope');
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('MW_ERR_BAD_INPUT');
    expect(errorMessage(r)).toMatch(/severity/);
    const body = await admin.post('/api/users', { username: 'x' });
    expect(body.status).toBe(400);
    expect(errorCode(body)).toBe('MW_ERR_BAD_INPUT');
    expect((await admin.get('/api/incidents/not-a-number')).status).toBe(400);
  });

  it('answers an unknown /api path with a JSON 404', async () => {
    for (const c of [api.anon, admin]) {
      const r = await c.get('/api/x');
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(errorCode(r)).toBe('MW_ERR_NOT_FOUND');
    }
    expect((await admin.post('/api/nothing/here', {})).status).toBe(404);
  });

  it('serves the Swagger UI at /api/docs and the OpenAPI document listing the routes', async () => {
    const docs = await api.anon.fetch('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toMatch(/Swagger UI/);
    const doc = await api.anon.get<{ openapi: string; info: { title: string }; paths: Record<string, unknown> }>('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.info.title).toBe('Minewarden API');
    for (const p of ['/api/auth/login', '/api/incidents', '/api/incidents/{id}/ack', '/api/policies', '/api/live', '/api/reports/daily']) expect(Object.keys(doc.body.paths)).toContain(p);
  });

  it('sets the security headers on API answers', async () => {
    const r = await api.anon.get('/api/setup');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });
});
