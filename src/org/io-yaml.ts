/**
 * Units as YAML. Import accepts a flat list (each unit names its `parent`) or the nested form
 * (children listed under `units:` of their parent), or a mix, at the top level either as a list
 * or as `{ units: [...] }`. Export writes the nested form. Scalars are read with the failsafe
 * schema, so `id: 001` stays the string "001" instead of becoming the number 1.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import type { Node } from 'yaml';
import type { Unit, UnitContact } from '../model/org.ts';
import { importFailed, treeFromRows, type ImportError } from './io.ts';
import type { UnitTree } from './tree.ts';

const UNIT_KEYS = ['id', 'name', 'parent', 'kind', 'site', 'cidrs', 'egress', 'contacts', 'units'] as const;
const CONTACT_KEYS = ['name', 'email', 'phone', 'role'] as const;
const NULLS = new Set(['', '~', 'null']);

export function importUnitsYaml(text: string): UnitTree {
  const counter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: counter, uniqueKeys: true });
  const errors: ImportError[] = doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? 0, message: e.message.split('\n')[0] ?? e.message }));
  if (errors.length > 0) throw importFailed('YAML', errors);
  const lineOf = (node: Node | null | undefined): number => (node?.range ? counter.linePos(node.range[0]).line : 0);
  const fail = (node: Node | null | undefined, message: string): void => {
    errors.push({ line: lineOf(node), message });
  };

  const units: Unit[] = [];
  const lines: number[] = [];
  const text1 = (node: unknown, where: string): string | undefined => {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    fail(node as Node, `${where}: expected text`);
    return undefined;
  };
  const texts = (node: unknown, where: string): string[] => {
    if (isScalar(node)) return (text1(node, where) ?? '') === '' ? [] : [String(node.value)];
    if (!isSeq(node)) {
      fail(node as Node, `${where}: expected a list of addresses`);
      return [];
    }
    return node.items.map((item) => text1(item, where) ?? '').filter((v) => v !== '');
  };

  const readContacts = (node: unknown, who: string): UnitContact[] => {
    if (!isSeq(node)) {
      fail(node as Node, `${who}: contacts: expected a list`);
      return [];
    }
    return node.items.map((item, k) => {
      const c: UnitContact = { name: '' };
      if (!isMap(item)) {
        fail(item as Node, `${who}: contacts: contact ${k + 1} is not a mapping`);
        return c;
      }
      for (const pair of item.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : '');
        if (!(CONTACT_KEYS as readonly string[]).includes(key)) {
          fail(pair.key as Node, `${who}: contacts: unknown key "${key}" (known: ${CONTACT_KEYS.join(', ')})`);
          continue;
        }
        const v = text1(pair.value, `${who}: contacts.${key}`);
        if (v !== undefined && v !== '') c[key as (typeof CONTACT_KEYS)[number]] = v;
      }
      return c;
    });
  };

  const readList = (node: unknown, parent: string | null): void => {
    if (!isSeq(node)) {
      fail(node as Node, 'expected a list of units');
      return;
    }
    for (const item of node.items) {
      if (!isMap(item)) {
        fail(item as Node, 'a unit must be a mapping');
        continue;
      }
      const get = (k: string): unknown => item.items.find((p) => isScalar(p.key) && p.key.value === k)?.value;
      const id = text1(get('id') ?? item, 'id') ?? '';
      const who = `unit "${id}"`;
      for (const pair of item.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : '');
        if (!(UNIT_KEYS as readonly string[]).includes(key)) fail(pair.key as Node, `${who}: unknown key "${key}" (known: ${UNIT_KEYS.join(', ')})`);
      }
      const stated = get('parent') === undefined ? undefined : (text1(get('parent'), `${who}: parent`) ?? '');
      const statedParent = stated === undefined || NULLS.has(stated.trim()) ? null : stated.trim();
      if (parent !== null && stated !== undefined && statedParent !== parent) {
        fail(get('parent') as Node | undefined, `${who}: parent "${stated}" contradicts its nesting under "${parent}"`);
      }
      const unit: Unit = {
        id,
        name: get('name') === undefined ? '' : (text1(get('name'), `${who}: name`) ?? ''),
        parentId: parent ?? statedParent,
        cidrs: get('cidrs') === undefined ? [] : texts(get('cidrs'), `${who}: cidrs`),
        site: get('site') === undefined ? '' : (text1(get('site'), `${who}: site`) ?? ''),
        egress: get('egress') === undefined ? [] : texts(get('egress'), `${who}: egress`),
        contacts: get('contacts') === undefined ? [] : readContacts(get('contacts'), who),
      };
      const kind = get('kind') === undefined ? undefined : text1(get('kind'), `${who}: kind`);
      if (kind !== undefined && kind !== '') unit.kind = kind;
      units.push(unit);
      lines.push(lineOf(item));
      if (get('units') !== undefined) readList(get('units'), id.trim());
    }
  };

  const root = doc.contents;
  if (isMap(root)) {
    const extra = root.items.find((p) => !(isScalar(p.key) && p.key.value === 'units'));
    if (extra) fail(extra.key, 'the top level holds only "units"');
    readList(root.get('units', true), null);
  } else if (root === null) {
    // An empty document is an empty organisation.
  } else {
    readList(root, null);
  }
  return treeFromRows('YAML', units, lines, errors, new Set());
}

interface YamlUnit {
  id: string;
  name: string;
  kind?: string;
  site?: string;
  cidrs?: string[];
  egress?: string[];
  contacts?: UnitContact[];
  units?: YamlUnit[];
}

/** The nested form; empty fields are left out. */
export function exportUnitsYaml(tree: UnitTree): string {
  const toYaml = (u: Unit): YamlUnit => {
    const out: YamlUnit = { id: u.id, name: u.name };
    if (u.kind !== undefined) out.kind = u.kind;
    if (u.site !== '') out.site = u.site;
    if (u.cidrs.length > 0) out.cidrs = [...u.cidrs];
    if (u.egress.length > 0) out.egress = [...u.egress];
    if (u.contacts.length > 0) out.contacts = u.contacts.map((c) => ({ ...c }));
    const children = tree.children(u.id);
    if (children.length > 0) out.units = children.map(toYaml);
    return out;
  };
  return stringify({ units: tree.roots().map(toYaml) }, { lineWidth: 0 });
}
