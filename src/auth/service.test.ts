/**
 * AuthService on the real in-memory store with an injected clock: login, lock-out, TOTP,
 * sessions, tokens, user administration and the audit log.
 */
import { HOTP, Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiConfig } from '../config/index.ts';
import type { Principal } from '../model/auth.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { AuthService } from './index.ts';

const T0 = Date.UTC(2024, 4, 1, 8);
const META = { ip: '10.0.0.9', userAgent: 'vitest' };
const CONFIG = {
  enabled: true, listen: '127.0.0.1:8080', trustProxy: false, sessionIdle: 3600, sessionMax: 8 * 3600, lockout: { attempts: 3, duration: 900 }, policyPoll: 2,
} as ApiConfig;
const PW = 'correct horse battery';

/** The code of a TOTP secret at `ms`, as an authenticator app shows it. */
function code(secret: string, ms: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, counter: Math.floor(ms / 30_000) });
}

let store: Store;
let clock: number;
let auth: AuthService;

beforeEach(async () => {
  store = await openMemoryStore();
  clock = T0;
  auth = new AuthService({ store: store.auth, config: CONFIG, now: () => clock, unitExists: (id) => ['north', 'south'].includes(id) });
});
afterEach(async () => {
  await store.close();
});

async function admin(): Promise<Principal> {
  const r = await auth.setup({ username: 'Root', password: PW }, META);
  const p = await auth.authenticateSession(r.sessionSecret, META.ip);
  if (p === null) throw new Error('no principal');
  return p;
}

async function principal(username: string, password = PW, totp?: string): Promise<Principal> {
  const r = await auth.login({ username, password, ...(totp === undefined ? {} : { totp }) }, META);
  const p = await auth.authenticateSession(r.sessionSecret);
  if (p === null) throw new Error('no principal');
  return p;
}

describe('setup and login', () => {
  it('creates the first administrator once, logged in, and then refuses setup', async () => {
    expect(await auth.needsSetup()).toBe(true);
    const r = await auth.setup({ username: 'Root', password: PW, displayName: 'The root' }, META);
    expect(r.user).toMatchObject({ username: 'root', role: 'admin', displayName: 'The root', lastLoginAt: T0 });
    expect(r.user).not.toHaveProperty('passwordHash');
    expect(r.sessionSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.mustEnrollTotp).toBe(false);
    expect(await auth.needsSetup()).toBe(false);
    await expect(auth.setup({ username: 'other', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
    // The session secret is stored only as a hash.
    expect(await store.auth.getSession(r.sessionSecret)).toBeNull();
  });

  it('refuses a short password and one equal to the username, clearly', async () => {
    await expect(auth.setup({ username: 'root', password: 'short' }, META)).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT', message: /at least 10 characters/ });
    await expect(auth.setup({ username: 'administrator', password: 'Administrator' }, META)).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT', message: /not be the username/ });
    await expect(auth.setup({ username: 'bad name', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT', message: /not a valid username/ });
  });

  it('logs in with the right password and refuses a wrong one or an unknown user alike', async () => {
    await admin();
    const ok = await auth.login({ username: 'ROOT', password: PW }, META);
    expect(ok.user.username).toBe('root');
    await expect(auth.login({ username: 'root', password: 'wrong password' }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH', message: 'wrong username or password' });
    await expect(auth.login({ username: 'nobody', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH', message: 'wrong username or password' });
  });

  it('locks an account after N failures in a row, until an administrator unlocks it', async () => {
    const root = await admin();
    await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    await expect(auth.login({ username: 'ana', password: 'nope nope nope' }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    await expect(auth.login({ username: 'ana', password: 'nope nope nope' }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    await expect(auth.login({ username: 'ana', password: 'nope nope nope' }, META)).rejects.toMatchObject({ code: 'MW_ERR_LOCKED', message: /locked for 15 more minutes/ });
    clock += 60_000;
    await expect(auth.login({ username: 'ana', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_LOCKED', message: /14 more minutes/ });
    const ana = (await auth.listUsers(root)).find((u) => u.username === 'ana');
    expect(ana).toMatchObject({ failedLogins: 3, lockedUntil: T0 + 900_000 });
    await auth.unlock(root, ana?.id ?? 0);
    expect((await auth.login({ username: 'ana', password: PW }, META)).user).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('lets a lock run out, with a fresh count after it; a success resets the count', async () => {
    const root = await admin();
    await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    for (let i = 0; i < 2; i++) await expect(auth.login({ username: 'ana', password: 'x'.repeat(12) }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    await auth.login({ username: 'ana', password: PW }, META);
    for (let i = 0; i < 2; i++) await expect(auth.login({ username: 'ana', password: 'x'.repeat(12) }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    await expect(auth.login({ username: 'ana', password: 'x'.repeat(12) }, META)).rejects.toMatchObject({ code: 'MW_ERR_LOCKED' });
    clock += 900_000;
    await expect(auth.login({ username: 'ana', password: 'x'.repeat(12) }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    expect((await auth.login({ username: 'ana', password: PW }, META)).user.username).toBe('ana');
  });

  it('refuses a disabled user and ends its sessions', async () => {
    const root = await admin();
    const ana = await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    const r = await auth.login({ username: 'ana', password: PW }, META);
    await auth.updateUser(root, ana.id, { disabled: true });
    expect(await auth.authenticateSession(r.sessionSecret)).toBeNull();
    await expect(auth.login({ username: 'ana', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH', message: /disabled/ });
  });
});

describe('TOTP', () => {
  it('enrols with a confirmed code, then needs a valid code, refuses a wrong one and a replayed one', async () => {
    const root = await admin();
    const setup = await auth.totpSetup(root);
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Minewarden:root\?.*issuer=Minewarden/);
    expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`);
    expect(setup.qrSvg).toMatch(/^<svg/);
    await expect(auth.totpEnable(root, '000000' === code(setup.secret, clock) ? '111111' : '000000')).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    const user = await auth.totpEnable(root, code(setup.secret, clock));
    expect(user.totpEnabled).toBe(true);
    expect(JSON.stringify(user)).not.toContain(setup.secret);

    clock += 30_000;
    await expect(auth.login({ username: 'root', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    const wrong = code(setup.secret, clock) === '123456' ? '654321' : '123456';
    await expect(auth.login({ username: 'root', password: PW, totp: wrong }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED', message: /wrong/ });
    const good = code(setup.secret, clock);
    expect((await auth.login({ username: 'root', password: PW, totp: good }, META)).user.failedLogins).toBe(0);
    // The same code again, still inside its window: refused.
    await expect(auth.login({ username: 'root', password: PW, totp: good }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    // A code from the step before the last one accepted is refused too; the next step's is fine.
    await expect(auth.login({ username: 'root', password: PW, totp: code(setup.secret, clock - 30_000) }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    clock += 30_000;
    expect((await auth.login({ username: 'root', password: PW, totp: code(setup.secret, clock) }, META)).user.username).toBe('root');
  });

  it('accepts a code one step off for clock drift, not two', async () => {
    const root = await admin();
    const { secret } = await auth.totpSetup(root);
    await auth.totpEnable(root, code(secret, clock));
    clock += 5 * 60_000;
    await expect(auth.login({ username: 'root', password: PW, totp: code(secret, clock - 60_000) }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    expect((await auth.login({ username: 'root', password: PW, totp: code(secret, clock + 30_000) }, META)).user.username).toBe('root');
  });

  it('counts wrong codes towards the lock-out', async () => {
    const root = await admin();
    const { secret } = await auth.totpSetup(root);
    await auth.totpEnable(root, code(secret, clock));
    clock += 120_000;
    const wrong = code(secret, clock) === '123456' ? '654321' : '123456';
    await expect(auth.login({ username: 'root', password: PW, totp: wrong }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    await expect(auth.login({ username: 'root', password: PW, totp: wrong }, META)).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    await expect(auth.login({ username: 'root', password: PW, totp: wrong }, META)).rejects.toMatchObject({ code: 'MW_ERR_LOCKED' });
  });

  it('makes a user of a role that requires TOTP enrol first, and refuses to disable it then', async () => {
    const root = await admin();
    await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    await auth.setTotpRequired(root, 'analyst', true);
    expect((await auth.roles()).find((r) => r.role === 'analyst')).toMatchObject({ totpRequired: true, permissions: expect.arrayContaining(['incidents:act']) as unknown });
    const r = await auth.login({ username: 'ana', password: PW }, META);
    expect(r.mustEnrollTotp).toBe(true);
    const ana = await auth.authenticateSession(r.sessionSecret);
    expect(ana?.mustEnrollTotp).toBe(true);
    if (ana === null) throw new Error('no session');
    await expect(auth.createToken(ana, { name: 'x' })).rejects.toMatchObject({ code: 'MW_ERR_TOTP_REQUIRED' });
    const { secret } = await auth.totpSetup(ana);
    await auth.totpEnable(ana, code(secret, clock));
    const after = await auth.authenticateSession(r.sessionSecret);
    expect(after?.mustEnrollTotp).toBe(false);
    if (after === null) throw new Error('no session');
    await expect(auth.totpDisable(after, PW)).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    await auth.setTotpRequired(root, 'analyst', false);
    await expect(auth.totpDisable(after, 'wrong password')).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    expect((await auth.totpDisable(after, PW)).totpEnabled).toBe(false);
  });
});

describe('sessions', () => {
  it('end after the idle time without use, touched at most once a minute', async () => {
    await admin();
    const r = await auth.login({ username: 'root', password: PW }, META);
    expect(await auth.csrfOf(r.sessionSecret)).toBe(r.csrfToken);
    const idHash = (await auth.authenticateSession(r.sessionSecret))?.credentialId ?? '';
    clock += 30_000;
    await auth.authenticateSession(r.sessionSecret);
    expect((await store.auth.getSession(idHash))?.lastSeenAt).toBe(T0);
    clock = T0 + 59 * 60_000;
    expect(await auth.authenticateSession(r.sessionSecret)).not.toBeNull();
    expect((await store.auth.getSession(idHash))?.lastSeenAt).toBe(clock);
    clock += 3600_000 - 1;
    expect(await auth.authenticateSession(r.sessionSecret)).not.toBeNull();
    clock += 3600_000;
    expect(await auth.authenticateSession(r.sessionSecret)).toBeNull();
    expect(await store.auth.getSession(idHash)).toBeNull();
    expect(await auth.csrfOf(r.sessionSecret)).toBeNull();
  });

  it('end after the maximum time however busy', async () => {
    await admin();
    const r = await auth.login({ username: 'root', password: PW }, META);
    for (let h = 0; h < 8 * 2 - 1; h++) {
      clock += 30 * 60_000;
      expect(await auth.authenticateSession(r.sessionSecret)).not.toBeNull();
    }
    clock = T0 + 8 * 3600_000;
    expect(await auth.authenticateSession(r.sessionSecret)).toBeNull();
  });

  it('end at logout, and an unknown secret is nobody', async () => {
    await admin();
    const r = await auth.login({ username: 'root', password: PW }, META);
    await auth.logout(r.sessionSecret, META.ip);
    expect(await auth.authenticateSession(r.sessionSecret)).toBeNull();
    expect(await auth.authenticateSession('nope')).toBeNull();
    expect(await auth.authenticateSession('')).toBeNull();
  });

  it('a password change ends the other sessions, not this one', async () => {
    await admin();
    const a = await auth.login({ username: 'root', password: PW }, META);
    const b = await auth.login({ username: 'root', password: PW }, META);
    const p = await auth.authenticateSession(a.sessionSecret);
    if (p === null) throw new Error('no session');
    await expect(auth.changePassword(p, 'wrong one!!', 'another long one')).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    await auth.changePassword(p, PW, 'another long one');
    expect(await auth.authenticateSession(a.sessionSecret)).not.toBeNull();
    expect(await auth.authenticateSession(b.sessionSecret)).toBeNull();
    await expect(auth.login({ username: 'root', password: PW }, META)).rejects.toMatchObject({ code: 'MW_ERR_AUTH' });
    expect((await auth.login({ username: 'root', password: 'another long one' }, META)).user.username).toBe('root');
  });
});

describe('API tokens', () => {
  it('authenticate as their user, expire, and are gone once deleted', async () => {
    const root = await admin();
    await auth.createUser(root, { username: 'viewer', password: PW, role: 'unit-viewer', units: ['north'] });
    const viewer = await principal('viewer');
    const { token, secret } = await auth.createToken(viewer, { name: 'grafana', expiresInDays: 2 });
    expect(secret).toMatch(/^mw_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'grafana', prefix: secret.slice(3, 11), expiresAt: T0 + 2 * 86_400_000, lastUsedAt: null });
    expect(token).not.toHaveProperty('hash');
    const p = await auth.authenticateToken(secret, '10.1.1.1');
    expect(p).toMatchObject({ username: 'viewer', role: 'unit-viewer', units: ['north'], via: 'token', credentialId: token.id, ip: '10.1.1.1' });
    expect((await auth.listTokens(viewer)).map((t) => t.lastUsedAt)).toEqual([T0]);
    expect(await auth.authenticateToken(`${secret}x`)).toBeNull();
    expect(await auth.authenticateToken('not-a-token')).toBeNull();
    clock += 2 * 86_400_000;
    expect(await auth.authenticateToken(secret)).toBeNull();

    const second = await auth.createToken(viewer, { name: 'script' });
    expect(second.token.expiresAt).toBeNull();
    await expect(auth.listTokens(viewer, true)).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    clock += 1000;
    const rootToken = await auth.createToken(root, { name: 'root-only' });
    await expect(auth.deleteToken(viewer, rootToken.token.id)).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    expect((await auth.listTokens(root, true)).map((t) => t.name)).toEqual(['grafana', 'script', 'root-only']);
    await auth.deleteToken(viewer, second.token.id);
    await auth.deleteToken(root, token.id);
    expect(await auth.authenticateToken(second.secret)).toBeNull();
    expect((await auth.listTokens(root, true)).map((t) => t.name)).toEqual(['root-only']);
    await expect(auth.deleteToken(root, 'nope')).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
    await expect(auth.createToken(root, { name: 'x', expiresInDays: 0 })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
  });
});

describe('users', () => {
  it('needs users:manage', async () => {
    const root = await admin();
    await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    const ana = await principal('ana');
    await expect(auth.listUsers(ana)).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    await expect(auth.createUser(ana, { username: 'x', password: PW, role: 'admin' })).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    await expect(auth.setTotpRequired(ana, 'admin', true)).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
    await expect(auth.audit.list(ana, {})).rejects.toMatchObject({ code: 'MW_ERR_FORBIDDEN' });
  });

  it('gives a unit viewer at least one existing unit, and other roles none', async () => {
    const root = await admin();
    await expect(auth.createUser(root, { username: 'v', password: PW, role: 'unit-viewer' })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT', message: /at least one unit/ });
    await expect(auth.createUser(root, { username: 'v', password: PW, role: 'unit-viewer', units: ['north', 'west'] })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT', message: /no unit "west"/ });
    await expect(auth.createUser(root, { username: 'v', password: PW, role: 'analyst', units: ['north'] })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    const v = await auth.createUser(root, { username: 'V', password: PW, role: 'unit-viewer', units: ['north', 'north', 'south'] });
    expect(v).toMatchObject({ username: 'v', units: ['north', 'south'], language: 'en', displayName: 'v' });
    await expect(auth.createUser(root, { username: 'v', password: PW, role: 'analyst' })).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
    // A role change ends the sessions and clears the units.
    const r = await auth.login({ username: 'v', password: PW }, META);
    expect(await auth.updateUser(root, v.id, { role: 'analyst' })).toMatchObject({ role: 'analyst', units: [] });
    expect(await auth.authenticateSession(r.sessionSecret)).toBeNull();
    await expect(auth.updateUser(root, v.id, { role: 'unit-viewer' })).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
  });

  it('never deletes, demotes or disables the last administrator, nor deletes oneself', async () => {
    const root = await admin();
    await expect(auth.deleteUser(root, root.userId)).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT', message: /own account/ });
    await expect(auth.adminDeleteUser('cli:ops', 'root')).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT', message: /last administrator/ });
    await expect(auth.updateUser(root, root.userId, { role: 'analyst' })).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
    await expect(auth.updateUser(root, root.userId, { disabled: true })).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
    const second = await auth.createUser(root, { username: 'second', password: PW, role: 'admin' });
    const tok = await auth.adminCreateToken('cli:ops', 'second', { name: 'ci' });
    await auth.deleteUser(root, second.id);
    expect(await auth.authenticateToken(tok.secret)).toBeNull();
    await expect(auth.deleteUser(root, second.id)).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
  });

  it('offers the same operations to the CLI by username', async () => {
    const u = await auth.adminCreateUser('cli:ops', { username: 'ops', password: PW, role: 'admin', displayName: '运维', language: 'zh' });
    expect(u).toMatchObject({ username: 'ops', displayName: '运维', language: 'zh' });
    await auth.adminSetPassword('cli:ops', 'ops', 'brand new password');
    expect((await auth.login({ username: 'ops', password: 'brand new password' }, META)).user.id).toBe(u.id);
    expect((await auth.adminUpdateUser('cli:ops', 'ops', { displayName: 'Ops' })).displayName).toBe('Ops');
    expect((await auth.adminResetTotp('cli:ops', 'ops')).totpEnabled).toBe(false);
    expect((await auth.adminUnlock('cli:ops', 'ops')).failedLogins).toBe(0);
    expect((await auth.adminListUsers()).map((x) => x.username)).toEqual(['ops']);
    await expect(auth.adminUnlock('cli:ops', 'ghost')).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
  });
});

describe('audit log', () => {
  it('records every change with its actor and no secrets', async () => {
    const root = await admin();
    const ana = await auth.createUser(root, { username: 'ana', password: PW, role: 'analyst' });
    await auth.updateUser(root, ana.id, { password: 'a different one', displayName: 'Ana' });
    await expect(auth.login({ username: 'ana', password: 'not her password' }, META)).rejects.toThrow();
    const { secret } = await auth.totpSetup(root);
    await auth.totpEnable(root, code(secret, clock));
    const tok = await auth.createToken(root, { name: 'ci' });
    await auth.deleteToken(root, tok.token.id);
    await auth.setTotpRequired(root, 'admin', true);
    await auth.adminUnlock('cli:ops', 'ana');
    await auth.adminDeleteUser('cli:ops', 'ana');

    const entries = await auth.audit.list(root, { limit: 100 });
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'setup', 'auth.login', 'user.create', 'user.update', 'auth.login-failed', 'auth.totp-enable', 'token.create', 'token.delete', 'role.update', 'user.unlock', 'user.delete',
    ]);
    expect(entries.find((e) => e.action === 'user.update')).toMatchObject({
      actor: 'root', target: `user:${ana.id}`, before: { displayName: 'ana' }, after: { displayName: 'Ana', passwordChanged: true }, ip: META.ip,
    });
    expect(entries.find((e) => e.action === 'user.delete')).toMatchObject({ actor: 'cli:ops', after: null, ip: null });
    const text = JSON.stringify(entries);
    for (const s of [secret, tok.secret, tok.secret.slice(3), '$argon2id', PW, 'a different one', 'not her password']) expect(text).not.toContain(s);
    expect((await auth.audit.list(root, { action: 'token.' })).map((e) => e.action)).toEqual(['token.delete', 'token.create']);
  });

  it('removes secrets from what other modules record, at any depth', async () => {
    const e = await auth.audit.record('system', 'x.test', 'x:1', { passwordHash: 'h', keep: 1, nested: [{ totpSecret: 's', hash: 'h', ok: true }] }, { secrets: ['a'], totpPending: 'p', fine: 'yes' });
    expect(e).toMatchObject({ before: { keep: 1, nested: [{ ok: true }] }, after: { fine: 'yes' }, ip: null, at: T0 });
  });
});
