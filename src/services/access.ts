/**
 * Who may see what. Every service function takes an `Access`: the acting principal and the unit
 * ids it may see (null: every unit). Roles are checked here, below HTTP, so the API, the CLI and
 * any later caller get the same answers; a unit outside the principal's subtrees is reported as
 * not found, never as forbidden, so its existence is not revealed.
 */
import { MinewardenError } from '../core/errors.ts';
import { roleCan, type Permission, type Principal } from '../model/auth.ts';
import type { Incident } from '../model/detect.ts';
import type { IncidentSummary } from '../store/index.ts';

/** What access needs of the unit tree. */
export interface TreeView {
  get(id: string): unknown;
  subtreeIds(id: string): Set<string>;
}

export interface Access {
  readonly principal: Principal;
  /** Unit ids the principal may see; null: all of them (and events of no unit). */
  readonly units: ReadonlySet<string> | null;
}

export function accessOf(principal: Principal, tree: TreeView): Access {
  if (principal.role !== 'unit-viewer') return { principal, units: null };
  const units = new Set<string>();
  for (const root of principal.units) {
    // A root the tree no longer has grants nothing (the unit was removed since).
    if (tree.get(root) === undefined) continue;
    for (const id of tree.subtreeIds(root)) units.add(id);
  }
  return { principal, units };
}

/** Throws MW_ERR_FORBIDDEN unless the role has the permission. */
export function need(a: Access, p: Permission): void {
  if (a.principal.mustEnrollTotp) throw new MinewardenError('MW_ERR_FORBIDDEN', 'enrol a second factor first (your role requires one)');
  if (!roleCan(a.principal.role, p)) throw new MinewardenError('MW_ERR_FORBIDDEN', `the ${a.principal.role} role may not do this (needs ${p})`);
}

export function canSeeUnit(a: Access, unit: string | null | undefined): boolean {
  if (a.units === null) return true;
  return unit !== null && unit !== undefined && a.units.has(unit);
}

/**
 * The unit ids a query may cover: a requested unit (and its subtree), cut to what the principal
 * sees; undefined when nothing limits it (all units, and events of no unit).
 */
export function unitFilter(a: Access, tree: TreeView, unit?: string): string[] | undefined {
  if (unit !== undefined && unit !== '') {
    if (tree.get(unit) === undefined || !canSeeUnit(a, unit)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${unit}"`);
    const ids = [...tree.subtreeIds(unit)];
    return a.units === null ? ids : ids.filter((id) => a.units?.has(id) === true);
  }
  return a.units === null ? undefined : [...a.units];
}

/**
 * An incident as the principal may see it, or null: one seen through a unit outside its subtrees
 * (a campaign's common unit) shows only the hosts in them, and a timeline only their entries.
 */
export function visibleIncident<T extends IncidentSummary | Incident>(a: Access, i: T): T | null {
  if (a.units === null) return i;
  const hosts = i.hosts.filter((h) => canSeeUnit(a, h.unit));
  if (!canSeeUnit(a, i.unit) && hosts.length === 0) return null;
  if (!('timeline' in i)) return { ...i, hosts };
  const shown = new Set(hosts.map((h) => h.client));
  return { ...i, hosts, timeline: i.timeline.filter((t) => shown.has(t.client)) };
}

/** The actor name written into incident trails and the audit log. */
export function actorOf(a: Access): string {
  return a.principal.via === 'token' ? `${a.principal.username} (token)` : a.principal.username;
}
