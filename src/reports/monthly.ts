/**
 * The monthly summary handed to leadership: mining cases, pool connections blocked and other
 * threat events, the month day by day and unit by unit, against the month before.
 */
import type { IncidentSummary } from '../store/index.ts';
import { allIncidents, change, dnsFigures, hostKey, inWindow, isMining, scoped, unitNames } from './gather.ts';
import { checkTimeZone, monthWindow, type Window } from './time.ts';
import type { MonthFigures, MonthlySummary, MonthUnitLine, ReportOptions, ReportSources, TopLine } from './types.ts';

/** DNS categories whose blocked queries count as pool connections blocked (see model/indicator.ts). */
export const MINING_CATEGORIES: readonly string[] = ['mining-pool', 'mining-proxy'];

export interface MonthlyOptions extends ReportOptions {
  /** YYYY-MM, local to timeZone. */
  month: string;
  /** Rows of the top lists (default 10). */
  top?: number;
}

/** Host incidents and campaigns first seen in the window. */
async function openedIn(src: ReportSources, w: Window, scope: readonly string[] | null): Promise<IncidentSummary[]> {
  return (await allIncidents(src, { since: w.from }, scope)).filter((i) => inWindow(i.firstSeen, w));
}

async function sum(src: ReportSources, f: Parameters<ReportSources['events']['counts']>[0], keys?: readonly string[]): Promise<number> {
  let n = 0;
  for (const r of await src.events.counts(f, 'day', keys === undefined ? undefined : 'category')) {
    if (keys === undefined || (r.key !== null && keys.includes(r.key))) n += r.count;
  }
  return n;
}

async function figures(src: ReportSources, month: string, w: Window, scope: readonly string[] | null, opened: readonly IncidentSummary[], dns?: { queries: number; blocked: number }): Promise<MonthFigures> {
  const none = scope !== null && scope.length === 0;
  const mining = opened.filter(isMining);
  const poolBlocksDns = none ? 0 : await sum(src, scoped({ kind: 'dns', from: w.from, to: w.to, outcomes: ['blocked'] }, scope), MINING_CATEGORIES);
  const poolBlocksSinkhole = none ? 0 : await sum(src, scoped({ kind: 'sinkhole', from: w.from, to: w.to }, scope));
  const d = dns ?? (await dnsFigures(src, w, scope));
  return {
    month,
    miningCases: mining.length,
    miningResolved: mining.filter((i) => i.state === 'resolved').length,
    poolBlocks: poolBlocksDns + poolBlocksSinkhole, poolBlocksDns, poolBlocksSinkhole,
    threatEvents: opened.filter((i) => i.kind === 'host' && !isMining(i)).length,
    campaigns: opened.filter((i) => i.kind === 'campaign').length,
    queries: d.queries, blocked: d.blocked,
  };
}

export async function monthlySummary(src: ReportSources, o: MonthlyOptions): Promise<MonthlySummary> {
  checkTimeZone(o.timeZone);
  const w = monthWindow(o.month, o.timeZone);
  const scope = o.scope;
  const none = scope !== null && scope.length === 0;
  const n = o.top ?? 10;
  const name = unitNames(src);

  // Day by day (each day its own window: local days need not fall on UTC day buckets).
  const days = [];
  for (const d of w.days) days.push(await dnsFigures(src, d, scope));
  const opened = await openedIn(src, w, scope);
  const hostIncidents = opened.filter((i) => i.kind === 'host');
  const series = {
    days: w.days.map((d) => d.date),
    queries: days.map((d) => d.queries),
    blocked: days.map((d) => d.blocked),
    incidents: w.days.map((d) => hostIncidents.filter((i) => inWindow(i.firstSeen, d)).length),
  };
  const total = { queries: series.queries.reduce((a, b) => a + b, 0), blocked: series.blocked.reduce((a, b) => a + b, 0) };
  const current = await figures(src, w.month, w, scope, opened, total);
  const previous = await figures(src, w.previous.month, w.previous, scope, await openedIn(src, w.previous, scope));

  // Per unit: cases and hosts from the incidents, queries and blocks from the DNS roll-ups.
  const perUnit = new Map<string, MonthUnitLine & { hostSet: Set<string> }>();
  const unit = (id: string): MonthUnitLine & { hostSet: Set<string> } => {
    let u = perUnit.get(id);
    if (u === undefined) {
      u = { id, name: name(id) ?? id, cases: 0, threatEvents: 0, infectedHosts: 0, queries: 0, blocked: 0, hostSet: new Set() };
      perUnit.set(id, u);
    }
    return u;
  };
  for (const i of hostIncidents) {
    if (i.unit === null) continue;
    const u = unit(i.unit);
    if (isMining(i)) u.cases++;
    else u.threatEvents++;
    for (const h of i.hosts) u.hostSet.add(hostKey(h));
  }
  if (!none) {
    for (const r of await src.events.top(scoped({ kind: 'dns', from: w.from, to: w.to }, scope), 'unit', 10_000)) {
      if (r.key === '' || (r.blocked === 0 && !perUnit.has(r.key))) continue;
      const u = unit(r.key);
      u.queries = r.count;
      u.blocked = r.blocked;
    }
  }
  const lines: MonthUnitLine[] = [...perUnit.values()].map(({ hostSet, ...u }) => ({ ...u, infectedHosts: hostSet.size }));
  const units = [...lines].sort((a, b) => b.cases - a.cases || b.threatEvents - a.threatEvents || b.blocked - a.blocked || a.id.localeCompare(b.id));
  const topInfectedUnits = lines.filter((u) => u.infectedHosts > 0)
    .sort((a, b) => b.infectedHosts - a.infectedHosts || b.cases - a.cases || a.id.localeCompare(b.id)).slice(0, n);

  const top = async (f: Parameters<ReportSources['events']['top']>[0], by: 'name' | 'detector'): Promise<TopLine[]> =>
    none ? [] : (await src.events.top(scoped(f, scope), by, n)).map((r) => ({ key: r.key, count: r.count }));
  return {
    kind: 'monthly', month: w.month, timeZone: o.timeZone, from: w.from, to: w.to, generatedAt: o.now ?? Date.now(),
    scope: scope === null ? null : [...scope],
    figures: current, previous, series, units, topInfectedUnits,
    topBlocked: await top({ kind: 'dns', from: w.from, to: w.to, outcomes: ['blocked'] }, 'name'),
    detectors: await top({ kind: 'alert', from: w.from, to: w.to }, 'detector'),
    changes: [
      change('miningCases', current.miningCases, previous.miningCases),
      change('poolBlocks', current.poolBlocks, previous.poolBlocks),
      change('threatEvents', current.threatEvents, previous.threatEvents),
      change('queries', current.queries, previous.queries),
      change('blocked', current.blocked, previous.blocked),
    ],
  };
}
