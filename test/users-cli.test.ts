/**
 * `minewarden user …` and `minewarden token …` as an operator runs them: a user added with the
 * password on stdin, listed, locked out by failed logins and unlocked, tokens added, listed and
 * removed; on a stopped data directory and through a running server.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthService } from '../src/auth/index.ts';
import { configSchema } from '../src/config/index.ts';
import { openStore } from '../src/store/index.ts';
import { mw, startServe, stopChild, type Run } from './support/cli.ts';

const PW = 'a long enough password';

/** `minewarden --data-dir DIR ARGS…` with `input` written to its stdin (a pipe, not a terminal). */
function mwInput(dataDir: string, args: string[], input: string): Promise<Run> {
  return mw(dataDir, args, {}, input);
}

/** Failed logins against the stopped data directory, as the console would make them. */
async function failLogins(dataDir: string, username: string, n: number): Promise<void> {
  const config = configSchema.parse({ dataDir });
  const store = await openStore(config);
  try {
    const auth = new AuthService({ store: store.auth, config: config.api, unitExists: () => true });
    for (let i = 0; i < n; i++) await auth.login({ username, password: 'not the password' }, { ip: '127.0.0.1', userAgent: null }).catch(() => undefined);
  } finally {
    await store.close();
  }
}

const osUser = ((): string => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
})();

describe('minewarden user and token', () => {
  it('adds a user with the password on stdin, lists it, unlocks a lock-out, and removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-users-'));
    expect((await mw(dir, ['user', 'list'])).out).toMatch(/no users yet/);

    const add = await mwInput(dir, ['user', 'add', 'Ana', '--role', 'admin', '--name', 'Ana Li', '--language', 'zh'], `${PW}\n`);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/^ID +USERNAME +ROLE +UNITS +2FA +LOCKED +LAST LOGIN$/m);
    expect(add.out).toMatch(/^1 +ana +admin +- +off +- +-$/m);
    const bo = await mwInput(dir, ['user', 'add', 'bo', '--role', 'analyst'], `${PW}\r\nignored second line\n`);
    expect(bo.code).toBe(0);

    const short = await mwInput(dir, ['user', 'add', 'cy', '--role', 'analyst'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toBe('minewarden: the password is too short: at least 10 characters\n');
    const none = await mwInput(dir, ['user', 'add', 'cy', '--role', 'analyst'], '');
    expect(none.err).toMatch(/no password on stdin/);
    const dup = await mwInput(dir, ['user', 'add', 'ANA', '--role', 'analyst'], `${PW}\n`);
    expect(dup.code).toBe(1);
    expect(dup.err).toBe('minewarden: the username "ana" is taken\n');

    await failLogins(dir, 'bo', 5);
    const locked = (await mw(dir, ['user', 'list'])).out;
    expect(locked).toMatch(/^2 +bo +analyst +- +off +until \d{4}-\d\d-\d\d \d\d:\d\d +-$/m);
    expect((await mw(dir, ['user', 'unlock', 'bo'])).out).toBe('bo unlocked\n');
    expect((await mw(dir, ['user', 'list'])).out).toMatch(/^2 +bo +analyst +- +off +- +-$/m);

    const json = JSON.parse((await mw(dir, ['user', 'list', '--json'])).out) as Array<Record<string, unknown>>;
    expect(json.map((u) => u.username)).toEqual(['ana', 'bo']);
    expect(json[0]).toMatchObject({ displayName: 'Ana Li', language: 'zh' });
    expect(JSON.stringify(json)).not.toMatch(/argon2|passwordHash/);

    expect((await mwInput(dir, ['user', 'passwd', 'bo'], 'another long password\n')).out).toBe('password of bo changed\n');
    expect((await mw(dir, ['user', 'reset-2fa', 'bo'])).out).toBe('second factor of bo removed\n');
    expect((await mw(dir, ['user', 'rm', 'bo'])).out).toBe('user bo deleted\n');
    const last = await mw(dir, ['user', 'rm', 'ana']);
    expect(last.code).toBe(1);
    expect(last.err).toBe('minewarden: cannot delete ana: it is the last administrator\n');
    expect((await mw(dir, ['user', 'rm', 'ghost'])).err).toBe('minewarden: no user "ghost"\n');
  }, 300_000);

  it('refuses a bad role with a clear error and exit code 1, and a unit viewer without units', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-users-'));
    const bad = await mwInput(dir, ['user', 'add', 'ana', '--role', 'superuser'], `${PW}\n`);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('minewarden: unknown role "superuser" (one of admin, analyst, unit-viewer)\n');
    const viewer = await mwInput(dir, ['user', 'add', 'vi', '--role', 'unit-viewer'], `${PW}\n`);
    expect(viewer.code).toBe(1);
    expect(viewer.err).toBe('minewarden: a unit-viewer needs at least one unit\n');
    const unknown = await mwInput(dir, ['user', 'add', 'vi', '--role', 'unit-viewer', '--units', 'nowhere'], `${PW}\n`);
    expect(unknown.err).toBe('minewarden: no unit "nowhere"\n');
    expect((await mw(dir, ['user', 'role', 'ana', 'superuser'])).err).toMatch(/unknown role "superuser"/);
  }, 240_000);

  it('adds a token that prints its secret once, lists it without the secret, removes it; audit names the OS user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-tokens-'));
    await mwInput(dir, ['user', 'add', 'ana', '--role', 'admin'], `${PW}\n`);
    const add = await mw(dir, ['token', 'add', 'ana', 'grafana', '--expires-days', '30']);
    expect(add.code).toBe(0);
    const [head, secret] = add.out.trim().split('\n');
    expect(head).toMatch(/^token ([0-9a-f]{12}) "grafana" for ana, expires \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(secret).toMatch(/^mw_[A-Za-z0-9_-]{43}$/);
    expect(add.err).toMatch(/not shown again/);
    const id = /^token ([0-9a-f]{12})/.exec(head ?? '')?.[1] ?? '';

    const list = (await mw(dir, ['token', 'list'])).out;
    expect(list).toMatch(/^ID +USER +NAME +PREFIX +CREATED +LAST USED +EXPIRES$/m);
    expect(list).toContain(`${id}  ana   grafana  mw_${(secret ?? '').slice(3, 11)}…`);
    expect(list).not.toContain(secret ?? 'x');
    expect((await mw(dir, ['token', 'add', 'ana', 'x', '--expires-days', 'soon'])).err).toMatch(/--expires-days: "soon" is not a whole number/);

    expect((await mw(dir, ['token', 'rm', id])).out).toBe(`token ${id} deleted\n`);
    expect((await mw(dir, ['token', 'list'])).out).toBe('no tokens\n');
    expect((await mw(dir, ['token', 'rm', id])).err).toBe(`minewarden: no token ${id}\n`);

    const config = configSchema.parse({ dataDir: dir });
    const store = await openStore(config);
    try {
      const entries = await store.auth.listAudit({});
      expect(entries.map((e) => `${e.actor} ${e.action}`).reverse()).toEqual([`cli:${osUser} user.create`, `cli:${osUser} token.create`, `cli:${osUser} token.delete`]);
      expect(JSON.stringify(entries)).not.toContain(secret ?? 'x');
    } finally {
      await store.close();
    }
  }, 240_000);
});

describe('with serve running', () => {
  let server: ChildProcess | null = null;
  afterEach(async () => {
    if (server !== null) await stopChild(server);
    server = null;
  });

  it('adds, lists and removes users and tokens through the control socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-users-serve-'));
    const data = join(dir, 'data');
    const s = await startServe(dir, { dataDir: data });
    server = s.child;
    // The server holds the database: these succeed only through the control socket.
    const add = await mwInput(data, ['user', 'add', 'ana', '--role', 'admin'], `${PW}\n`);
    expect(add.err).toBe('');
    expect(add.out).toMatch(/^1 +ana +admin/m);
    expect((await mw(data, ['user', 'list'])).out).toMatch(/^1 +ana +admin +- +off +- +-$/m);
    const tok = await mw(data, ['token', 'add', 'ana', 'ci']);
    const id = /^token ([0-9a-f]{12})/.exec(tok.out)?.[1] ?? '';
    expect(id).not.toBe('');
    expect((await mw(data, ['token', 'list'])).out).toContain(id);
    expect((await mw(data, ['token', 'rm', id])).out).toBe(`token ${id} deleted\n`);
    expect((await mw(data, ['user', 'unlock', 'ana'])).out).toBe('ana unlocked\n');
  }, 300_000);
});
