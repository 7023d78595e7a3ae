/**
 * The audit log over the store: who changed what, from what, to what. Secrets never reach it:
 * `record` removes them from before and after, at any depth. Other modules record their own
 * changes through the same class.
 */
import { MinewardenError } from '../core/errors.ts';
import { roleCan, type AuditEntry, type Principal } from '../model/auth.ts';
import type { AuditQuery, AuthStore } from '../store/index.ts';

/** Keys whose values are never written to the log. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'passwordHash', 'totpSecret', 'totpPending', 'hash', 'secret', 'secrets', 'password', 'current', 'next', 'sessionSecret', 'csrf', 'csrfToken',
]);

/** A copy of `v` without the secret keys (plain objects and arrays; other values as they are). */
export function withoutSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (!SECRET_KEYS.has(k) && x !== undefined) out[k] = withoutSecrets(x);
    }
    return out;
  }
  return v;
}

/** How a principal is named in the log. */
export function actorOf(p: Principal): string {
  return p.username;
}

export class AuditLog {
  constructor(
    private readonly store: AuthStore,
    private readonly now: () => number = Date.now,
  ) {}

  record(actor: string, action: string, target: string, before: unknown, after: unknown, ip: string | null = null): Promise<AuditEntry> {
    return this.store.appendAudit({ at: this.now(), actor, action, target, before: withoutSecrets(before ?? null), after: withoutSecrets(after ?? null), ip });
  }

  /** Newest first; needs audit:read. */
  list(principal: Principal, query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (principal.mustEnrollTotp || !roleCan(principal.role, 'audit:read')) {
      return Promise.reject(new MinewardenError('MW_ERR_FORBIDDEN', 'reading the audit log needs the audit:read permission'));
    }
    return this.store.listAudit(query);
  }
}
