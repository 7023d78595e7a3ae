/**
 * `minewarden units …`: the organisation tree — import (replaces the whole tree), export, list,
 * and which unit an address belongs to.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { MinewardenError, isMinewardenError } from '../../core/errors.ts';
import type { Unit } from '../../model/org.ts';
import { UnitTree, exportUnitsCsv, exportUnitsYaml, importUnitsCsv, importUnitsYaml, parseCidr, type UnitMatch } from '../../org/index.ts';
import { runOp } from '../ops.ts';
import { cliActor } from '../context.ts';
import { json } from '../output.ts';

type UnitFormat = 'csv' | 'yaml';

function formatOf(option: string | undefined, file: string | undefined, fallback: UnitFormat | null): UnitFormat {
  const raw = (option ?? (file === undefined ? '' : extname(file).slice(1))).toLowerCase();
  if (raw === 'csv') return 'csv';
  if (raw === 'yaml' || raw === 'yml') return 'yaml';
  if (option !== undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown format "${option}"; use csv or yaml`);
  if (fallback !== null) return fallback;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot tell the format of ${file ?? 'the file'} from its name; add --format csv or --format yaml`);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function parseFile(text: string, format: UnitFormat, file: string): UnitTree {
  try {
    return format === 'csv' ? importUnitsCsv(text) : importUnitsYaml(text);
  } catch (e) {
    if (isMinewardenError(e)) throw new MinewardenError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** One line of the tree: name, id, kind, site, internal CIDRs and egress. */
function describeUnit(u: Unit, depth: number): string {
  const parts = [`${'  '.repeat(depth)}${u.name}`, `[${u.id}]`];
  if (u.kind !== undefined) parts.push(u.kind);
  if (u.site !== '') parts.push(`site=${u.site}`);
  if (u.cidrs.length > 0) parts.push(u.cidrs.join(' '));
  if (u.egress.length > 0) parts.push(`egress=${u.egress.join(',')}`);
  return parts.join('  ');
}

function isAddress(text: string): boolean {
  return !text.includes('/') && parseCidr(text) !== null;
}

function matchJson(ip: string, site: string, m: UnitMatch | null): Record<string, unknown> {
  if (m === null) return { ip, site, unit: null };
  return { ip, site, unit: m.unitId, name: m.unit.name, via: m.via, cidr: m.cidr, path: m.path.map((u) => ({ id: u.id, name: u.name })) };
}

export function registerUnits(program: Command): void {
  const units = program.command('units').description('organisation units: the tree events are attributed to');

  units
    .command('import <file>')
    .description('replace the whole organisation tree with a CSV or YAML file (all or nothing)')
    .option('-f, --format <format>', 'csv or yaml (default: from the file extension)')
    .option('--allow-empty', 'accept a file with no units (empties the tree)')
    .action(async (file: string, o: { format?: string; allowEmpty?: boolean }, cmd: Command) => {
      const format = formatOf(o.format, file, null);
      const tree = parseFile(await readText(file), format, file);
      if (tree.size === 0 && o.allowEmpty !== true) {
        throw new MinewardenError('MW_ERR_BAD_INPUT', `${file} holds no units; importing it would empty the tree (add --allow-empty if that is meant)`);
      }
      const r = await runOp(cmd, 'units.replace', { units: [...tree.units()], actor: cliActor() });
      process.stdout.write(`imported ${r.units} units (${r.roots} root${r.roots === 1 ? '' : 's'}) from ${file}; the tree had ${r.previous}\n`);
    });

  units
    .command('export')
    .description('write the organisation tree as CSV or YAML')
    .option('-f, --format <format>', 'csv or yaml (default: from the -o extension, else csv)')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (o: { format?: string; output?: string }, cmd: Command) => {
      const format = formatOf(o.format, o.output, 'csv');
      const tree = UnitTree.build(await runOp(cmd, 'units.list', {}));
      const text = format === 'csv' ? exportUnitsCsv(tree) : exportUnitsYaml(tree);
      if (o.output === undefined) process.stdout.write(text);
      else await writeFile(o.output, text);
    });

  units
    .command('list', { isDefault: true })
    .description('the tree, indented: name, id, kind, site, CIDRs and egress')
    .option('--json', 'print JSON (units parents first, each with its depth)')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const tree = UnitTree.build(await runOp(cmd, 'units.list', {}));
      if (o.json) return json(tree.units().map((u) => ({ ...u, depth: tree.depth(u.id) })));
      if (tree.size === 0) {
        process.stdout.write('no units (import them with `minewarden units import FILE`)\n');
        return;
      }
      for (const u of tree.units()) process.stdout.write(`${describeUnit(u, tree.depth(u.id))}\n`);
      process.stdout.write(`${tree.size} units, ${tree.roots().length} root${tree.roots().length === 1 ? '' : 's'}\n`);
    });

  units
    .command('resolve <ips...>')
    .description('which unit an address belongs to, and its path from the root')
    .option('-s, --site <key>', 'the site the address was seen at (internal CIDRs may repeat between sites)', '')
    .option('--json', 'print JSON')
    .action(async (ips: string[], o: { site: string; json?: boolean }, cmd: Command) => {
      const bad = ips.find((ip) => !isAddress(ip));
      if (bad !== undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${bad}" is not an IP address`);
      {
        const matches = await runOp(cmd, 'units.explain', { ips, site: o.site });
        if (o.json) return json(matches.map(({ ip, m }) => matchJson(ip, o.site, m)));
        const at = o.site === '' ? '' : ` at site ${o.site}`;
        for (const { ip, m } of matches) {
          if (m === null) {
            process.stdout.write(`${ip}${at}: no unit\n`);
            continue;
          }
          process.stdout.write(`${ip}${at}: ${m.unit.name} [${m.unitId}] — ${m.via} ${m.cidr}\n`);
          process.stdout.write(`  ${m.path.map((u) => `${u.name} [${u.id}]`).join(' › ')}\n`);
        }
      }
    });
}
