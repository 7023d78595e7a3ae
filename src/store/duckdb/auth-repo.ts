/**
 * AuthStore on DuckDB (migration 5): `users` (case-insensitive uniqueness through `username_key`,
 * units as JSON text), `sessions`, `api_tokens`, `role_settings` and the append-only `audit_log`
 * (ids from the sequence `audit_ids`). Deleting a user removes its sessions and tokens in the
 * same transaction (no foreign keys: DuckDB's would refuse updates to referenced rows).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { MinewardenError } from '../../core/errors.ts';
import type { AuditEntry, Role, User } from '../../model/auth.ts';
import type { AuditQuery, AuthStore, NewUser, SessionRecord, TokenRecord, UserRecord } from '../auth.ts';
import { type Db, type Row, num, str } from './db.ts';

const USER_COLUMNS =
  'id, username, username_key, display_name, role, units, language, disabled, totp_enabled, created_at, last_login_at, failed_logins, locked_until, password_hash, totp_secret, totp_pending, totp_last_step';
const SESSION_COLUMNS = 'id_hash, user_id, created_at, last_seen_at, expires_at, csrf, totp_passed, ip, user_agent';
const TOKEN_COLUMNS = 'id, name, user_id, prefix, hash, created_at, last_used_at, expires_at';
const AUDIT_COLUMNS = 'id, ts, actor, action, target, before_value, after_value, ip';

const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 500;

function textOrNull(v: DuckDBValue | undefined): string | null {
  return v === null || v === undefined ? null : str(v);
}

function numOrNull(v: DuckDBValue | undefined): number | null {
  return v === null || v === undefined ? null : num(v);
}

function jsonOrNull(v: DuckDBValue | undefined): unknown {
  return v === null || v === undefined ? null : (JSON.parse(str(v)) as unknown);
}

function toUser(r: Row): UserRecord {
  return {
    id: num(r.id),
    username: str(r.username),
    displayName: str(r.display_name),
    role: str(r.role) as Role,
    units: JSON.parse(str(r.units)) as string[],
    language: str(r.language) as User['language'],
    disabled: r.disabled === true,
    totpEnabled: r.totp_enabled === true,
    createdAt: num(r.created_at),
    lastLoginAt: numOrNull(r.last_login_at),
    failedLogins: num(r.failed_logins),
    lockedUntil: numOrNull(r.locked_until),
    passwordHash: str(r.password_hash),
    totpSecret: textOrNull(r.totp_secret),
    totpPending: textOrNull(r.totp_pending),
    totpLastStep: numOrNull(r.totp_last_step),
  };
}

function toSession(r: Row): SessionRecord {
  return {
    idHash: str(r.id_hash),
    userId: num(r.user_id),
    createdAt: num(r.created_at),
    lastSeenAt: num(r.last_seen_at),
    expiresAt: num(r.expires_at),
    csrf: str(r.csrf),
    totpPassed: r.totp_passed === true,
    ip: textOrNull(r.ip),
    userAgent: textOrNull(r.user_agent),
  };
}

function toToken(r: Row): TokenRecord {
  return {
    id: str(r.id),
    name: str(r.name),
    userId: num(r.user_id),
    prefix: str(r.prefix),
    hash: str(r.hash),
    createdAt: num(r.created_at),
    lastUsedAt: numOrNull(r.last_used_at),
    expiresAt: numOrNull(r.expires_at),
  };
}

function toAudit(r: Row): AuditEntry {
  return {
    id: num(r.id),
    at: num(r.ts),
    actor: str(r.actor),
    action: str(r.action),
    target: str(r.target),
    before: jsonOrNull(r.before_value),
    after: jsonOrNull(r.after_value),
    ip: textOrNull(r.ip),
  };
}

/** The column and stored value of each patchable user field. */
const USER_FIELDS: { [K in keyof Omit<UserRecord, 'id' | 'createdAt'>]-?: [string, (v: UserRecord[K]) => DuckDBValue] } = {
  username: ['username', (v) => v],
  displayName: ['display_name', (v) => v],
  role: ['role', (v) => v],
  units: ['units', (v) => JSON.stringify(v)],
  language: ['language', (v) => v],
  disabled: ['disabled', (v) => v],
  totpEnabled: ['totp_enabled', (v) => v],
  lastLoginAt: ['last_login_at', (v) => v],
  failedLogins: ['failed_logins', (v) => v],
  lockedUntil: ['locked_until', (v) => v],
  passwordHash: ['password_hash', (v) => v],
  totpSecret: ['totp_secret', (v) => v],
  totpPending: ['totp_pending', (v) => v],
  totpLastStep: ['totp_last_step', (v) => (v === null ? null : BigInt(v))],
};

async function rows(c: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> {
  return (await c.runAndReadAll(sql, params)).getRowObjects();
}

async function userWhere(c: DuckDBConnection, where: string, param: DuckDBValue): Promise<UserRecord | null> {
  const [r] = await rows(c, `SELECT ${USER_COLUMNS} FROM users WHERE ${where}`, [param]);
  return r === undefined ? null : toUser(r);
}

function taken(username: string): MinewardenError {
  return new MinewardenError('MW_ERR_CONFLICT', `the username "${username}" is taken`);
}

export class DuckDbAuthStore implements AuthStore {
  constructor(private readonly db: Db) {}

  async countUsers(): Promise<number> {
    const [r] = await this.db.all('SELECT count(*) AS n FROM users');
    return num(r?.n);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.all(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`)).map(toUser);
  }

  getUser(id: number): Promise<UserRecord | null> {
    return this.db.exclusive((c) => userWhere(c, 'id = $1', id));
  }

  findUser(username: string): Promise<UserRecord | null> {
    return this.db.exclusive((c) => userWhere(c, 'username_key = $1', username.toLowerCase()));
  }

  createUser(u: NewUser): Promise<UserRecord> {
    return this.db.transaction(async (c) => {
      const key = u.username.toLowerCase();
      if ((await userWhere(c, 'username_key = $1', key)) !== null) throw taken(u.username);
      const [r] = await rows(c, "SELECT nextval('user_ids') AS id");
      const id = num(r?.id);
      await c.run(`INSERT INTO users (${USER_COLUMNS}) VALUES (${USER_COLUMNS.split(',').map((_, n) => `$${n + 1}`).join(', ')})`, [
        id, u.username, key, u.displayName, u.role, JSON.stringify(u.units), u.language, u.disabled, u.totpEnabled, u.createdAt,
        null, 0, null, u.passwordHash, u.totpSecret, u.totpPending, null,
      ]);
      const created = await userWhere(c, 'id = $1', id);
      if (created === null) throw new MinewardenError('MW_ERR_STORE', `user #${id} vanished after insert`);
      return created;
    });
  }

  updateUser(id: number, patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<UserRecord> {
    return this.db.transaction(async (c) => {
      const before = await userWhere(c, 'id = $1', id);
      if (before === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `no user #${id}`);
      const sets: string[] = [];
      const params: DuckDBValue[] = [id];
      const set = (col: string, v: DuckDBValue): void => {
        params.push(v);
        sets.push(`${col} = $${params.length}`);
      };
      for (const [key, [col, encode]] of Object.entries(USER_FIELDS) as Array<[keyof typeof USER_FIELDS, [string, (v: unknown) => DuckDBValue]]>) {
        if (!Object.hasOwn(patch, key) || patch[key] === undefined) continue;
        set(col, encode(patch[key]));
      }
      if (patch.username !== undefined && patch.username.toLowerCase() !== before.username.toLowerCase()) {
        const other = await userWhere(c, 'username_key = $1', patch.username.toLowerCase());
        if (other !== null) throw taken(patch.username);
        set('username_key', patch.username.toLowerCase());
      }
      if (sets.length > 0) await c.run(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params);
      const after = await userWhere(c, 'id = $1', id);
      if (after === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `no user #${id}`);
      return after;
    });
  }

  deleteUser(id: number): Promise<boolean> {
    return this.db.transaction(async (c) => {
      await c.run('DELETE FROM sessions WHERE user_id = $1', [id]);
      await c.run('DELETE FROM api_tokens WHERE user_id = $1', [id]);
      return (await rows(c, 'DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0;
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.run(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      s.idHash, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt, s.csrf, s.totpPassed, s.ip, s.userAgent,
    ]);
  }

  async getSession(idHash: string): Promise<SessionRecord | null> {
    const [r] = await this.db.all(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id_hash = $1`, [idHash]);
    return r === undefined ? null : toSession(r);
  }

  async updateSession(idHash: string, patch: Partial<Pick<SessionRecord, 'lastSeenAt' | 'expiresAt' | 'totpPassed' | 'csrf'>>): Promise<void> {
    const cols = { lastSeenAt: 'last_seen_at', expiresAt: 'expires_at', totpPassed: 'totp_passed', csrf: 'csrf' } as const;
    const sets: string[] = [];
    const params: DuckDBValue[] = [idHash];
    for (const [key, col] of Object.entries(cols) as Array<[keyof typeof cols, string]>) {
      const v = patch[key];
      if (v === undefined) continue;
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    }
    if (sets.length > 0) await this.db.run(`UPDATE sessions SET ${sets.join(', ')} WHERE id_hash = $1`, params);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteUserSessions(userId: number): Promise<number> {
    return (await this.db.all('DELETE FROM sessions WHERE user_id = $1 RETURNING id_hash', [userId])).length;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.db.all('DELETE FROM sessions WHERE expires_at <= $1 RETURNING id_hash', [now])).length;
  }

  async createToken(t: TokenRecord): Promise<void> {
    try {
      await this.db.run(`INSERT INTO api_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        t.id, t.name, t.userId, t.prefix, t.hash, t.createdAt, t.lastUsedAt, t.expiresAt,
      ]);
    } catch (e) {
      if (/constraint/i.test((e as Error).message)) throw new MinewardenError('MW_ERR_CONFLICT', `token ${t.id} exists`, { cause: e });
      throw e;
    }
  }

  async findToken(hash: string): Promise<TokenRecord | null> {
    const [r] = await this.db.all(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE hash = $1`, [hash]);
    return r === undefined ? null : toToken(r);
  }

  async listTokens(userId?: number): Promise<TokenRecord[]> {
    const rs = userId === undefined
      ? await this.db.all(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`)
      : await this.db.all(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
    return rs.map(toToken);
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.db.run('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  async deleteToken(id: string): Promise<boolean> {
    return (await this.db.all('DELETE FROM api_tokens WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async totpRequiredRoles(): Promise<Role[]> {
    return (await this.db.all('SELECT role FROM role_settings WHERE totp_required ORDER BY role')).map((r) => str(r.role) as Role);
  }

  async setTotpRequired(role: Role, required: boolean): Promise<void> {
    await this.db.transaction(async (c) => {
      await c.run('DELETE FROM role_settings WHERE role = $1', [role]);
      await c.run('INSERT INTO role_settings VALUES ($1, $2)', [role, required]);
    });
  }

  appendAudit(e: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    return this.db.exclusive(async (c) => {
      const [r] = await rows(
        c,
        `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (nextval('audit_ids'), $1, $2, $3, $4, $5, $6, $7) RETURNING ${AUDIT_COLUMNS}`,
        [e.at, e.actor, e.action, e.target, e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
          e.after === undefined || e.after === null ? null : JSON.stringify(e.after), e.ip],
      );
      if (r === undefined) throw new MinewardenError('MW_ERR_STORE', 'the audit entry was not written');
      return toAudit(r);
    });
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    const add = (cond: (p: string) => string, v: DuckDBValue): void => {
      params.push(v);
      where.push(cond(`$${params.length}`));
    };
    if (q.actor !== undefined) add((p) => `actor = ${p}`, q.actor);
    if (q.action !== undefined) add((p) => `starts_with(action, ${p})`, q.action);
    if (q.target !== undefined) add((p) => `target = ${p}`, q.target);
    if (q.before !== undefined) add((p) => `id < ${p}`, q.before);
    if (q.since !== undefined) add((p) => `ts >= ${p}`, q.since);
    const limit = q.limit !== undefined && Number.isFinite(q.limit) ? Math.max(1, Math.min(MAX_AUDIT_LIMIT, Math.trunc(q.limit))) : DEFAULT_AUDIT_LIMIT;
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY id DESC LIMIT ${limit}`;
    return (await this.db.all(sql, params)).map(toAudit);
  }
}
