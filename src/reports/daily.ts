/**
 * The daily patrol: what an operator reads each morning — the day against the day before, what
 * is open, who got infected, what was blocked, and whether the sensors and feeds are alive.
 */
import type { IncidentSummary } from '../store/index.ts';
import {
  allIncidents, change, closedAt, dnsFigures, hostKey, incidentLine, inWindow, scoped, severityRank, unitNames,
} from './gather.ts';
import { checkTimeZone, dayWindow } from './time.ts';
import type { DailyPatrol, ReportOptions, ReportSources, TopLine, UnitLine } from './types.ts';

export interface DailyOptions extends ReportOptions {
  /** YYYY-MM-DD, local to timeZone. */
  date: string;
  /** Shown with the health lines (e.g. "no server running: no sensor health"). */
  healthNote?: string;
  /** Rows of the top lists (default 10). */
  top?: number;
}

function infected(list: readonly IncidentSummary[]): { hosts: string[]; units: string[] } {
  const hosts = new Set<string>();
  const units = new Set<string>();
  for (const i of list) {
    for (const h of i.hosts) {
      hosts.add(hostKey(h));
      const u = h.unit ?? i.unit;
      if (u !== null) units.add(u);
    }
  }
  return { hosts: [...hosts].sort(), units: [...units].sort() };
}

export async function dailyPatrol(src: ReportSources, o: DailyOptions): Promise<DailyPatrol> {
  checkTimeZone(o.timeZone);
  const w = dayWindow(o.date, o.timeZone);
  const now = o.now ?? Date.now();
  const at = Math.min(now, w.to);
  const scope = o.scope;
  const none = scope !== null && scope.length === 0;
  const n = o.top ?? 10;
  const name = unitNames(src);

  const [today, yesterday] = [await dnsFigures(src, w, scope), await dnsFigures(src, w.previous, scope)];
  // Anything opened yesterday or today was last seen since yesterday's start.
  const recent = await allIncidents(src, { since: w.previous.from }, scope);
  const openedToday = recent.filter((i) => inWindow(i.firstSeen, w));
  const openedYesterday = recent.filter((i) => inWindow(i.firstSeen, w.previous));
  const open = (await allIncidents(src, { open: true }, scope))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.firstSeen - b.firstSeen);
  // A state change moves updatedAt, so what was closed that day was updated since its start.
  const closedCandidates = (await allIncidents(src, { state: ['resolved', 'false-positive'] }, scope)).filter((i) => i.updatedAt >= w.from);
  const closed: DailyPatrol['incidents']['closedToday'] = [];
  for (const i of closedCandidates) {
    const t = await closedAt(src, i);
    if (t !== null && inWindow(t, w)) closed.push(incidentLine(i, at, name, t));
  }

  const blockedFilter = scoped({ kind: 'dns' as const, from: w.from, to: w.to, outcomes: ['blocked' as const] }, scope);
  const top = async (by: 'name' | 'category'): Promise<TopLine[]> =>
    none ? [] : (await src.events.top(blockedFilter, by, n)).map((r) => ({ key: r.key, count: r.count }));

  const perUnit = new Map<string, { open: number; max: IncidentSummary['severity']; hosts: Set<string> }>();
  for (const i of open) {
    if (i.unit === null) continue;
    const u = perUnit.get(i.unit) ?? { open: 0, max: i.severity, hosts: new Set<string>() };
    u.open++;
    if (severityRank(i.severity) > severityRank(u.max)) u.max = i.severity;
    for (const h of i.hosts) u.hosts.add(hostKey(h));
    perUnit.set(i.unit, u);
  }
  const units: UnitLine[] = [...perUnit].map(([id, u]) => ({ id, name: name(id) ?? id, open: u.open, maxSeverity: u.max, hosts: u.hosts.size }))
    .sort((a, b) => b.open - a.open || severityRank(b.maxSeverity) - severityRank(a.maxSeverity) || a.id.localeCompare(b.id));

  const inf = infected(openedToday);
  const infY = infected(openedYesterday);
  const health = src.health === undefined ? [] : [...(await src.health())];
  return {
    kind: 'daily', date: w.date, timeZone: o.timeZone, from: w.from, to: w.to, generatedAt: now, scope: scope === null ? null : [...scope],
    dns: { today, yesterday },
    incidents: {
      openedToday: openedToday.sort((a, b) => a.firstSeen - b.firstSeen).map((i) => incidentLine(i, at, name)),
      openedYesterday: openedYesterday.length,
      open: open.map((i) => incidentLine(i, at, name)),
      closedToday: closed,
    },
    infected: { today: inf, yesterday: { hosts: infY.hosts.length, units: infY.units.length } },
    topBlocked: await top('name'),
    topCategories: await top('category'),
    units,
    health,
    healthNote: o.healthNote ?? (src.health === undefined ? 'no health source' : null),
    changes: [
      change('queries', today.queries, yesterday.queries),
      change('blocked', today.blocked, yesterday.blocked),
      change('opened', openedToday.length, openedYesterday.length),
      change('newHosts', inf.hosts.length, infY.hosts.length),
      change('affectedUnits', inf.units.length, infY.units.length),
    ],
  };
}
