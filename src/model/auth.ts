/**
 * Users, roles and what a role may do: plain types and the permission matrix, no logic beyond
 * table lookups (layer `model`). `src/auth` keeps users, sessions and tokens; `src/services`
 * checks every call against the acting principal.
 */

export const ROLES = ['admin', 'analyst', 'unit-viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What can be done. A route or service function names the one permission it needs. */
export const PERMISSIONS = [
  /** Overview, units, hosts, events, incidents, reports — within the principal's units. */
  'read',
  /** Acknowledge, contain, resolve, false positive, reopen, note, assign. */
  'incidents:act',
  /** Feeds, indicator search, review list, allowlist. */
  'intel:read',
  'intel:write',
  /** Read every policy and group; change them, roll back. */
  'policy:read',
  'policy:write',
  /** Users, roles, tokens of others, the audit log, sensors and system status. */
  'users:manage',
  'audit:read',
  'system:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  analyst: ['read', 'incidents:act', 'intel:read', 'intel:write', 'policy:read', 'policy:write', 'system:read'],
  'unit-viewer': ['read'],
};

export function roleCan(role: Role, p: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(p);
}

export interface User {
  id: number;
  /** Login name: lower-case letters, digits, `.`, `_`, `-`, `@`; unique. */
  username: string;
  displayName: string;
  role: Role;
  /**
   * unit-viewer: the roots of the unit subtrees the user sees (at least one). Other roles: empty
   * (they see every unit).
   */
  units: string[];
  /** Preferred console language. */
  language: 'en' | 'zh';
  disabled: boolean;
  /** A TOTP second factor is enrolled (the secret itself never leaves src/auth). */
  totpEnabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
  /** Failed logins since the last success. */
  failedLogins: number;
  /** Logins refused until then (ms), or null. */
  lockedUntil: number | null;
}

/** Who is acting: a logged-in user (session) or a machine (API token). */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  /** unit-viewer: subtree roots; other roles: empty (everything). */
  units: readonly string[];
  via: 'session' | 'token';
  /** Session id or token id (for logout and the audit log). */
  credentialId: string;
  /**
   * The role requires a second factor the user has not enrolled yet: only enrolment and logout
   * are allowed until it is.
   */
  mustEnrollTotp: boolean;
  /** Where the request came from (audit log). */
  ip?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  userId: number;
  /** The first characters of the secret, to tell tokens apart in a list. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

/** One line of the audit log: who changed what, from what, to what. */
export interface AuditEntry {
  id: number;
  at: number;
  /** Username, or `system`, or `token:<name>`. */
  actor: string;
  /** Dotted verb: `user.create`, `policy.update`, `incident.contain`, `auth.login-failed`, … */
  action: string;
  /** What it acted on: `user:3`, `policy:unit:school-12`, `incident:42`, … */
  target: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}
