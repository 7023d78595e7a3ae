/**
 * The user and token operations of OPS (run on the server through the control socket, or
 * locally). The CLI acts as `cli:<OS user>`, with no principal: these are the plain-admin paths of
 * AuthService. Params arrive as JSON from the socket; AuthService checks every field it reads.
 */
import type { ApiToken, Role, User } from '../model/auth.ts';
import type { App } from './app.ts';

export interface UserAddParams {
  actor: string;
  username: string;
  password: string;
  role: Role;
  units?: string[];
  displayName?: string;
  language?: User['language'];
}

export interface TokenRow extends ApiToken {
  username: string;
}

const actor = (p: { actor?: unknown }): string => (typeof p.actor === 'string' && p.actor !== '' ? p.actor : 'cli:unknown');

export interface AuditParams {
  actor?: string;
  action?: string;
  target?: string;
  since?: number;
  limit?: number;
}

export const AUTH_OPS = {
  /** The audit log, newest first (the CLI runs as an administrator of the box). */
  'audit.list': (app: App, p: AuditParams) => app.store.auth.listAudit({
    ...(p.actor === undefined ? {} : { actor: p.actor }),
    ...(p.action === undefined ? {} : { action: p.action }),
    ...(p.target === undefined ? {} : { target: p.target }),
    ...(p.since === undefined ? {} : { since: p.since }),
    limit: Math.min(Math.max(1, Number(p.limit ?? 50)), 10_000),
  }),
  'users.list': (app: App, _p: Record<string, never>) => app.auth.adminListUsers(),
  'users.add': (app: App, p: UserAddParams) => app.auth.adminCreateUser(actor(p), {
    username: p.username, password: p.password, role: p.role,
    ...(p.units === undefined ? {} : { units: p.units }),
    ...(p.displayName === undefined ? {} : { displayName: p.displayName }),
    ...(p.language === undefined ? {} : { language: p.language }),
  }),
  'users.passwd': (app: App, p: { actor: string; username: string; password: string }) => app.auth.adminSetPassword(actor(p), p.username, p.password),
  'users.rm': (app: App, p: { actor: string; username: string }) => app.auth.adminDeleteUser(actor(p), p.username),
  'users.unlock': (app: App, p: { actor: string; username: string }) => app.auth.adminUnlock(actor(p), p.username),
  'users.resetTotp': (app: App, p: { actor: string; username: string }) => app.auth.adminResetTotp(actor(p), p.username),
  'users.role': (app: App, p: { actor: string; username: string; role: Role; units?: string[] }) =>
    app.auth.adminUpdateUser(actor(p), p.username, { role: p.role, ...(p.units === undefined ? {} : { units: p.units }) }),
  'tokens.add': (app: App, p: { actor: string; username: string; name: string; expiresInDays?: number }) =>
    app.auth.adminCreateToken(actor(p), p.username, { name: p.name, ...(p.expiresInDays === undefined ? {} : { expiresInDays: p.expiresInDays }) }),
  'tokens.list': async (app: App, _p: Record<string, never>): Promise<TokenRow[]> => {
    const names = new Map((await app.auth.adminListUsers()).map((u) => [u.id, u.username]));
    return (await app.auth.adminListTokens()).map((t) => ({ ...t, username: names.get(t.userId) ?? `#${t.userId}` }));
  },
  'tokens.rm': (app: App, p: { actor: string; id: string }) => app.auth.adminDeleteToken(actor(p), p.id),
} as const;
