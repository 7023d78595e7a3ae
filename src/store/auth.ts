/**
 * The store's interfaces for people and machines: users (with their password hash and TOTP
 * secret, which only `src/auth` reads), sessions, API tokens, per-role settings, and the audit
 * log. The store keeps what it is given; hashing, lock-out and expiry rules are `src/auth`'s.
 * Secrets of sessions and tokens are stored only as SHA-256 hashes.
 */
import type { ApiToken, AuditEntry, Role, User } from '../model/auth.ts';

/** A user row with what only src/auth may read. */
export interface UserRecord extends User {
  /** argon2id PHC string. */
  passwordHash: string;
  /** Base32 TOTP secret once enrolment is confirmed (totpEnabled), or pending during enrolment. */
  totpSecret: string | null;
  totpPending: string | null;
  /** The last TOTP time step accepted (a code is never accepted twice). */
  totpLastStep: number | null;
}

export type NewUser = Omit<UserRecord, 'id' | 'createdAt' | 'lastLoginAt' | 'failedLogins' | 'lockedUntil' | 'totpLastStep'> & { createdAt: number };

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value. */
  idHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** The CSRF token bound to the session (sent back in a header on every change). */
  csrf: string;
  /** The password was right and so was the second factor (or none is needed). */
  totpPassed: boolean;
  ip: string | null;
  userAgent: string | null;
}

export interface TokenRecord extends ApiToken {
  /** SHA-256 (hex) of the secret. */
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  /** Prefix of the action (`policy.` for every policy change). */
  action?: string;
  /** Exact target. */
  target?: string;
  /** Entries with id < before (paging, newest first). */
  before?: number;
  since?: number;
  limit?: number;
}

export interface AuthStore {
  countUsers(): Promise<number>;
  listUsers(): Promise<UserRecord[]>;
  getUser(id: number): Promise<UserRecord | null>;
  /** By username, case-insensitively. */
  findUser(username: string): Promise<UserRecord | null>;
  /** Fails with MW_ERR_CONFLICT when the username is taken. */
  createUser(u: NewUser): Promise<UserRecord>;
  /** Changes the given fields; returns the row after. MW_ERR_NOT_FOUND if there is none. */
  updateUser(id: number, patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<UserRecord>;
  /** Deletes the user with its sessions and tokens. */
  deleteUser(id: number): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | null>;
  updateSession(idHash: string, patch: Partial<Pick<SessionRecord, 'lastSeenAt' | 'expiresAt' | 'totpPassed' | 'csrf'>>): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Every session of a user (after a password change, a role change, a disable). */
  deleteUserSessions(userId: number): Promise<number>;
  /** Sessions past expiresAt at `now`. */
  deleteExpiredSessions(now: number): Promise<number>;

  createToken(t: TokenRecord): Promise<void>;
  findToken(hash: string): Promise<TokenRecord | null>;
  /** A user's tokens, or every token when userId is undefined. */
  listTokens(userId?: number): Promise<TokenRecord[]>;
  touchToken(id: string, at: number): Promise<void>;
  deleteToken(id: string): Promise<boolean>;

  /** Roles whose users must have a second factor. */
  totpRequiredRoles(): Promise<Role[]>;
  setTotpRequired(role: Role, required: boolean): Promise<void>;

  appendAudit(e: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(q: AuditQuery): Promise<AuditEntry[]>;
}
