/**
 * One contract suite for the AuthStore (users, sessions, tokens, role settings, audit log), run
 * against every backend (embedded DuckDB today; the PostgreSQL backend joins BACKENDS).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewUser, SessionRecord, TokenRecord } from './auth.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import { openMemoryStore, restoreStore } from './index.ts';
import type { Store } from './types.ts';

const BACKENDS: Array<{ name: string; open: () => Promise<Store>; openDir: (dir: string) => Promise<Store> }> = [
  { name: 'duckdb', open: openMemoryStore, openDir: (dir) => openDuckDbStore({ dataDir: dir, memoryLimit: '256MB' }) },
];

const T0 = Date.UTC(2024, 4, 1);

function newUser(username: string, extra: Partial<NewUser> = {}): NewUser {
  return {
    username, displayName: `User ${username}`, role: 'analyst', units: [], language: 'en', disabled: false, totpEnabled: false,
    createdAt: T0, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', totpSecret: null, totpPending: null, ...extra,
  };
}

function session(idHash: string, userId: number, extra: Partial<SessionRecord> = {}): SessionRecord {
  return { idHash, userId, createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 3600_000, csrf: `csrf-${idHash}`, totpPassed: true, ip: '10.0.0.1', userAgent: 'vitest', ...extra };
}

function token(id: string, userId: number, extra: Partial<TokenRecord> = {}): TokenRecord {
  return { id, name: `token ${id}`, userId, prefix: id.slice(0, 8).padEnd(8, 'x'), hash: `hash-${id}`, createdAt: T0, lastUsedAt: null, expiresAt: null, ...extra };
}

for (const backend of BACKENDS) {
  describe(`auth store contract: ${backend.name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const fresh = async (): Promise<Store> => {
      const store = await backend.open();
      open.push(store);
      return store;
    };

    it('creates users with ids, round-trips every field, and finds them by username case-insensitively', async () => {
      const store = await fresh();
      expect(await store.auth.countUsers()).toBe(0);
      const a = await store.auth.createUser(newUser('ana', { role: 'admin', displayName: '安娜', language: 'zh' }));
      const b = await store.auth.createUser(newUser('bo', { role: 'unit-viewer', units: ['school-1', 'school-2'], totpPending: 'JBSWY3DP' }));
      expect(a.id).toBeGreaterThan(0);
      expect(b.id).toBeGreaterThan(a.id);
      expect(a).toEqual({ ...newUser('ana', { role: 'admin', displayName: '安娜', language: 'zh' }), id: a.id, lastLoginAt: null, failedLogins: 0, lockedUntil: null, totpLastStep: null });
      expect(await store.auth.countUsers()).toBe(2);
      expect(await store.auth.getUser(b.id)).toEqual(b);
      expect(await store.auth.findUser('BO')).toEqual(b);
      expect(await store.auth.findUser('nobody')).toBeNull();
      expect(await store.auth.getUser(999)).toBeNull();
      expect((await store.auth.listUsers()).map((u) => u.username)).toEqual(['ana', 'bo']);
    });

    it('refuses a username that differs only in case', async () => {
      const store = await fresh();
      await store.auth.createUser(newUser('Ana'));
      await expect(store.auth.createUser(newUser('aNA'))).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
      const bo = await store.auth.createUser(newUser('bo'));
      await expect(store.auth.updateUser(bo.id, { username: 'ANA' })).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
      expect(await store.auth.countUsers()).toBe(2);
    });

    it('updates only the given fields and reports a missing user', async () => {
      const store = await fresh();
      const u = await store.auth.createUser(newUser('ana'));
      const after = await store.auth.updateUser(u.id, {
        role: 'unit-viewer', units: ['s-1'], failedLogins: 3, lockedUntil: T0 + 900_000, lastLoginAt: T0 + 5, totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, totpLastStep: 57_000_000,
      });
      expect(after).toEqual({ ...u, role: 'unit-viewer', units: ['s-1'], failedLogins: 3, lockedUntil: T0 + 900_000, lastLoginAt: T0 + 5, totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, totpLastStep: 57_000_000 });
      const cleared = await store.auth.updateUser(u.id, { lockedUntil: null, failedLogins: 0, disabled: true });
      expect(cleared).toMatchObject({ lockedUntil: null, failedLogins: 0, disabled: true, role: 'unit-viewer' });
      expect(await store.auth.updateUser(u.id, {})).toEqual(cleared);
      await expect(store.auth.updateUser(999, { disabled: true })).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
    });

    it('deletes a user with its sessions and tokens, and only those', async () => {
      const store = await fresh();
      const a = await store.auth.createUser(newUser('ana'));
      const b = await store.auth.createUser(newUser('bo'));
      await store.auth.createSession(session('s-a', a.id));
      await store.auth.createSession(session('s-b', b.id));
      await store.auth.createToken(token('t-a', a.id));
      await store.auth.createToken(token('t-b', b.id));
      expect(await store.auth.deleteUser(a.id)).toBe(true);
      expect(await store.auth.deleteUser(a.id)).toBe(false);
      expect(await store.auth.getUser(a.id)).toBeNull();
      expect(await store.auth.getSession('s-a')).toBeNull();
      expect(await store.auth.findToken('hash-t-a')).toBeNull();
      expect(await store.auth.getSession('s-b')).toEqual(session('s-b', b.id));
      expect((await store.auth.listTokens()).map((t) => t.id)).toEqual(['t-b']);
      // The name is free again.
      expect((await store.auth.createUser(newUser('ANA'))).username).toBe('ANA');
    });

    it('keeps sessions: update, delete one, delete a user\'s, delete the expired', async () => {
      const store = await fresh();
      const a = await store.auth.createUser(newUser('ana'));
      const b = await store.auth.createUser(newUser('bo'));
      await store.auth.createSession(session('s1', a.id, { ip: null, userAgent: null, totpPassed: false }));
      await store.auth.createSession(session('s2', a.id, { expiresAt: T0 + 10 }));
      await store.auth.createSession(session('s3', b.id, { expiresAt: T0 + 20 }));
      expect(await store.auth.getSession('s1')).toEqual(session('s1', a.id, { ip: null, userAgent: null, totpPassed: false }));
      await store.auth.updateSession('s1', { lastSeenAt: T0 + 60_000, totpPassed: true, csrf: 'new' });
      expect(await store.auth.getSession('s1')).toMatchObject({ lastSeenAt: T0 + 60_000, totpPassed: true, csrf: 'new', expiresAt: T0 + 3600_000 });

      expect(await store.auth.deleteExpiredSessions(T0 + 15)).toBe(1);
      expect(await store.auth.getSession('s2')).toBeNull();
      expect(await store.auth.getSession('s3')).not.toBeNull();

      await store.auth.createSession(session('s4', a.id));
      expect(await store.auth.deleteUserSessions(a.id)).toBe(2);
      expect(await store.auth.getSession('s1')).toBeNull();
      await store.auth.deleteSession('s3');
      expect(await store.auth.getSession('s3')).toBeNull();
      expect(await store.auth.getSession('nope')).toBeNull();
    });

    it('finds tokens by hash, lists per user or all, touches and deletes them', async () => {
      const store = await fresh();
      const a = await store.auth.createUser(newUser('ana'));
      const b = await store.auth.createUser(newUser('bo'));
      await store.auth.createToken(token('t1', a.id, { expiresAt: T0 + 86_400_000 }));
      await store.auth.createToken(token('t2', b.id, { createdAt: T0 + 1 }));
      await store.auth.createToken(token('t3', a.id, { createdAt: T0 + 2 }));
      expect(await store.auth.findToken('hash-t1')).toEqual(token('t1', a.id, { expiresAt: T0 + 86_400_000 }));
      expect(await store.auth.findToken('hash-none')).toBeNull();
      expect((await store.auth.listTokens(a.id)).map((t) => t.id)).toEqual(['t1', 't3']);
      expect((await store.auth.listTokens()).map((t) => t.id)).toEqual(['t1', 't2', 't3']);
      await store.auth.touchToken('t1', T0 + 500);
      expect((await store.auth.findToken('hash-t1'))?.lastUsedAt).toBe(T0 + 500);
      await expect(store.auth.createToken(token('t4', a.id, { hash: 'hash-t1' }))).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });
      expect(await store.auth.deleteToken('t1')).toBe(true);
      expect(await store.auth.deleteToken('t1')).toBe(false);
      expect(await store.auth.findToken('hash-t1')).toBeNull();
    });

    it('keeps the roles that require a second factor', async () => {
      const store = await fresh();
      expect(await store.auth.totpRequiredRoles()).toEqual([]);
      await store.auth.setTotpRequired('admin', true);
      await store.auth.setTotpRequired('analyst', true);
      await store.auth.setTotpRequired('admin', true);
      expect(await store.auth.totpRequiredRoles()).toEqual(['admin', 'analyst']);
      await store.auth.setTotpRequired('admin', false);
      expect(await store.auth.totpRequiredRoles()).toEqual(['analyst']);
    });

    it('appends audit entries and pages them newest first with filters', async () => {
      const store = await fresh();
      const entries = [
        { at: T0, actor: 'ana', action: 'user.create', target: 'user:2', before: null, after: { username: 'bo', units: ['a'] }, ip: '10.0.0.1' },
        { at: T0 + 1, actor: 'ana', action: 'policy.update', target: 'policy:global', before: { v: 1 }, after: { v: 2 }, ip: null },
        { at: T0 + 2, actor: 'bo', action: 'auth.login', target: 'user:2', before: null, after: null, ip: '10.0.0.2' },
        { at: T0 + 3, actor: 'system', action: 'policy.rollback', target: 'policy:global', before: { v: 2 }, after: { v: 1, 名: '策略' }, ip: null },
      ];
      const stored = [];
      for (const e of entries) stored.push(await store.auth.appendAudit(e));
      expect(stored[0]).toEqual({ ...entries[0], id: stored[0]?.id });
      expect(new Set(stored.map((s) => s.id)).size).toBe(4);
      const ids = stored.map((s) => s.id);

      const all = await store.auth.listAudit({});
      expect(all.map((e) => e.id)).toEqual([...ids].reverse());
      expect(all[0]).toEqual({ ...entries[3], id: ids[3] });
      expect((await store.auth.listAudit({ actor: 'ana' })).map((e) => e.action)).toEqual(['policy.update', 'user.create']);
      expect((await store.auth.listAudit({ action: 'policy.' })).map((e) => e.action)).toEqual(['policy.rollback', 'policy.update']);
      expect((await store.auth.listAudit({ target: 'user:2' })).map((e) => e.action)).toEqual(['auth.login', 'user.create']);
      expect((await store.auth.listAudit({ since: T0 + 2 })).map((e) => e.at)).toEqual([T0 + 3, T0 + 2]);
      const page1 = await store.auth.listAudit({ limit: 2 });
      expect(page1.map((e) => e.id)).toEqual([ids[3], ids[2]]);
      const page2 = await store.auth.listAudit({ limit: 2, before: page1[1]?.id ?? 0 });
      expect(page2.map((e) => e.id)).toEqual([ids[1], ids[0]]);
      expect(await store.auth.listAudit({ limit: 2, before: ids[0] ?? 0 })).toEqual([]);
      expect(await store.auth.listAudit({ actor: 'ana', action: 'user.', target: 'user:2' })).toHaveLength(1);
    });

    it('survives a backup and restore, and keeps numbering users and audit entries after it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mw-auth-'));
      const store = await backend.openDir(join(dir, 'data'));
      const a = await store.auth.createUser(newUser('ana', { role: 'admin' }));
      await store.auth.createToken(token('t1', a.id));
      await store.auth.setTotpRequired('admin', true);
      const e1 = await store.auth.appendAudit({ at: T0, actor: 'ana', action: 'setup', target: `user:${a.id}`, before: null, after: { username: 'ana' }, ip: null });
      await store.backup(join(dir, 'backup'));
      await store.close();

      await restoreStore({ dataDir: join(dir, 'restored'), store: { kind: 'embedded', memoryLimit: '256MB' } }, join(dir, 'backup'));
      const back = await backend.openDir(join(dir, 'restored'));
      open.push(back);
      expect(await back.auth.findUser('ANA')).toEqual(a);
      expect((await back.auth.findToken('hash-t1'))?.id).toBe('t1');
      expect(await back.auth.totpRequiredRoles()).toEqual(['admin']);
      const b = await back.auth.createUser(newUser('bo'));
      expect(b.id).toBeGreaterThan(a.id);
      const e2 = await back.auth.appendAudit({ at: T0 + 1, actor: 'ana', action: 'user.create', target: `user:${b.id}`, before: null, after: null, ip: null });
      expect(e2.id).toBeGreaterThan(e1.id);
      expect((await back.auth.listAudit({})).map((e) => e.action)).toEqual(['user.create', 'setup']);
    }, 60_000);
  });
}
