/** What both reports read the same way: scoped filters, whole incident lists, DNS totals, lines. */
import type { Severity } from '../model/events.ts';
import { SEVERITIES } from '../model/events.ts';
import type { EventFilter, IncidentQuery, IncidentSummary } from '../store/index.ts';
import type { Change, DnsFigures, IncidentLine, ReportSources } from './types.ts';
import type { Window } from './time.ts';

/** The scope as a filter field: nothing for "all", the unit ids otherwise. */
export function scoped<T extends EventFilter | IncidentQuery>(q: T, scope: readonly string[] | null): T {
  return scope === null ? q : { ...q, units: scope };
}

const PAGE = 1000;

/** Every incident matching `q` (the store pages at most `limit`; this reads every page). */
export async function allIncidents(src: ReportSources, q: IncidentQuery, scope: readonly string[] | null): Promise<IncidentSummary[]> {
  if (scope !== null && scope.length === 0) return [];
  const out: IncidentSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await src.incidents.list(scoped({ ...q, limit: PAGE, offset }, scope));
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

export const inWindow = (ms: number, w: Window): boolean => ms >= w.from && ms < w.to;

/** DNS queries and blocked queries in a window. */
export async function dnsFigures(src: ReportSources, w: Window, scope: readonly string[] | null): Promise<DnsFigures> {
  if (scope !== null && scope.length === 0) return { queries: 0, blocked: 0 };
  const rows = await src.events.counts(scoped({ kind: 'dns', from: w.from, to: w.to }, scope), 'day', 'outcome');
  let queries = 0;
  let blocked = 0;
  for (const r of rows) {
    queries += r.count;
    if (r.key === 'blocked') blocked += r.count;
  }
  return { queries, blocked };
}

export function change(metric: Change['metric'], current: number, previous: number): Change {
  const delta = current - previous;
  return { metric, current, previous, delta, direction: delta > 0 ? 'up' : delta < 0 ? 'down' : 'same' };
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export function hostKey(h: { client: string; site: string }): string {
  return h.site === '' ? h.client : `${h.client}@${h.site}`;
}

export function unitNames(src: ReportSources): (id: string | null) => string | null {
  const names = new Map(src.units().map((u) => [u.id, u.name]));
  return (id) => (id === null ? null : (names.get(id) ?? id));
}

export function incidentLine(i: IncidentSummary, at: number, name: (id: string | null) => string | null, closedAt: number | null = null): IncidentLine {
  const [h] = i.hosts;
  return {
    id: i.id, kind: i.kind, title: i.title, threat: i.threat, severity: i.severity, state: i.state, stage: i.stage,
    unit: i.unit, unitName: name(i.unit),
    host: i.hosts.length === 1 && h !== undefined ? hostKey(h) : `${i.hosts.length} hosts`, hosts: i.hosts.length,
    firstSeen: i.firstSeen, lastSeen: i.lastSeen, ageMs: Math.max(0, at - i.firstSeen), closedAt,
  };
}

/** When a closed incident was closed: its last state change to the state it has. */
export async function closedAt(src: ReportSources, i: IncidentSummary): Promise<number | null> {
  const history = await src.incidents.history(i.id);
  for (let k = history.length - 1; k >= 0; k--) {
    const c = history[k];
    if (c !== undefined && c.field === 'state' && c.to === i.state) return c.at;
  }
  return null;
}

export const isMining = (i: IncidentSummary): boolean => i.kind === 'host' && i.threat.startsWith('mining');
