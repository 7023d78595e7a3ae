/** Checks of what makes a user: username, role, units, language, display name; and the public view. */
import { MinewardenError } from '../core/errors.ts';
import { ROLES, type Principal, type Role, type User } from '../model/auth.ts';
import type { UserRecord } from '../store/index.ts';

const USERNAME = /^[a-z0-9._@-]{1,64}$/;
export const LANGUAGES: readonly User['language'][] = ['en', 'zh'];
const MAX_DISPLAY_NAME = 100;

/** Lower case, then the rule: 1–64 of a-z 0-9 . _ @ -. */
export function normalizeUsername(v: unknown): string {
  const u = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (!USERNAME.test(u)) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `"${String(v)}" is not a valid username: 1 to 64 characters of a-z, 0-9, ".", "_", "@", "-"`);
  }
  return u;
}

export function parseRole(v: unknown): Role {
  if (typeof v === 'string' && (ROLES as readonly string[]).includes(v)) return v as Role;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown role "${String(v)}" (one of ${ROLES.join(', ')})`);
}

export function parseLanguage(v: unknown): User['language'] {
  if (typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v)) return v as User['language'];
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown language "${String(v)}" (one of ${LANGUAGES.join(', ')})`);
}

export function parseDisplayName(v: unknown, username: string): string {
  if (v === undefined || v === null) return username;
  if (typeof v !== 'string') throw new MinewardenError('MW_ERR_BAD_INPUT', 'the display name must be text');
  const name = v.trim();
  if ([...name].length > MAX_DISPLAY_NAME) throw new MinewardenError('MW_ERR_BAD_INPUT', `the display name is longer than ${MAX_DISPLAY_NAME} characters`);
  return name === '' ? username : name;
}

/**
 * The units of a user with this role: a unit viewer needs at least one, each existing; other
 * roles see everything and have none.
 */
export function checkUnits(role: Role, units: unknown, unitExists: (id: string) => boolean): string[] {
  const list = units === undefined || units === null ? [] : units;
  if (!Array.isArray(list) || list.some((u) => typeof u !== 'string')) throw new MinewardenError('MW_ERR_BAD_INPUT', 'units must be a list of unit ids');
  const ids = [...new Set((list as string[]).map((u) => u.trim()).filter((u) => u !== ''))];
  if (role !== 'unit-viewer') {
    if (ids.length > 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `a user with role ${role} sees every unit: give units only to a unit-viewer`);
    return [];
  }
  if (ids.length === 0) throw new MinewardenError('MW_ERR_BAD_INPUT', 'a unit-viewer needs at least one unit');
  const unknown = ids.filter((id) => !unitExists(id));
  if (unknown.length > 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `no unit ${unknown.map((u) => `"${u}"`).join(', ')}`);
  return ids;
}

/** The user without what only src/auth may read. */
export function publicUser(r: UserRecord): User {
  return {
    id: r.id, username: r.username, displayName: r.displayName, role: r.role, units: [...r.units], language: r.language, disabled: r.disabled,
    totpEnabled: r.totpEnabled, createdAt: r.createdAt, lastLoginAt: r.lastLoginAt, failedLogins: r.failedLogins, lockedUntil: r.lockedUntil,
  };
}

export function principalOf(u: UserRecord, via: Principal['via'], credentialId: string, mustEnrollTotp: boolean, ip?: string | null): Principal {
  return {
    userId: u.id, username: u.username, role: u.role, units: [...u.units], via, credentialId, mustEnrollTotp,
    ...(ip === undefined || ip === null ? {} : { ip }),
  };
}
