/**
 * The network as a principal sees it: the overview figures, the unit tree with each unit's
 * status, hosts, and the DNS query search. Every figure is cut to the principal's units.
 */
import { MinewardenError } from '../core/errors.ts';
import { DNS_OUTCOMES, SEVERITIES, type DnsEvent, type DnsOutcome, type Host, type Severity, type StoredEvent } from '../model/events.ts';
import type { Unit } from '../model/org.ts';
import type { Bucket, EventFilter, IncidentSummary } from '../store/index.ts';
import { canSeeUnit, need, unitFilter, visibleIncident, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Series {
  t: number[];
  queries: number[];
  blocked: number[];
}

export interface Overview {
  from: number;
  to: number;
  bucket: Bucket;
  totals: { queries: number; blocked: number; incidentsOpen: number; infectedHosts: number; affectedUnits: number };
  series: Series;
  incidentsBySeverity: Record<Severity, number>;
  incidentSeries: { t: number[]; opened: number[]; infectedHosts: number[]; affectedUnits: number[] };
  topBlocked: Array<{ key: string; count: number }>;
}

export type UnitStatus = 'ok' | 'warning' | 'infected';

export interface UnitNode {
  id: string;
  name: string;
  parentId: string | null;
  kind: string | null;
  status: UnitStatus;
  openIncidents: number;
  maxSeverity: Severity | null;
  infectedHosts: number;
  blocked24h: number;
}

/** A page of the DNS query search, newest first; `next` continues it. */
export interface QueryPage {
  items: StoredEvent[];
  next: string | null;
}

export interface QuerySearch {
  from?: number;
  to?: number;
  unit?: string;
  /** Host id. */
  host?: number;
  client?: string;
  site?: string;
  name?: string;
  outcome?: DnsOutcome[];
  category?: string;
  limit?: number;
  cursor?: string;
}

const BLOCKED: readonly DnsOutcome[] = ['blocked'];

function bucketFor(span: number): Bucket {
  return span <= 2 * DAY ? 'hour' : 'day';
}

function bucketStart(t: number, b: Bucket): number {
  const size = b === 'hour' ? HOUR : b === 'day' ? DAY : 60_000;
  return Math.floor(t / size) * size;
}

function axis(from: number, to: number, b: Bucket): number[] {
  const size = b === 'hour' ? HOUR : b === 'day' ? DAY : 60_000;
  const out: number[] = [];
  for (let t = bucketStart(from, b); t < to; t += size) out.push(t);
  return out;
}

/** Hosts (site/address) and units of open incidents a principal may see, with the worst severity per unit. */
function openByUnit(a: Access, open: readonly IncidentSummary[]): Map<string, { n: number; max: number; hosts: Set<string> }> {
  const by = new Map<string, { n: number; max: number; hosts: Set<string> }>();
  for (const i of open) {
    for (const h of i.hosts) {
      if (h.unit === null || !canSeeUnit(a, h.unit)) continue;
      let e = by.get(h.unit);
      if (e === undefined) by.set(h.unit, (e = { n: 0, max: -1, hosts: new Set() }));
      if (i.kind === 'host') e.n++;
      e.max = Math.max(e.max, SEVERITIES.indexOf(i.severity));
      e.hosts.add(`${h.site}/${h.client}`);
    }
  }
  return by;
}

export class NetworkService {
  constructor(private readonly d: ServiceDeps) {}

  private dnsFilter(a: Access, from: number, to: number, unit?: string): EventFilter {
    const units = unitFilter(a, this.d.org.tree(), unit);
    return { kind: 'dns', from, to, ...(units === undefined ? {} : { units }) };
  }

  private async openIncidents(a: Access, unit?: string): Promise<IncidentSummary[]> {
    const units = unitFilter(a, this.d.org.tree(), unit);
    return this.d.store.incidents.list({ open: true, ...(units === undefined ? {} : { units }), limit: 100_000 });
  }

  async overview(a: Access, range: { from?: number; to?: number; unit?: string }): Promise<Overview> {
    need(a, 'read');
    const to = range.to ?? this.d.now();
    const from = range.from ?? to - DAY;
    if (from >= to) throw new MinewardenError('MW_ERR_BAD_INPUT', 'from must be before to');
    const bucket = bucketFor(to - from);
    const f = this.dnsFilter(a, from, to, range.unit);
    const units = unitFilter(a, this.d.org.tree(), range.unit);
    const [byOutcome, top, open, recent] = await Promise.all([
      this.d.store.events.counts(f, bucket, 'outcome'),
      this.d.store.events.top({ ...f, outcomes: BLOCKED }, 'name', 10),
      this.openIncidents(a, range.unit),
      this.d.store.incidents.list({ since: from, ...(units === undefined ? {} : { units }), limit: 100_000 }),
    ]);
    const t = axis(from, to, bucket);
    const index = new Map(t.map((x, i) => [x, i]));
    const series: Series = { t, queries: t.map(() => 0), blocked: t.map(() => 0) };
    for (const r of byOutcome) {
      const i = index.get(bucketStart(r.t, bucket));
      if (i === undefined) continue;
      series.queries[i] = (series.queries[i] ?? 0) + r.count;
      if (r.key === 'blocked') series.blocked[i] = (series.blocked[i] ?? 0) + r.count;
    }
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const infected = new Set<string>();
    const affected = new Set<string>();
    for (const i of open) {
      if (i.kind === 'host') bySeverity[i.severity]++;
      for (const h of i.hosts) {
        if (!canSeeUnit(a, h.unit)) continue;
        infected.add(`${h.site}/${h.client}`);
        if (h.unit !== null) affected.add(h.unit);
      }
    }
    const inc = { t, opened: t.map(() => 0), hosts: t.map(() => new Set<string>()), units: t.map(() => new Set<string>()) };
    for (const i of recent) {
      const oi = index.get(bucketStart(i.firstSeen, bucket));
      if (oi !== undefined && i.kind === 'host') inc.opened[oi] = (inc.opened[oi] ?? 0) + 1;
      for (const h of i.hosts) {
        if (!canSeeUnit(a, h.unit)) continue;
        // A host counts as infected in every bucket between its first and last sighting.
        for (let k = 0; k < t.length; k++) {
          const start = t[k] ?? 0;
          const end = start + (bucket === 'hour' ? HOUR : DAY);
          if (h.firstSeen < end && h.lastSeen >= start) {
            inc.hosts[k]?.add(`${h.site}/${h.client}`);
            if (h.unit !== null) inc.units[k]?.add(h.unit);
          }
        }
      }
    }
    return {
      from, to, bucket,
      totals: {
        queries: series.queries.reduce((x, y) => x + y, 0),
        blocked: series.blocked.reduce((x, y) => x + y, 0),
        incidentsOpen: open.filter((i) => i.kind === 'host').length,
        infectedHosts: infected.size,
        affectedUnits: affected.size,
      },
      series,
      incidentsBySeverity: bySeverity,
      incidentSeries: { t, opened: inc.opened, infectedHosts: inc.hosts.map((s) => s.size), affectedUnits: inc.units.map((s) => s.size) },
      topBlocked: top.map((r) => ({ key: r.key, count: r.count })),
    };
  }

  /** The units the principal sees, each with its status; a unit viewer's subtree roots have no parent. */
  async units(a: Access): Promise<UnitNode[]> {
    need(a, 'read');
    const tree = this.d.org.tree();
    const to = this.d.now();
    const [open, blocked] = await Promise.all([
      this.openIncidents(a),
      this.d.store.events.top({ ...this.dnsFilter(a, to - DAY, to), outcomes: BLOCKED }, 'unit', 100_000),
    ]);
    const byUnit = openByUnit(a, open);
    const blockedBy = new Map(blocked.map((r) => [r.key, r.count]));
    return tree.units().filter((u) => canSeeUnit(a, u.id)).map((u) => {
      const o = byUnit.get(u.id);
      const sev = o === undefined || o.max < 0 ? null : (SEVERITIES[o.max] ?? null);
      const b = blockedBy.get(u.id) ?? 0;
      return {
        id: u.id, name: u.name, parentId: u.parentId !== null && canSeeUnit(a, u.parentId) ? u.parentId : null, kind: u.kind ?? null,
        status: o !== undefined && o.hosts.size > 0 ? 'infected' : b > 0 ? 'warning' : 'ok',
        openIncidents: o?.n ?? 0, maxSeverity: sev, infectedHosts: o?.hosts.size ?? 0, blocked24h: b,
      };
    });
  }

  async unit(a: Access, id: string): Promise<{ unit: Unit; path: Array<{ id: string; name: string }>; status: UnitNode; hosts: Host[]; incidents: IncidentSummary[]; history: Series }> {
    need(a, 'read');
    const tree = this.d.org.tree();
    const unit = tree.get(id);
    if (unit === undefined || !canSeeUnit(a, id)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${id}"`);
    const status = (await this.units(a)).find((u) => u.id === id);
    const to = this.d.now();
    const from = to - 30 * DAY;
    const units = unitFilter(a, tree, id);
    const [hosts, incidents, counts] = await Promise.all([
      this.d.store.events.hosts({ ...(units === undefined ? {} : { units }), limit: 200 }),
      this.d.store.incidents.list({ ...(units === undefined ? {} : { units }), limit: 50 }),
      this.d.store.events.counts(this.dnsFilter(a, from, to, id), 'day', 'outcome'),
    ]);
    const t = axis(from, to, 'day');
    const index = new Map(t.map((x, i) => [x, i]));
    const history: Series = { t, queries: t.map(() => 0), blocked: t.map(() => 0) };
    for (const r of counts) {
      const i = index.get(bucketStart(r.t, 'day'));
      if (i === undefined) continue;
      history.queries[i] = (history.queries[i] ?? 0) + r.count;
      if (r.key === 'blocked') history.blocked[i] = (history.blocked[i] ?? 0) + r.count;
    }
    if (status === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${id}"`);
    return {
      unit,
      path: tree.path(id).filter((u) => canSeeUnit(a, u.id)).map((u) => ({ id: u.id, name: u.name })),
      // A campaign lists only the hosts the principal may see.
      status, hosts, incidents: incidents.map((i) => visibleIncident(a, i)).filter((i) => i !== null), history,
    };
  }

  async hosts(a: Access, q: { search?: string; unit?: string; limit?: number; offset?: number }): Promise<{ items: Host[]; total: number | null }> {
    need(a, 'read');
    const units = unitFilter(a, this.d.org.tree(), q.unit);
    const limit = q.limit ?? 50;
    // One more than asked tells whether there is a next page without counting every host.
    const rows = await this.d.store.events.hosts({ ...(units === undefined ? {} : { units }), ...(q.search === undefined ? {} : { search: q.search }), limit: limit + 1, offset: q.offset ?? 0 });
    const more = rows.length > limit;
    return { items: rows.slice(0, limit), total: more ? null : (q.offset ?? 0) + rows.length };
  }

  async host(a: Access, id: number): Promise<{ host: Host; queries: StoredEvent[]; flows: StoredEvent[]; alerts: StoredEvent[]; incidents: IncidentSummary[] }> {
    need(a, 'read');
    const units = unitFilter(a, this.d.org.tree());
    const found = await this.d.store.events.hosts({ ...(units === undefined ? {} : { units }), hostId: id, limit: 1 });
    const host = found[0];
    if (host === undefined || !canSeeUnit(a, host.unit)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no host #${id}`);
    const ev = this.d.store.events;
    const [queries, flows, alerts, incidents] = await Promise.all([
      ev.query({ kind: 'dns', hostId: id, limit: 100 }),
      ev.query({ kind: 'flow', hostId: id, limit: 100 }),
      ev.query({ kind: 'alert', hostId: id, limit: 100 }),
      this.d.store.incidents.list({ text: host.address, limit: 200 }),
    ]);
    const mine = incidents.filter((i) => i.hosts.some((h) => h.client === host.address && h.site === host.site));
    return { host, queries, flows, alerts, incidents: mine.map((i) => visibleIncident(a, i)).filter((i) => i !== null) };
  }

  /**
   * The DNS query search, newest first, paged by a cursor (time of the last row and how many rows
   * of that same millisecond were already shown), so page 1,000 costs what page 1 costs.
   */
  async queries(a: Access, s: QuerySearch): Promise<QueryPage> {
    need(a, 'read');
    const limit = Math.min(Math.max(s.limit ?? 50, 1), 500);
    let to = s.to ?? this.d.now() + 60_000;
    let skip = 0;
    if (s.cursor !== undefined && s.cursor !== '') {
      const m = /^(\d+)\.(\d+)$/.exec(s.cursor);
      if (m === null) throw new MinewardenError('MW_ERR_BAD_INPUT', `bad cursor "${s.cursor}"`);
      to = Number(m[1]) + 1;
      skip = Number(m[2]);
    }
    for (const o of s.outcome ?? []) if (!DNS_OUTCOMES.includes(o)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown outcome "${o}"`);
    const units = unitFilter(a, this.d.org.tree(), s.unit);
    const name = s.name?.trim().toLowerCase().replace(/\.$/, '');
    // Exactly `limit` rows, not one more to learn whether a next page exists: DuckDB reads the
    // other columns of only the chosen rows up to 50 (late materialisation), 4× faster at 20M rows.
    // A full page therefore always offers a next one, which may come back empty.
    const rows = await this.d.store.events.query({
      kind: 'dns', to, order: 'desc', limit, offset: skip,
      ...(s.from === undefined ? {} : { from: s.from }),
      ...(units === undefined ? {} : { units }),
      ...(s.host === undefined ? {} : { hostId: s.host }),
      ...(s.client === undefined || s.client === '' ? {} : { client: s.client, site: s.site ?? '' }),
      ...(name === undefined || name === '' ? {} : { nameSuffix: name }),
      ...(s.outcome === undefined || s.outcome.length === 0 ? {} : { outcomes: s.outcome }),
      ...(s.category === undefined || s.category === '' ? {} : { category: s.category }),
    });
    const items = rows;
    let next: string | null = null;
    if (rows.length === limit && items.length > 0) {
      const last = items[items.length - 1] as DnsEvent & StoredEvent;
      const sameMs = items.filter((r) => r.ts === last.ts).length;
      // Rows of the last millisecond already shown: the ones on this page, plus those skipped to reach it.
      next = `${last.ts}.${sameMs + (items[0]?.ts === last.ts ? skip : 0)}`;
    }
    return { items, next };
  }
}
