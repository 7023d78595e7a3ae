/**
 * Units as CSV. Import is all or nothing: every bad row is reported with its line number and the
 * import fails as a whole, because a half-imported org tree misplaces events silently.
 *
 * Header: id,name,parent,kind,site,cidrs,egress,contact_name,contact_email,contact_phone
 * (+ optional contact_role, written only when a contact has a role). Multi-valued cells use `;`;
 * contact cells are positional (the 2nd email belongs to the 2nd contact name).
 */
import { MinewardenError } from '../core/errors.ts';
import type { Unit, UnitContact } from '../model/org.ts';
import { readCsv, writeCsvRow } from './csv.ts';
import { checkUnits, describeProblem, UnitTree } from './tree.ts';

export const CSV_COLUMNS = ['id', 'name', 'parent', 'kind', 'site', 'cidrs', 'egress', 'contact_name', 'contact_email', 'contact_phone'] as const;
const OPTIONAL_COLUMNS = ['contact_role'] as const;
type Column = (typeof CSV_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const ALL_COLUMNS: readonly string[] = [...CSV_COLUMNS, ...OPTIONAL_COLUMNS];

/** A located problem in an import file. */
export interface ImportError {
  line: number;
  message: string;
}

export function importFailed(format: string, errors: ImportError[]): MinewardenError {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  const lines = sorted.map((e) => `  line ${e.line}: ${e.message}`);
  return new MinewardenError('MW_ERR_BAD_INPUT', `${format} import failed, nothing imported (${errors.length} error(s)):\n${lines.join('\n')}`);
}

/** Validates units read from a file and maps tree problems back to the unit's line. */
export function treeFromRows(format: string, units: Unit[], lines: number[], errors: ImportError[], skipParents: Set<string>): UnitTree {
  const { problems } = checkUnits(units);
  for (const p of problems) {
    // A parent that sits on a row already rejected is reported there, not again here.
    if (p.field === 'parentId' && skipParents.has(units[p.index]?.parentId ?? '')) continue;
    errors.push({ line: lines[p.index] ?? 0, message: describeProblem(p) });
  }
  if (errors.length > 0) throw importFailed(format, errors);
  return UnitTree.build(units);
}

const list = (cell: string): string[] => (cell.trim() === '' ? [] : cell.split(';').map((v) => v.trim()));

export function importUnitsCsv(text: string): UnitTree {
  const { records, errors } = readCsv(text);
  const [header, ...rows] = records;
  if (header === undefined) {
    if (errors.length === 0) errors.push({ line: 1, message: 'no header' });
    throw importFailed('CSV', errors);
  }
  const cols = new Map<Column, number>();
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!ALL_COLUMNS.includes(name)) errors.push({ line: header.line, message: `unknown column "${raw}" (known: ${ALL_COLUMNS.join(', ')})` });
    else if (cols.has(name as Column)) errors.push({ line: header.line, message: `column "${name}" appears twice` });
    else cols.set(name as Column, i);
  });
  for (const required of ['id', 'name'] as const) {
    if (!cols.has(required)) errors.push({ line: header.line, message: `the header has no "${required}" column` });
  }
  if (errors.some((e) => e.line === header.line)) throw importFailed('CSV', errors);

  const units: Unit[] = [];
  const lines: number[] = [];
  const badIds = new Set<string>();
  for (const row of rows) {
    const cell = (c: Column): string => {
      const i = cols.get(c);
      return i === undefined ? '' : (row.fields[i] ?? '');
    };
    if (row.fields.length !== header.fields.length) {
      errors.push({ line: row.line, message: `${row.fields.length} fields, the header has ${header.fields.length}` });
      badIds.add(cell('id').trim());
      continue;
    }
    const names = list(cell('contact_name'));
    const details = { email: list(cell('contact_email')), phone: list(cell('contact_phone')), role: list(cell('contact_role')) };
    const extra = (['email', 'phone', 'role'] as const).find((k) => details[k].length > names.length);
    if (extra !== undefined) {
      errors.push({ line: row.line, message: `unit "${cell('id')}": contacts: more contact_${extra} values than contact names` });
      badIds.add(cell('id').trim());
      continue;
    }
    const contacts = names.map((name, k) => {
      const c: UnitContact = { name };
      for (const key of ['email', 'phone', 'role'] as const) {
        const v = details[key][k];
        if (v) c[key] = v;
      }
      return c;
    });
    const unit: Unit = {
      id: cell('id'),
      name: cell('name'),
      parentId: cell('parent').trim() || null,
      cidrs: list(cell('cidrs')).filter((v) => v !== ''),
      site: cell('site'),
      egress: list(cell('egress')).filter((v) => v !== ''),
      contacts,
    };
    if (cell('kind').trim() !== '') unit.kind = cell('kind');
    units.push(unit);
    lines.push(row.line);
  }
  return treeFromRows('CSV', units, lines, errors, badIds);
}

function joinList(unit: Unit, field: string, values: readonly string[]): string {
  const bad = values.find((v) => v.includes(';'));
  if (bad !== undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', `unit "${unit.id}": ${field}: "${bad}" contains ';', which CSV uses between values; export as YAML`);
  return values.join(';');
}

/** Parents before children, so the file reads top-down. */
export function exportUnitsCsv(tree: UnitTree): string {
  const units = tree.units();
  const withRole = units.some((u) => u.contacts.some((c) => c.role !== undefined));
  let out = writeCsvRow(withRole ? [...CSV_COLUMNS, ...OPTIONAL_COLUMNS] : CSV_COLUMNS);
  for (const u of units) {
    const contact = (k: keyof UnitContact): string => joinList(u, `contact_${k}`, u.contacts.map((c) => c[k] ?? ''));
    const row = [
      u.id,
      u.name,
      u.parentId ?? '',
      u.kind ?? '',
      u.site,
      u.cidrs.join(';'),
      u.egress.join(';'),
      contact('name'),
      u.contacts.some((c) => c.email) ? contact('email') : '',
      u.contacts.some((c) => c.phone) ? contact('phone') : '',
    ];
    if (withRole) row.push(u.contacts.some((c) => c.role) ? contact('role') : '');
    out += writeCsvRow(row);
  }
  return out;
}
