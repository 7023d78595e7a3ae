/**
 * `minewarden policy …`: DNS policies issued centrally — per scope (`global`, `unit:<id>`,
 * `group:<name>`), every change a new version, rollback, groups of units, and which gateways run
 * the current revision. Every command goes through OPS, so it works on the running server (whose
 * gateway then applies the change at once) and on a stopped data directory alike.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { MinewardenError } from '../../core/errors.ts';
import type { PolicyDocument, PolicyVersion } from '../../model/policy.ts';
import type { Origin } from '../../policy/index.ts';
import { runOp } from '../ops.ts';
import { json, table } from '../output.ts';
import type { PolicyEdits } from '../policy-ops.ts';
import { cliActor } from '../context.ts';


const t = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
const w = (s: string): boolean => process.stdout.write(`${s}\n`);
const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')];

/** One line that says what a document sets. */
function summary(d: PolicyDocument): string {
  const parts: string[] = [];
  const cats = Object.entries(d.categories);
  if (cats.length > 0) parts.push(cats.map(([c, a]) => `${c}=${a}`).join(' '));
  if (d.defaultAction !== undefined) parts.push(`default=${d.defaultAction}`);
  if (d.allow.length > 0) parts.push(`allow ${d.allow.length}`);
  if (d.deny.length > 0) parts.push(`deny ${d.deny.length}`);
  if (d.blockAction !== undefined) parts.push(`block-action=${d.blockAction}`);
  return parts.length === 0 ? '(empty: config file)' : parts.join(', ');
}

const origin = (o: Origin | null): string => (o === null ? 'built-in' : `${o.scope} ${o.version === null ? '(config file)' : `v${o.version}`}`);

async function readDocument(file: string): Promise<unknown> {
  const body = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot read ${file}: ${e.code ?? String(e)}`);
  });
  try {
    return parseYaml(body) as unknown;
  } catch (e) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `${file}: not YAML (${(e as Error).message})`);
  }
}

function versionLine(v: PolicyVersion): string {
  return `${v.scope} version ${v.version}${v.rolledBackFrom === null ? '' : ` (rollback to ${v.rolledBackFrom})`}: ${summary(v.document)}`;
}

export function registerPolicy(program: Command): void {
  const pol = program.command('policy').description('DNS policies issued centrally: versions per scope (global, unit:<id>, group:<name>), rollback, groups, gateways');

  pol
    .command('list', { isDefault: true })
    .description('the current version of every scope, and the groups')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const r = await runOp(cmd, 'policy.list', {});
      if (o.json === true) return json(r);
      w(`policy revision ${r.revision}`);
      if (r.current.length === 0) w('no stored policies: the config file\'s dns.policy applies');
      else table(r.current.map((v) => ({ scope: v.scope, version: v.version, author: v.author, when: t(v.createdAt), policy: summary(v.document), comment: v.comment || '-' })));
      if (r.groups.length > 0) {
        w('');
        w('groups:');
        table(r.groups.map((g) => ({ group: g.name, units: g.units.join(',') || '-', description: g.description || '-' })));
      }
    });

  pol
    .command('show <scope>')
    .description('the current document of a scope, as YAML (the form policy set --file reads)')
    .option('--json', 'print JSON')
    .action(async (scope: string, o: { json?: boolean }, cmd: Command) => {
      const v = await runOp(cmd, 'policy.show', { scope });
      if (o.json === true) return json(v);
      if (v === null) {
        w(`# ${scope}: no stored policy (the config file's applies)`);
        return;
      }
      w(`# ${v.scope} version ${v.version} by ${v.author} at ${t(v.createdAt)}${v.comment === '' ? '' : ` — ${v.comment}`}`);
      process.stdout.write(toYaml(v.document));
    });

  pol
    .command('set <scope>')
    .description('a new version of a scope\'s policy: a whole document (--file), and/or quick edits on top of the current one')
    .option('-f, --file <file>', 'the document, YAML: categories, defaultAction, allow, deny, blockAction')
    .option('--block <categories>', 'categories to block (comma-separated, repeatable)', list)
    .option('--monitor <categories>', 'categories to monitor: answered, logged, alerted', list)
    .option('--allow-category <categories>', 'categories to let through', list)
    .option('--allow <names>', 'names never blocked (and every name under them)', list)
    .option('--deny <names>', 'names always blocked (and every name under them)', list)
    .option('--block-action <action>', 'how a block is answered: nxdomain, nodata, refused or sinkhole')
    .option('-m, --comment <text>', 'why, for the history')
    .option('--json', 'print JSON')
    .action(async (scope: string, o: { file?: string; block?: string[]; monitor?: string[]; allowCategory?: string[]; allow?: string[]; deny?: string[]; blockAction?: string; comment?: string; json?: boolean }, cmd: Command) => {
      const edits: PolicyEdits = {
        ...(o.block === undefined ? {} : { block: o.block }),
        ...(o.monitor === undefined ? {} : { monitor: o.monitor }),
        ...(o.allowCategory === undefined ? {} : { allowCategory: o.allowCategory }),
        ...(o.allow === undefined ? {} : { allow: o.allow }),
        ...(o.deny === undefined ? {} : { deny: o.deny }),
        ...(o.blockAction === undefined ? {} : { blockAction: o.blockAction }),
      };
      if (o.file === undefined && Object.keys(edits).length === 0) {
        throw new MinewardenError('MW_ERR_BAD_INPUT', 'nothing to set: give --file and/or --block, --monitor, --allow-category, --allow, --deny, --block-action');
      }
      const v = await runOp(cmd, 'policy.set', {
        scope, actor: cliActor(), edits,
        ...(o.file === undefined ? {} : { document: await readDocument(o.file) }),
        ...(o.comment === undefined ? {} : { comment: o.comment }),
      });
      if (o.json === true) return json(v);
      w(versionLine(v));
    });

  pol
    .command('history <scope>')
    .description('every version of a scope, newest first')
    .option('-n, --limit <n>', 'how many')
    .option('--json', 'print JSON')
    .action(async (scope: string, o: { limit?: string; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'policy.history', { scope, ...(o.limit === undefined ? {} : { limit: Number(o.limit) }) });
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        w(`${scope}: no versions`);
        return;
      }
      table(rows.map((v) => ({
        version: v.version, when: t(v.createdAt), author: v.author, rollback: v.rolledBackFrom === null ? '-' : `to ${v.rolledBackFrom}`, policy: summary(v.document), comment: v.comment || '-',
      })));
    });

  pol
    .command('rollback <scope> <version>')
    .description('a new version with the document of an older one')
    .option('-m, --comment <text>', 'why, for the history')
    .action(async (scope: string, version: string, o: { comment?: string }, cmd: Command) => {
      const n = Number(version.replace(/^v/, ''));
      if (!Number.isInteger(n) || n <= 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${version}" is not a version number`);
      const v = await runOp(cmd, 'policy.rollback', { scope, version: n, actor: cliActor(), ...(o.comment === undefined ? {} : { comment: o.comment }) });
      w(versionLine(v));
    });

  pol
    .command('clear <scope>')
    .description('a new, empty version: the scope falls back to the config file')
    .option('-m, --comment <text>', 'why, for the history')
    .action(async (scope: string, o: { comment?: string }, cmd: Command) => {
      const v = await runOp(cmd, 'policy.clear', { scope, actor: cliActor(), ...(o.comment === undefined ? {} : { comment: o.comment }) });
      w(versionLine(v));
    });

  pol
    .command('effective <unit>')
    .description('the merged policy a unit\'s clients get, and where each setting comes from')
    .option('--json', 'print JSON')
    .action(async (unit: string, o: { json?: boolean }, cmd: Command) => {
      const e = await runOp(cmd, 'policy.effective', { unit });
      if (o.json === true) return json(e);
      w(`unit ${e.unit}: ${e.scopes.join(' > ')}`);
      w(`  block action   ${e.blockAction === null ? 'dns.block.action (config file)' : `${e.blockAction.action}  from ${origin(e.blockAction.from)}`}`);
      w(`  default        ${e.defaultAction.action}  from ${origin(e.defaultAction.from)}`);
      for (const [c, a] of Object.entries(e.categories)) w(`  category       ${c}=${a.action}  from ${origin(a.from)}`);
      for (const a of e.allow) w(`  allow          ${a.name}  from ${origin(a.from)}`);
      for (const d of e.deny) w(`  deny           ${d.name}  from ${origin(d.from)}`);
    });

  pol
    .command('gateways')
    .description('gateways seen in the last 5 minutes and the policy revision each applied')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const r = await runOp(cmd, 'policy.gateways', {});
      if (o.json === true) return json(r);
      w(`policy revision ${r.revision}`);
      if (r.gateways.length === 0) {
        w('no gateway has reported in the last 5 minutes');
        return;
      }
      table(r.gateways.map((g) => ({
        gateway: g.id, host: g.hostname, started: t(g.startedAt), seen: t(g.lastSeenAt), revision: g.policyRevision,
        state: g.policyRevision === r.revision ? 'current' : 'behind', applied: t(g.appliedAt),
      })));
    });

  const group = pol.command('group').description('named groups of units that share a policy (scope group:<name>)');
  group
    .command('set <name>')
    .description('create or replace a group')
    .requiredOption('--units <ids>', 'unit ids, comma-separated', list)
    .option('--description <text>', 'what the group is')
    .action(async (name: string, o: { units: string[]; description?: string }, cmd: Command) => {
      const g = await runOp(cmd, 'policy.group.set', { name, units: o.units, actor: cliActor(), ...(o.description === undefined ? {} : { description: o.description }) });
      w(`group ${g.name}: ${g.units.length} unit${g.units.length === 1 ? '' : 's'} (${g.units.join(', ')})`);
    });
  group
    .command('list', { isDefault: true })
    .description('the groups')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'policy.group.list', {});
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        w('no groups');
        return;
      }
      table(rows.map((g) => ({ group: g.name, units: g.units.join(',') || '-', description: g.description || '-', updated: t(g.updatedAt) })));
    });
  group
    .command('rm <name>')
    .description('delete a group (its policy versions stay in history but no longer apply)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await runOp(cmd, 'policy.group.rm', { name, actor: cliActor() });
      w(`group ${name} deleted`);
    });
}
