/**
 * The organisation tree: a validated, normalised, immutable set of units with parent/child
 * navigation. Validation collects every problem before failing, so an operator fixes an org
 * file in one pass; each problem names the unit and the field.
 */
import { MinewardenError } from '../core/errors.ts';
import type { Unit, UnitContact } from '../model/org.ts';
import { parseCidr } from './cidr.ts';

export type UnitField = 'id' | 'name' | 'parentId' | 'kind' | 'site' | 'cidrs' | 'egress' | 'contacts';

export interface UnitProblem {
  /** Position of the unit in the input list (import code maps it back to a line). */
  index: number;
  unitId: string;
  field: UnitField;
  message: string;
}

const SLUG = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** `unit "x"` (or `unit #3` when it has no usable id) — the prefix every problem message uses. */
export function describeProblem(p: UnitProblem): string {
  const who = p.unitId === '' ? `unit #${p.index + 1}` : `unit "${p.unitId}"`;
  return `${who}: ${p.field}: ${p.message}`;
}

/** Normalises the units and lists every problem; the units are only usable if there are none. */
export function checkUnits(input: readonly Unit[]): { units: Unit[]; problems: UnitProblem[] } {
  const problems: UnitProblem[] = [];
  const units = input.map((u, index) => normaliseUnit(u, index, problems));
  const byId = new Map<string, number>();
  units.forEach((u, index) => {
    if (u.id === '') return;
    const first = byId.get(u.id);
    if (first !== undefined) problems.push({ index, unitId: u.id, field: 'id', message: `duplicate id (also unit #${first + 1})` });
    else byId.set(u.id, index);
  });
  units.forEach((u, index) => {
    if (u.parentId === null) return;
    if (u.parentId === u.id) problems.push({ index, unitId: u.id, field: 'parentId', message: 'a unit cannot be its own parent' });
    else if (!byId.has(u.parentId)) problems.push({ index, unitId: u.id, field: 'parentId', message: `parent "${u.parentId}" does not exist` });
  });
  findCycles(units, byId, problems);
  claimNetworks(units, problems);
  problems.sort((a, b) => a.index - b.index);
  return { units, problems };
}

function normaliseUnit(u: Unit, index: number, problems: UnitProblem[]): Unit {
  const id = typeof u.id === 'string' ? u.id.trim() : '';
  const report = (field: UnitField, message: string): void => {
    problems.push({ index, unitId: id, field, message });
  };
  if (!SLUG.test(id)) report('id', `"${String(u.id)}" is not a slug (a-z, 0-9, '.', '_', '-'; at most 64 characters)`);
  const name = typeof u.name === 'string' ? u.name.trim() : '';
  if (name === '') report('name', 'is empty');
  const parentId = typeof u.parentId === 'string' && u.parentId.trim() !== '' ? u.parentId.trim() : null;
  const kind = typeof u.kind === 'string' && u.kind.trim() !== '' ? u.kind.trim() : undefined;
  const site = typeof u.site === 'string' ? u.site.trim() : '';
  if (site !== '' && !SLUG.test(site)) report('site', `"${site}" is not a slug`);
  const networks = (field: 'cidrs' | 'egress'): string[] => {
    const out: string[] = [];
    for (const raw of u[field] ?? []) {
      const c = parseCidr(raw);
      if (c === null) report(field, `"${raw}" is not an IP address or CIDR`);
      else if (!out.includes(c.text)) out.push(c.text);
    }
    return out;
  };
  const contacts: UnitContact[] = [];
  for (const [i, c] of (u.contacts ?? []).entries()) {
    const contact: UnitContact = { name: (c.name ?? '').trim() };
    if (contact.name === '') report('contacts', `contact ${i + 1} has no name`);
    for (const key of ['email', 'phone', 'role'] as const) {
      const v = c[key]?.trim();
      if (v) contact[key] = v;
    }
    if (contact.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(contact.email)) {
      report('contacts', `contact ${i + 1} email "${contact.email}" is not an address`);
    }
    contacts.push(contact);
  }
  const unit: Unit = { id, name, parentId, cidrs: networks('cidrs'), site, egress: networks('egress'), contacts };
  if (kind !== undefined) unit.kind = kind;
  return unit;
}

/** Reports each cycle once, on the unit where the walk closed it. */
function findCycles(units: Unit[], byId: Map<string, number>, problems: UnitProblem[]): void {
  const state = new Array<0 | 1 | 2>(units.length).fill(0); // 0 new, 1 on the current walk, 2 done
  for (let start = 0; start < units.length; start++) {
    const walk: number[] = [];
    let i: number | undefined = start;
    while (i !== undefined && state[i] === 0) {
      state[i] = 1;
      walk.push(i);
      const parent: string | null = units[i]?.parentId ?? null;
      i = parent === null ? undefined : byId.get(parent);
    }
    if (i !== undefined && state[i] === 1 && units[i]?.parentId !== units[i]?.id) {
      // (a unit that is its own parent is reported by checkUnits already)
      const loop = walk.slice(walk.indexOf(i)).map((k) => units[k]?.id ?? '');
      problems.push({ index: i, unitId: units[i]?.id ?? '', field: 'parentId', message: `parents form a cycle: ${[...loop, loop[0]].join(' → ')}` });
    }
    for (const k of walk) state[k] = 2;
  }
}

/** An internal network belongs to one unit per site; an egress address to one unit overall. */
function claimNetworks(units: Unit[], problems: UnitProblem[]): void {
  const internal = new Map<string, string>();
  const egress = new Map<string, string>();
  units.forEach((u, index) => {
    for (const c of u.cidrs) {
      const key = `${u.site}\u0000${c}`;
      const owner = internal.get(key);
      if (owner !== undefined && owner !== u.id) {
        problems.push({ index, unitId: u.id, field: 'cidrs', message: `${c} at site "${u.site}" is also claimed by unit "${owner}"` });
      } else internal.set(key, u.id);
    }
    for (const c of u.egress) {
      const owner = egress.get(c);
      if (owner !== undefined && owner !== u.id) {
        problems.push({ index, unitId: u.id, field: 'egress', message: `${c} is also claimed by unit "${owner}"` });
      } else egress.set(c, u.id);
    }
  });
}

function deepFreeze(u: Unit): Unit {
  u.contacts.forEach((c) => Object.freeze(c));
  Object.freeze(u.contacts);
  Object.freeze(u.cidrs);
  Object.freeze(u.egress);
  return Object.freeze(u);
}

export class UnitTree {
  private readonly byId = new Map<string, Unit>();
  private readonly kids = new Map<string | null, Unit[]>();
  private readonly order: Unit[] = [];

  /** Validates and normalises; throws MW_ERR_BAD_INPUT listing every problem. */
  static build(units: readonly Unit[]): UnitTree {
    const { units: normalised, problems } = checkUnits(units);
    if (problems.length > 0) {
      const lines = problems.map((p) => `  ${describeProblem(p)}`);
      throw new MinewardenError('MW_ERR_BAD_INPUT', `the organisation tree is invalid (${problems.length} problem(s)):\n${lines.join('\n')}`);
    }
    return new UnitTree(normalised);
  }

  private constructor(units: Unit[]) {
    for (const u of units) {
      this.byId.set(u.id, deepFreeze(u));
      const siblings = this.kids.get(u.parentId);
      if (siblings) siblings.push(u);
      else this.kids.set(u.parentId, [u]);
    }
    const visit = (u: Unit): void => {
      this.order.push(u);
      for (const c of this.kids.get(u.id) ?? []) visit(c);
    };
    for (const r of this.roots()) visit(r);
  }

  get size(): number {
    return this.order.length;
  }

  /** Every unit, parents before children (depth-first, siblings in input order). */
  units(): readonly Unit[] {
    return this.order;
  }

  get(id: string): Unit | undefined {
    return this.byId.get(id);
  }

  /** The unit, or MW_ERR_NOT_FOUND. */
  require(id: string): Unit {
    const u = this.byId.get(id);
    if (!u) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${id}"`);
    return u;
  }

  roots(): readonly Unit[] {
    return this.kids.get(null) ?? [];
  }

  children(id: string): readonly Unit[] {
    this.require(id);
    return this.kids.get(id) ?? [];
  }

  parent(id: string): Unit | null {
    const p = this.require(id).parentId;
    return p === null ? null : this.require(p);
  }

  /** From the root down to the unit's parent (empty for a root). */
  ancestors(id: string): Unit[] {
    const out: Unit[] = [];
    for (let p = this.parent(id); p !== null; p = this.parent(p.id)) out.push(p);
    return out.reverse();
  }

  /** From the root down to the unit itself. */
  path(id: string): Unit[] {
    return [...this.ancestors(id), this.require(id)];
  }

  /** 0 for a root. */
  depth(id: string): number {
    return this.ancestors(id).length;
  }

  /** The unit and everything below it: what a "unit subtree" filter matches. */
  subtreeIds(id: string): Set<string> {
    const out = new Set<string>();
    const stack = [this.require(id)];
    for (let u = stack.pop(); u !== undefined; u = stack.pop()) {
      out.add(u.id);
      stack.push(...(this.kids.get(u.id) ?? []));
    }
    return out;
  }

  /** True when `id` is `ancestorId` or lies below it. */
  isWithin(id: string, ancestorId: string): boolean {
    for (let u: Unit | null = this.require(id); u !== null; u = this.parent(u.id)) if (u.id === ancestorId) return true;
    return false;
  }
}
