/**
 * `minewarden user …` and `minewarden token …`: accounts and API tokens from the shell of the
 * server's machine. Every command goes through OPS, so it works with `serve` running (control
 * socket) and on a stopped data directory alike; the audit log names the OS user (`cli:<user>`).
 */
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { LANGUAGES, normalizeUsername, parseRole } from '../../auth/index.ts';
import type { User } from '../../model/auth.ts';
import { runOp } from '../ops.ts';
import { json, table } from '../output.ts';
import { cliActor } from '../context.ts';


const t = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

function units(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((u) => u.trim()).filter((u) => u !== '');
}

function language(v: string | undefined): User['language'] | undefined {
  if (v === undefined) return undefined;
  if ((LANGUAGES as readonly string[]).includes(v)) return v as User['language'];
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown language "${v}" (one of ${LANGUAGES.join(', ')})`);
}

function printUsers(users: readonly User[]): void {
  const now = Date.now();
  table(users.map((u) => ({
    id: u.id,
    username: u.username,
    role: u.disabled ? `${u.role} (disabled)` : u.role,
    units: u.units.length === 0 ? '-' : u.units.join(','),
    '2fa': u.totpEnabled ? 'on' : 'off',
    locked: u.lockedUntil !== null && u.lockedUntil > now ? `until ${t(u.lockedUntil)}` : '-',
    'last login': t(u.lastLoginAt),
  })));
}

/** The first line of stdin (a pipe), or a prompt without echo on a terminal, twice when `confirm`. */
async function readPassword(confirm: boolean): Promise<string> {
  if (process.stdin.isTTY !== true) {
    const line = await firstLine();
    if (line === null || line === '') throw new MinewardenError('MW_ERR_BAD_INPUT', 'no password on stdin (give it as the first line)');
    return line;
  }
  const first = await promptHidden('Password: ');
  if (confirm && (await promptHidden('Repeat the password: ')) !== first) throw new MinewardenError('MW_ERR_BAD_INPUT', 'the two passwords differ');
  return first;
}

async function firstLine(): Promise<string | null> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  process.stdin.pause();
  if (text === '') return null;
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    let value = '';
    const done = (err: Error | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err === null) resolve(value);
      else reject(err);
    };
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new MinewardenError('MW_ERR_BAD_INPUT', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

export function registerUsers(program: Command): void {
  const user = program.command('user').description('console and API accounts: add, list, passwords, roles, lock-outs, 2FA');

  user
    .command('add <username>')
    .description('add a user; the password is read from stdin when it is not a terminal (first line), else asked twice')
    .requiredOption('--role <role>', 'admin, analyst or unit-viewer')
    .option('--units <ids>', 'a unit-viewer\'s units, comma-separated')
    .option('--name <display>', 'display name')
    .option('--language <lang>', 'en or zh')
    .option('--json', 'print JSON')
    .action(async (username: string, o: { role: string; units?: string; name?: string; language?: string; json?: boolean }, cmd: Command) => {
      // Checked before the password is asked for.
      const name = normalizeUsername(username);
      const role = parseRole(o.role);
      const lang = language(o.language);
      const password = await readPassword(true);
      const u = await runOp(cmd, 'users.add', {
        actor: cliActor(), username: name, password, role,
        ...(o.units === undefined ? {} : { units: units(o.units) ?? [] }),
        ...(o.name === undefined ? {} : { displayName: o.name }),
        ...(lang === undefined ? {} : { language: lang }),
      });
      if (o.json === true) return json(u);
      printUsers([u]);
    });

  user
    .command('list', { isDefault: true })
    .description('every user')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const users = await runOp(cmd, 'users.list', {});
      if (o.json === true) return json(users);
      if (users.length === 0) {
        process.stdout.write('no users yet: add one with `minewarden user add NAME --role admin`, or open the console\n');
        return;
      }
      printUsers(users);
    });

  user
    .command('passwd <username>')
    .description('set a new password (stdin or prompt, as for add); ends the user\'s sessions')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      const name = normalizeUsername(username);
      const password = await readPassword(true);
      await runOp(cmd, 'users.passwd', { actor: cliActor(), username: name, password });
      process.stdout.write(`password of ${name} changed\n`);
    });

  user
    .command('rm <username>')
    .description('delete a user with its sessions and tokens (never the last administrator)')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      await runOp(cmd, 'users.rm', { actor: cliActor(), username });
      process.stdout.write(`user ${username.toLowerCase()} deleted\n`);
    });

  user
    .command('unlock <username>')
    .description('clear a lock-out after failed logins')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      const u = await runOp(cmd, 'users.unlock', { actor: cliActor(), username });
      process.stdout.write(`${u.username} unlocked\n`);
    });

  user
    .command('reset-2fa <username>')
    .description('remove the enrolled second factor (a lost phone); the user enrols again')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      const u = await runOp(cmd, 'users.resetTotp', { actor: cliActor(), username });
      process.stdout.write(`second factor of ${u.username} removed\n`);
    });

  user
    .command('role <username> <role>')
    .description('change the role (and a unit-viewer\'s units); ends the user\'s sessions')
    .option('--units <ids>', 'a unit-viewer\'s units, comma-separated')
    .action(async (username: string, role: string, o: { units?: string }, cmd: Command) => {
      const u = await runOp(cmd, 'users.role', { actor: cliActor(), username, role: parseRole(role), ...(o.units === undefined ? {} : { units: units(o.units) ?? [] }) });
      printUsers([u]);
    });

  const token = program.command('token').description('API tokens (Authorization: Bearer mw_…): add, list, remove');

  token
    .command('add <username> <name>')
    .description('a token acting as the user; the secret is printed once')
    .option('--expires-days <n>', 'expires after this many days (default: never)')
    .option('--json', 'print JSON')
    .action(async (username: string, name: string, o: { expiresDays?: string; json?: boolean }, cmd: Command) => {
      const days = o.expiresDays === undefined ? undefined : Number(o.expiresDays);
      if (days !== undefined && !Number.isInteger(days)) throw new MinewardenError('MW_ERR_BAD_INPUT', `--expires-days: "${o.expiresDays}" is not a whole number`);
      const r = await runOp(cmd, 'tokens.add', { actor: cliActor(), username, name, ...(days === undefined ? {} : { expiresInDays: days }) });
      if (o.json === true) return json(r);
      process.stdout.write(`token ${r.token.id} "${r.token.name}" for ${username.toLowerCase()}, expires ${r.token.expiresAt === null ? 'never' : t(r.token.expiresAt)}\n${r.secret}\n`);
      process.stderr.write('keep the secret now: it is not shown again\n');
    });

  token
    .command('list', { isDefault: true })
    .description('every token (never the secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'tokens.list', {});
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        process.stdout.write('no tokens\n');
        return;
      }
      table(rows.map((r) => ({
        id: r.id, user: r.username, name: r.name, prefix: `mw_${r.prefix}…`, created: t(r.createdAt), 'last used': t(r.lastUsedAt), expires: r.expiresAt === null ? 'never' : t(r.expiresAt),
      })));
    });

  token
    .command('rm <id>')
    .description('delete a token')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await runOp(cmd, 'tokens.rm', { actor: cliActor(), id });
      process.stdout.write(`token ${id} deleted\n`);
    });
}
