/**
 * `minewarden audit`: who changed what — users, logins, tokens, incidents, allowlist, review,
 * imports, units, policies — from the console, the API or the CLI, newest first.
 */
import type { Command } from 'commander';
import { parseTime } from '../../events/index.ts';
import { runOp } from '../ops.ts';
import { json, table } from '../output.ts';

function short(v: unknown): string {
  if (v === null || v === undefined) return '-';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the audit log: who changed what, from what, to what (newest first)')
    .option('--actor <name>', 'only this actor (a username, or cli:<OS user>)')
    .option('--action <prefix>', 'only actions starting with this (policy., incident., auth.login-failed)')
    .option('--target <target>', 'only this target (incident:42, user:3, global)')
    .option('--since <time>', 'ISO time, epoch ms, or a duration back from now (24h, 7d)')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON (with the whole before and after)')
    .action(async (o: { actor?: string; action?: string; target?: string; since?: string; limit: string; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'audit.list', {
        ...(o.actor === undefined ? {} : { actor: o.actor }),
        ...(o.action === undefined ? {} : { action: o.action }),
        ...(o.target === undefined ? {} : { target: o.target }),
        ...(o.since === undefined ? {} : { since: parseTime(o.since, Date.now(), 'since') }),
        limit: Number(o.limit) || 50,
      });
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        process.stdout.write('nothing in the audit log matches\n');
        return;
      }
      table(rows.map((r) => ({
        at: new Date(r.at).toISOString().slice(0, 19).replace('T', ' '), actor: r.actor, action: r.action, target: r.target,
        before: short(r.before), after: short(r.after), from: r.ip ?? '-',
      })));
    });
}
