/**
 * AuthService: first setup, login with lock-out and TOTP, sessions, API tokens, user
 * administration, the own account, and role settings; every change goes to the audit log.
 *
 * Each administrative operation exists twice: for a Principal (the API: the permission is checked
 * first) and for a plain actor name (the CLI on the server's own machine, `cli:<OS user>`). Both
 * call the same private function.
 */
import type { ApiConfig } from '../config/index.ts';
import { MinewardenError } from '../core/errors.ts';
import { ROLE_PERMISSIONS, ROLES, roleCan, type ApiToken, type Permission, type Principal, type Role, type User } from '../model/auth.ts';
import type { AuthStore, SessionRecord, TokenRecord, UserRecord } from '../store/index.ts';
import { AuditLog, actorOf } from './audit.ts';
import { checkPasswordRule, hashPassword, spendVerify, verifyPassword } from './passwords.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import { mintToken, tokenView } from './tokens.ts';
import { checkTotp, newTotpSecret, otpauthUrl, qrSvg } from './totp.ts';
import type { Actor, CreateTokenInput, CreateUserInput, LoginInput, LoginResult, RequestMeta, RoleInfo, SetupInput, TotpSetup, UpdateUserInput } from './types.ts';
import { checkUnits, normalizeUsername, parseDisplayName, parseLanguage, parseRole, principalOf, publicUser } from './users.ts';

export interface AuthServiceOptions {
  store: AuthStore;
  config: ApiConfig;
  now?: () => number;
  /** Whether a unit id exists (a unit viewer's units are checked against the tree). */
  unitExists: (id: string) => boolean;
  /** The audit log to write to (default: one over `store`). */
  audit?: AuditLog;
}

const MINUTE = 60_000;
const BAD_LOGIN = 'wrong username or password';

function notFound(what: string): MinewardenError {
  return new MinewardenError('MW_ERR_NOT_FOUND', `no user ${what}`);
}

export class AuthService {
  readonly audit: AuditLog;
  private readonly store: AuthStore;
  private readonly config: ApiConfig;
  private readonly now: () => number;
  private readonly unitExists: (id: string) => boolean;
  /** Serialises setup, so two first requests cannot both create an administrator. */
  private setupQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: AuthServiceOptions) {
    this.store = opts.store;
    this.config = opts.config;
    this.now = opts.now ?? Date.now;
    this.unitExists = opts.unitExists;
    this.audit = opts.audit ?? new AuditLog(opts.store, this.now);
  }

  // ---- setup and login --------------------------------------------------------------------

  async needsSetup(): Promise<boolean> {
    return (await this.store.countUsers()) === 0;
  }

  /** The first administrator, only while there is no user; then logged in. */
  setup(input: SetupInput, meta: RequestMeta): Promise<LoginResult> {
    const run = this.setupQueue.then(async () => {
      if (!(await this.needsSetup())) throw new MinewardenError('MW_ERR_CONFLICT', 'setup is done: there are users already');
      const username = normalizeUsername(input.username);
      const user = await this.createUserRecord({ name: username, ip: meta.ip, userId: null }, { ...input, role: 'admin' }, 'setup');
      return this.login({ username: user.username, password: input.password }, meta);
    });
    this.setupQueue = run.catch(() => undefined);
    return run;
  }

  async login(input: LoginInput, meta: RequestMeta): Promise<LoginResult> {
    const now = this.now();
    const typed = typeof input.username === 'string' ? input.username.trim().toLowerCase().slice(0, 64) : '';
    const password = typeof input.password === 'string' ? input.password : '';
    const rec = typed === '' ? null : await this.store.findUser(typed);
    if (rec === null) {
      await spendVerify(password);
      await this.audit.record(typed || '-', 'auth.login-failed', 'user:-', null, { username: typed, reason: 'unknown user' }, meta.ip);
      throw new MinewardenError('MW_ERR_AUTH', BAD_LOGIN);
    }
    if (rec.lockedUntil !== null && rec.lockedUntil > now) throw this.locked(rec.lockedUntil - now);
    // A lock that has run out leaves a fresh count.
    const failedSoFar = rec.lockedUntil !== null ? 0 : rec.failedLogins;
    if (!(await verifyPassword(rec.passwordHash, password))) {
      await this.failLogin(rec, failedSoFar, 'password', meta);
      throw new MinewardenError('MW_ERR_AUTH', BAD_LOGIN);
    }
    if (rec.disabled) {
      await this.audit.record(rec.username, 'auth.login-failed', `user:${rec.id}`, null, { reason: 'disabled' }, meta.ip);
      throw new MinewardenError('MW_ERR_AUTH', 'the account is disabled');
    }
    let step: number | null = null;
    if (rec.totpEnabled && rec.totpSecret !== null) {
      if (input.totp === undefined || input.totp === '') throw new MinewardenError('MW_ERR_TOTP_REQUIRED', 'enter the code from your authenticator app');
      step = checkTotp(rec.totpSecret, input.totp, now, rec.totpLastStep);
      if (step === null) {
        await this.failLogin(rec, failedSoFar, 'totp', meta);
        throw new MinewardenError('MW_ERR_TOTP_REQUIRED', 'the code is wrong or was used already');
      }
    }
    const user = await this.store.updateUser(rec.id, {
      failedLogins: 0, lockedUntil: null, lastLoginAt: now, ...(step === null ? {} : { totpLastStep: step }),
    });
    const sessionSecret = randomSecret();
    const csrfToken = randomSecret();
    const session: SessionRecord = {
      idHash: sha256Hex(sessionSecret), userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: this.sessionExpiry(now, now),
      csrf: csrfToken, totpPassed: true, ip: meta.ip, userAgent: meta.userAgent,
    };
    await this.store.createSession(session);
    await this.audit.record(user.username, 'auth.login', `user:${user.id}`, null, { via: 'session', totp: step !== null }, meta.ip);
    return { sessionSecret, csrfToken, user: publicUser(user), mustEnrollTotp: await this.mustEnroll(user) };
  }

  private locked(msLeft: number): MinewardenError {
    const minutes = Math.max(1, Math.ceil(msLeft / MINUTE));
    return new MinewardenError('MW_ERR_LOCKED', `too many failed logins: the account is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`);
  }

  /** Counts a failure; the one that reaches lockout.attempts locks the account (and says so). */
  private async failLogin(rec: UserRecord, failedSoFar: number, reason: 'password' | 'totp', meta: RequestMeta): Promise<void> {
    const failed = failedSoFar + 1;
    const target = `user:${rec.id}`;
    await this.audit.record(rec.username, 'auth.login-failed', target, null, { reason, failedLogins: failed }, meta.ip);
    if (failed < this.config.lockout.attempts) {
      await this.store.updateUser(rec.id, { failedLogins: failed, lockedUntil: null });
      return;
    }
    const ms = this.config.lockout.duration * 1000;
    const lockedUntil = this.now() + ms;
    await this.store.updateUser(rec.id, { failedLogins: failed, lockedUntil });
    await this.audit.record('system', 'auth.locked', target, null, { failedLogins: failed, lockedUntil }, meta.ip);
    throw this.locked(ms);
  }

  // ---- sessions ---------------------------------------------------------------------------

  /** A session ends after sessionIdle without use, and after sessionMax in any case. */
  private sessionExpiry(createdAt: number, lastSeenAt: number): number {
    return Math.min(createdAt + this.config.sessionMax * 1000, lastSeenAt + this.config.sessionIdle * 1000);
  }

  private async liveSession(secret: unknown): Promise<SessionRecord | null> {
    if (typeof secret !== 'string' || secret === '') return null;
    const s = await this.store.getSession(sha256Hex(secret));
    if (s === null) return null;
    if (this.now() >= this.sessionExpiry(s.createdAt, s.lastSeenAt)) {
      await this.store.deleteSession(s.idHash);
      return null;
    }
    return s;
  }

  /** The principal of a session cookie, or null (unknown, expired, user disabled or gone). */
  async authenticateSession(secret: string, ip?: string): Promise<Principal | null> {
    const s = await this.liveSession(secret);
    if (s === null) return null;
    const user = await this.store.getUser(s.userId);
    if (user === null || user.disabled) {
      await this.store.deleteSession(s.idHash);
      return null;
    }
    const now = this.now();
    // Touched at most once a minute: a busy console does not write on every request.
    if (now - s.lastSeenAt >= MINUTE) await this.store.updateSession(s.idHash, { lastSeenAt: now, expiresAt: this.sessionExpiry(s.createdAt, now) });
    return principalOf(user, 'session', s.idHash, await this.mustEnroll(user), ip ?? s.ip);
  }

  /** The CSRF token bound to a live session. */
  async csrfOf(secret: string): Promise<string | null> {
    return (await this.liveSession(secret))?.csrf ?? null;
  }

  async logout(secret: string, ip?: string): Promise<void> {
    if (typeof secret !== 'string' || secret === '') return;
    const s = await this.store.getSession(sha256Hex(secret));
    if (s === null) return;
    await this.store.deleteSession(s.idHash);
    const user = await this.store.getUser(s.userId);
    await this.audit.record(user?.username ?? `user:${s.userId}`, 'auth.logout', `user:${s.userId}`, null, null, ip ?? s.ip);
  }

  /** Removes sessions past their absolute expiry (idle ones are refused when used). */
  deleteExpiredSessions(): Promise<number> {
    return this.store.deleteExpiredSessions(this.now());
  }

  private async mustEnroll(u: UserRecord): Promise<boolean> {
    return !u.totpEnabled && (await this.store.totpRequiredRoles()).includes(u.role);
  }

  // ---- API tokens -------------------------------------------------------------------------

  /** The principal of a bearer token, or null (unknown, expired, user disabled or gone). */
  async authenticateToken(secret: string, ip?: string): Promise<Principal | null> {
    if (typeof secret !== 'string' || !secret.startsWith('mw_')) return null;
    const t = await this.store.findToken(sha256Hex(secret));
    if (t === null) return null;
    const now = this.now();
    if (t.expiresAt !== null && now >= t.expiresAt) return null;
    const user = await this.store.getUser(t.userId);
    if (user === null || user.disabled) return null;
    if (t.lastUsedAt === null || now - t.lastUsedAt >= MINUTE) await this.store.touchToken(t.id, now);
    // A token is a machine's: the second-factor enrolment is the person's business in the console.
    return principalOf(user, 'token', t.id, false, ip);
  }

  async createToken(principal: Principal, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    this.allow(principal);
    return this.createTokenFor(this.actor(principal), await this.userById(principal.userId), input);
  }

  async adminCreateToken(actor: string, username: string, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    return this.createTokenFor(this.cli(actor), await this.userByName(username), input);
  }

  /** Own tokens; `all` (users:manage) every token. */
  async listTokens(principal: Principal, all = false): Promise<ApiToken[]> {
    this.allow(principal, all ? 'users:manage' : undefined);
    return (await this.store.listTokens(all ? undefined : principal.userId)).map(tokenView);
  }

  async adminListTokens(): Promise<ApiToken[]> {
    return (await this.store.listTokens()).map(tokenView);
  }

  /** Own token, or any with users:manage. */
  async deleteToken(principal: Principal, id: string): Promise<void> {
    this.allow(principal);
    const t = await this.tokenById(id);
    if (t.userId !== principal.userId && !roleCan(principal.role, 'users:manage')) {
      throw new MinewardenError('MW_ERR_FORBIDDEN', 'deleting the token of another user needs the users:manage permission');
    }
    await this.deleteTokenRecord(this.actor(principal), t);
  }

  async adminDeleteToken(actor: string, id: string): Promise<void> {
    await this.deleteTokenRecord(this.cli(actor), await this.tokenById(id));
  }

  private async tokenById(id: unknown): Promise<TokenRecord> {
    const t = (await this.store.listTokens()).find((x) => x.id === id);
    if (t === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no token ${String(id)}`);
    return t;
  }

  private async createTokenFor(actor: Actor, user: UserRecord, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    const { record, secret } = mintToken(user.id, input, this.now());
    await this.store.createToken(record);
    const token = tokenView(record);
    await this.audit.record(actor.name, 'token.create', `token:${token.id}`, null, { ...token, username: user.username }, actor.ip);
    return { token, secret };
  }

  private async deleteTokenRecord(actor: Actor, t: TokenRecord): Promise<void> {
    await this.store.deleteToken(t.id);
    await this.audit.record(actor.name, 'token.delete', `token:${t.id}`, tokenView(t), null, actor.ip);
  }

  // ---- users (administration) -------------------------------------------------------------

  async listUsers(principal: Principal): Promise<User[]> {
    this.allow(principal, 'users:manage');
    return this.adminListUsers();
  }

  async adminListUsers(): Promise<User[]> {
    return (await this.store.listUsers()).map(publicUser);
  }

  async createUser(principal: Principal, input: CreateUserInput): Promise<User> {
    this.allow(principal, 'users:manage');
    return publicUser(await this.createUserRecord(this.actor(principal), input, 'user.create'));
  }

  async adminCreateUser(actor: string, input: CreateUserInput): Promise<User> {
    return publicUser(await this.createUserRecord(this.cli(actor), input, 'user.create'));
  }

  async updateUser(principal: Principal, id: number, patch: UpdateUserInput): Promise<User> {
    this.allow(principal, 'users:manage');
    return this.updateUserRecord(this.actor(principal), await this.userById(id), patch);
  }

  /** The CLI's `user role`, `user passwd`, `user reset-2fa`. */
  async adminUpdateUser(actor: string, username: string, patch: UpdateUserInput): Promise<User> {
    return this.updateUserRecord(this.cli(actor), await this.userByName(username), patch);
  }

  adminSetPassword(actor: string, username: string, password: string): Promise<User> {
    return this.adminUpdateUser(actor, username, { password });
  }

  adminResetTotp(actor: string, username: string): Promise<User> {
    return this.adminUpdateUser(actor, username, { resetTotp: true });
  }

  async deleteUser(principal: Principal, id: number): Promise<void> {
    this.allow(principal, 'users:manage');
    await this.deleteUserRecord(this.actor(principal), await this.userById(id));
  }

  async adminDeleteUser(actor: string, username: string): Promise<void> {
    await this.deleteUserRecord(this.cli(actor), await this.userByName(username));
  }

  async unlock(principal: Principal, id: number): Promise<User> {
    this.allow(principal, 'users:manage');
    return this.unlockRecord(this.actor(principal), await this.userById(id));
  }

  async adminUnlock(actor: string, username: string): Promise<User> {
    return this.unlockRecord(this.cli(actor), await this.userByName(username));
  }

  private async createUserRecord(actor: Actor, input: CreateUserInput, action: 'user.create' | 'setup'): Promise<UserRecord> {
    const username = normalizeUsername(input.username);
    const role = parseRole(input.role);
    const units = checkUnits(role, input.units, this.unitExists);
    const password = checkPasswordRule(input.password, username);
    const user = await this.store.createUser({
      username, displayName: parseDisplayName(input.displayName, username), role, units,
      language: input.language === undefined ? 'en' : parseLanguage(input.language), disabled: false, totpEnabled: false,
      createdAt: this.now(), passwordHash: await hashPassword(password), totpSecret: null, totpPending: null,
    });
    await this.audit.record(action === 'setup' ? user.username : actor.name, action, `user:${user.id}`, null, publicUser(user), actor.ip);
    return user;
  }

  private async updateUserRecord(actor: Actor, before: UserRecord, patch: UpdateUserInput): Promise<User> {
    const next: Partial<Omit<UserRecord, 'id' | 'createdAt'>> = {};
    const role = patch.role === undefined ? before.role : parseRole(patch.role);
    if (role !== before.role) next.role = role;
    if (patch.units !== undefined || role !== before.role) {
      // A role change without units keeps them for a unit viewer and clears them for the others.
      next.units = checkUnits(role, patch.units ?? (role === 'unit-viewer' ? before.units : []), this.unitExists);
    }
    if (patch.displayName !== undefined) next.displayName = parseDisplayName(patch.displayName, before.username);
    if (patch.language !== undefined) next.language = parseLanguage(patch.language);
    if (patch.disabled !== undefined) {
      if (typeof patch.disabled !== 'boolean') throw new MinewardenError('MW_ERR_BAD_INPUT', 'disabled must be true or false');
      next.disabled = patch.disabled;
    }
    if (patch.password !== undefined) next.passwordHash = await hashPassword(checkPasswordRule(patch.password, before.username));
    if (patch.resetTotp === true) Object.assign(next, { totpEnabled: false, totpSecret: null, totpPending: null, totpLastStep: null });
    if (before.role === 'admin' && !before.disabled && (role !== 'admin' || next.disabled === true)) await this.keepAnAdmin(before, 'demote or disable');

    const after = await this.store.updateUser(before.id, next);
    // A new role, a new password or a disabled account: whoever holds a session logs in again.
    if (next.role !== undefined || next.passwordHash !== undefined || (next.disabled === true && !before.disabled)) await this.store.deleteUserSessions(before.id);
    await this.audit.record(actor.name, 'user.update', `user:${before.id}`, publicUser(before), {
      ...publicUser(after), ...(next.passwordHash === undefined ? {} : { passwordChanged: true }), ...(patch.resetTotp === true ? { totpReset: true } : {}),
    }, actor.ip);
    return publicUser(after);
  }

  private async deleteUserRecord(actor: Actor, u: UserRecord): Promise<void> {
    if (actor.userId === u.id) throw new MinewardenError('MW_ERR_CONFLICT', 'you cannot delete your own account');
    if (u.role === 'admin' && !u.disabled) await this.keepAnAdmin(u, 'delete');
    await this.store.deleteUser(u.id);
    await this.audit.record(actor.name, 'user.delete', `user:${u.id}`, publicUser(u), null, actor.ip);
  }

  private async unlockRecord(actor: Actor, u: UserRecord): Promise<User> {
    const after = await this.store.updateUser(u.id, { failedLogins: 0, lockedUntil: null });
    await this.audit.record(actor.name, 'user.unlock', `user:${u.id}`, { failedLogins: u.failedLogins, lockedUntil: u.lockedUntil }, { failedLogins: 0, lockedUntil: null }, actor.ip);
    return publicUser(after);
  }

  /** Refuses to leave no enabled administrator. */
  private async keepAnAdmin(u: UserRecord, what: string): Promise<void> {
    const admins = (await this.store.listUsers()).filter((x) => x.role === 'admin' && !x.disabled && x.id !== u.id);
    if (admins.length === 0) throw new MinewardenError('MW_ERR_CONFLICT', `cannot ${what} ${u.username}: it is the last administrator`);
  }

  private async userById(id: unknown): Promise<UserRecord> {
    const n = typeof id === 'string' ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${String(id)}" is not a user id`);
    const u = await this.store.getUser(n);
    if (u === null) throw notFound(`#${n}`);
    return u;
  }

  private async userByName(username: string): Promise<UserRecord> {
    const u = await this.store.findUser(normalizeUsername(username));
    if (u === null) throw notFound(`"${username}"`);
    return u;
  }

  // ---- own account ------------------------------------------------------------------------

  /** The principal's own account (also while a second factor must still be enrolled). */
  async me(principal: Principal): Promise<User> {
    return publicUser(await this.userById(principal.userId));
  }

  /** Verifies the current password; ends the user's other sessions. */
  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    this.allow(principal);
    const u = await this.userById(principal.userId);
    if (!(await verifyPassword(u.passwordHash, typeof current === 'string' ? current : ''))) {
      throw new MinewardenError('MW_ERR_AUTH', 'the current password is wrong');
    }
    const passwordHash = await hashPassword(checkPasswordRule(next, u.username));
    await this.store.updateUser(u.id, { passwordHash });
    const keep = principal.via === 'session' ? await this.store.getSession(principal.credentialId) : null;
    await this.store.deleteUserSessions(u.id);
    if (keep !== null) await this.store.createSession(keep);
    await this.audit.record(actorOf(principal), 'auth.password', `user:${u.id}`, null, { passwordChanged: true }, principal.ip ?? null);
  }

  /** A new secret, pending until `totpEnable` confirms a code from it. */
  async totpSetup(principal: Principal): Promise<TotpSetup> {
    const u = await this.userById(principal.userId);
    const secret = newTotpSecret();
    await this.store.updateUser(u.id, { totpPending: secret });
    const url = otpauthUrl(secret, u.username);
    return { secret, otpauthUrl: url, qrSvg: await qrSvg(url) };
  }

  async totpEnable(principal: Principal, code: string): Promise<User> {
    const u = await this.userById(principal.userId);
    if (u.totpPending === null) throw new MinewardenError('MW_ERR_CONFLICT', 'no second factor is being set up: start with the TOTP setup');
    const step = checkTotp(u.totpPending, code, this.now(), null);
    if (step === null) throw new MinewardenError('MW_ERR_BAD_INPUT', 'the code is wrong: check the code and the clock of the device');
    const after = await this.store.updateUser(u.id, { totpSecret: u.totpPending, totpPending: null, totpEnabled: true, totpLastStep: step });
    await this.audit.record(actorOf(principal), 'auth.totp-enable', `user:${u.id}`, { totpEnabled: u.totpEnabled }, { totpEnabled: true }, principal.ip ?? null);
    return publicUser(after);
  }

  /** Refused when the role requires a second factor. */
  async totpDisable(principal: Principal, password: string): Promise<User> {
    this.allow(principal);
    const u = await this.userById(principal.userId);
    if ((await this.store.totpRequiredRoles()).includes(u.role)) throw new MinewardenError('MW_ERR_FORBIDDEN', `the role ${u.role} requires a second factor`);
    if (!(await verifyPassword(u.passwordHash, typeof password === 'string' ? password : ''))) throw new MinewardenError('MW_ERR_AUTH', 'the password is wrong');
    const after = await this.store.updateUser(u.id, { totpEnabled: false, totpSecret: null, totpPending: null, totpLastStep: null });
    await this.audit.record(actorOf(principal), 'auth.totp-disable', `user:${u.id}`, { totpEnabled: u.totpEnabled }, { totpEnabled: false }, principal.ip ?? null);
    return publicUser(after);
  }

  // ---- roles ------------------------------------------------------------------------------

  async roles(): Promise<RoleInfo[]> {
    const required = await this.store.totpRequiredRoles();
    return ROLES.map((role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]], totpRequired: required.includes(role) }));
  }

  async setTotpRequired(principal: Principal, role: Role, required: boolean): Promise<RoleInfo> {
    this.allow(principal, 'users:manage');
    const r = parseRole(role);
    if (typeof required !== 'boolean') throw new MinewardenError('MW_ERR_BAD_INPUT', 'totpRequired must be true or false');
    const before = (await this.store.totpRequiredRoles()).includes(r);
    await this.store.setTotpRequired(r, required);
    await this.audit.record(actorOf(principal), 'role.update', `role:${r}`, { totpRequired: before }, { totpRequired: required }, principal.ip ?? null);
    return { role: r, permissions: [...ROLE_PERMISSIONS[r]], totpRequired: required };
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * Until a required second factor is enrolled only enrolment and logout are allowed; then the
   * permission, if one is named.
   */
  private allow(p: Principal, permission?: Permission): void {
    if (p.mustEnrollTotp) throw new MinewardenError('MW_ERR_TOTP_REQUIRED', 'set up a second factor first: your role requires one');
    if (permission !== undefined && !roleCan(p.role, permission)) {
      throw new MinewardenError('MW_ERR_FORBIDDEN', `this needs the ${permission} permission, which the role ${p.role} does not have`);
    }
  }

  private actor(p: Principal): Actor {
    return { name: actorOf(p), ip: p.ip ?? null, userId: p.userId };
  }

  private cli(name: string): Actor {
    return { name, ip: null, userId: null };
  }
}

