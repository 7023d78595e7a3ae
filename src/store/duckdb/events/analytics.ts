/**
 * The detectors' windowed analytics (../../analytics.ts) as SQL on the events database. Shapes
 * that carry to ClickHouse: every query filters on `ts` first (zone maps, and at scale the
 * partition key), aggregates to (host, destination[, port]) before anything else, and names hosts
 * only in the final rows, from the repo's in-memory host table rather than a join with `hosts`.
 * Numbers go into the SQL as validated integers, text as bound parameters.
 */
import { DuckDBListValue, type DuckDBValue } from '@duckdb/node-api';
import type {
  BeaconRow, DnsTunnelRow, EventAnalytics, FanInHost, FanInQuery, FanInRow, HalfOpenRow, HostRef, HttpDownloadRow,
  LongConnectionRow, NameFanInRow, PortProfileRow, StrobeRow, TimeWindow,
} from '../../analytics.ts';
import { DOWNLOAD_EXTENSIONS, EXECUTABLE_TYPES, HALF_OPEN_STATES } from '../../analytics.ts';
import { num, str, type Db, type Row } from '../db.ts';
import { int, splitRange } from './filter.ts';
import type { HostTable } from './hosts.ts';

const HOUR = 3_600_000;

const quoted = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

/** The half-open rule (HALF_OPEN_STATES) as a SQL condition on one flow. */
const HALF_OPEN = `(proto = 6 AND (tcp_state IN (${quoted(HALF_OPEN_STATES)}) OR (coalesce(tcp_state, '') = '' AND pkts_in = 0)))`;

/** The path of a request target: scheme and authority (proxy form), query and fragment removed. */
const URL_PATH = `regexp_replace(regexp_replace(lower(coalesce(url, '')), '^[a-z][a-z0-9+.-]*://[^/]*', ''), '[?#].*$', '')`;
const IS_DOWNLOAD = `(regexp_matches(${URL_PATH}, '\\.(${DOWNLOAD_EXTENSIONS.join('|')})$')
  OR trim(split_part(lower(coalesce(content_type, '')), ';', 1)) IN (${quoted(EXECUTABLE_TYPES)}))`;
/** Host header that is an IPv4 literal, a bracketed or bare IPv6 literal (each with an optional port), or empty. */
const BARE_IP = `(coalesce(host, '') = '' OR regexp_full_match(lower(host),
  '((\\d{1,3}\\.){3}\\d{1,3}(:\\d+)?)|(\\[[0-9a-f:.]+\\](:\\d+)?)|([0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*)'))`;

function win(q: TimeWindow, alias = ''): string {
  return `${alias}ts >= ${int(q.from, 'from')} AND ${alias}ts < ${int(q.to, 'to')}`;
}

function limitOf(n: number | undefined, dflt: number): number {
  return Math.min(Math.max(1, Math.trunc(n ?? dflt)), 100_000);
}

function list(v: DuckDBValue | undefined): number[] {
  return v instanceof DuckDBListValue ? v.items.map((x) => num(x)) : [];
}

const byHost = (a: HostRef, b: HostRef): number => (a.client < b.client ? -1 : a.client > b.client ? 1 : a.site < b.site ? -1 : a.site > b.site ? 1 : 0);

export class DuckDbEventAnalytics implements EventAnalytics {
  /** `flowDirtyHours`: the repo's hours whose flows are not (all) in rollup_flow_dst_hour yet. */
  constructor(private readonly reader: Db, private readonly hosts: HostTable, private readonly flowDirtyHours: ReadonlySet<number>) {}

  private host(id: DuckDBValue | undefined): HostRef {
    const h = this.hosts.byIdOf(num(id));
    return { client: h?.address ?? '', site: h?.site ?? '', unit: h?.unit ?? null };
  }

  private pair(r: Row): HostRef & { dst: string; dstPort: number } {
    return { ...this.host(r.host_id), dst: str(r.dst), dstPort: num(r.dst_port) };
  }

  /**
   * Shared by fanIn and fanInNames: `key` is the destination column. Pre-aggregated to
   * (key, host, port) in the window; only keys with enough hosts are looked up in the lookback,
   * and only those left after the rarity rule come back, one row per (key, host, port).
   * `lookback`: rows (k, host_id, first) of [from − lookbackMs, from) for the keys in CTE `c`;
   * by default straight from the events.
   */
  private async fanInRows(
    table: string, key: string, port: string, q: FanInQuery, excludeSql: (p: string) => string, lookback?: string,
  ): Promise<Row[]> {
    const params = [...(q.exclude ?? [])];
    const excl = params.length === 0 ? '' : `AND NOT (${params.map((_, i) => excludeSql(`$${i + 1}`)).join(' OR ')})`;
    return this.reader.all(`
      WITH w AS (
        SELECT ${key} AS k, host_id, ${port} AS port, count(*) AS n, min(ts) AS lo, max(ts) AS hi
        FROM ${table} WHERE ${win(q)} ${excl} GROUP BY ${key}, host_id, ${port}
      ), c AS (
        SELECT k, count(DISTINCT host_id) AS hosts FROM w GROUP BY k HAVING count(DISTINCT host_id) >= ${int(q.minHosts, 'minHosts')}
      ), p AS (
        SELECT k, count(DISTINCT host_id) AS prior, min(first) AS first FROM (${lookback ?? `
          SELECT ${key} AS k, host_id, ts AS first FROM ${table}
          WHERE ${win({ from: q.from - q.lookbackMs, to: q.from })} AND ${key} IN (SELECT k FROM c)`}
        ) GROUP BY k
      ), r AS (
        SELECT c.k, c.hosts, coalesce(p.prior, 0) AS prior, p.first FROM c LEFT JOIN p ON p.k = c.k
        WHERE coalesce(p.prior, 0) <= ${int(q.maxPriorHosts, 'maxPriorHosts')}
        ORDER BY c.hosts DESC, c.k LIMIT ${limitOf(q.limit, 1000)}
      )
      SELECT w.*, r.hosts, r.prior, r.first FROM w JOIN r ON r.k = w.k ORDER BY r.hosts DESC, w.k`, params);
  }

  /** Folds (key, host, port) rows into one entry per key, in the order the rows come. */
  private foldFanIn(rows: Row[]): Map<string, { hosts: Map<number, FanInHost>; ports: Set<number>; prior: number; first: number; n: number }> {
    const out = new Map<string, { hosts: Map<number, FanInHost>; ports: Set<number>; prior: number; first: number; n: number }>();
    for (const r of rows) {
      const k = str(r.k);
      let e = out.get(k);
      if (e === undefined) {
        e = { hosts: new Map(), ports: new Set(), prior: num(r.prior), first: Infinity, n: 0 };
        out.set(k, e);
      }
      const lo = num(r.lo);
      const hi = num(r.hi);
      const n = num(r.n);
      // No lookback flow: the window's own first flow is the first sighting.
      e.first = Math.min(e.first, r.first === null ? lo : num(r.first), lo);
      e.n += n;
      if (r.port !== null) e.ports.add(num(r.port));
      const id = num(r.host_id);
      const h = e.hosts.get(id);
      if (h === undefined) e.hosts.set(id, { ...this.host(id), first: lo, last: hi, count: n });
      else {
        h.first = Math.min(h.first, lo);
        h.last = Math.max(h.last, hi);
        h.count += n;
      }
    }
    return out;
  }

  async fanIn(q: FanInQuery): Promise<FanInRow[]> {
    // The lookback: whole clean hours from the flow roll-up, the edges and dirty hours from the flows.
    const back = { from: q.from - q.lookbackMs, to: q.from };
    const split = splitRange(back.from, back.to, HOUR, this.flowDirtyHours);
    // One scan per raw range (an OR of ranges would scan the whole lookback).
    const lookback = [
      `
          SELECT dst AS k, unnest(hosts) AS host_id, first FROM rollup_flow_dst_hour
          WHERE ${split.rollup.replace(/\bts\b/g, 'hour')} AND dst IN (SELECT k FROM c)`,
      ...split.ranges.map(([lo, hi]) => `
          SELECT dst AS k, host_id, ts AS first FROM flow_events WHERE ${win({ from: lo, to: hi })} AND dst IN (SELECT k FROM c)`),
    ].join('\n          UNION ALL');
    const rows = await this.fanInRows('flow_events', 'dst', 'dst_port', q, (p) => `dst = ${p}`, lookback);
    return [...this.foldFanIn(rows)].map(([dst, e]) => ({
      dst, hosts: [...e.hosts.values()].sort(byHost), ports: [...e.ports].sort((a, b) => a - b), priorHosts: e.prior,
      firstSeen: e.first, flows: e.n,
    }));
  }

  async fanInNames(q: FanInQuery): Promise<NameFanInRow[]> {
    const rows = await this.fanInRows('dns_events', 'name', 'CAST(NULL AS INTEGER)', q, (p) => `(name = ${p} OR ends_with(name, '.' || ${p}))`);
    return [...this.foldFanIn(rows)].map(([name, e]) => ({
      name, hosts: [...e.hosts.values()].sort(byHost), priorHosts: e.prior, firstSeen: e.first, queries: e.n,
    }));
  }

  async portProfile(q: TimeWindow & { dst: string }): Promise<PortProfileRow[]> {
    const where = `${win(q)} AND dst = $1`;
    const rows = await this.reader.all(`
      SELECT dst_port, count(DISTINCT host_id) AS hosts, count(*) AS flows, sum(bytes_out) AS bo, sum(bytes_in) AS bi,
        sum(pkts_out) AS po, sum(pkts_in) AS pi, count(*) FILTER (WHERE ${HALF_OPEN}) AS half, min(ts) AS lo, max(ts) AS hi
      FROM flow_events WHERE ${where} GROUP BY dst_port ORDER BY dst_port`, [q.dst]);
    // States on their own: a per-port map in one query would need a MAP type ClickHouse spells differently.
    const states = await this.reader.all(`
      SELECT dst_port, tcp_state, count(*) AS n FROM flow_events WHERE ${where} AND coalesce(tcp_state, '') <> ''
      GROUP BY dst_port, tcp_state ORDER BY dst_port, tcp_state`, [q.dst]);
    const out = rows.map((r): PortProfileRow => ({
      dstPort: num(r.dst_port), hosts: num(r.hosts), flows: num(r.flows), bytesOut: num(r.bo), bytesIn: num(r.bi),
      pktsOut: num(r.po), pktsIn: num(r.pi), states: {}, halfOpen: num(r.half), first: num(r.lo), last: num(r.hi),
    }));
    const byPort = new Map(out.map((p) => [p.dstPort, p]));
    for (const s of states) {
      const p = byPort.get(num(s.dst_port));
      if (p !== undefined) p.states[str(s.tcp_state)] = num(s.n);
    }
    return out;
  }

  async halfOpen(q: TimeWindow & { minAttempts: number; limit?: number }): Promise<HalfOpenRow[]> {
    const rows = await this.reader.all(`
      SELECT host_id, dst, dst_port, count(*) FILTER (WHERE ${HALF_OPEN}) AS half, count(*) AS n, min(ts) AS lo, max(ts) AS hi
      FROM flow_events WHERE ${win(q)} AND proto = 6 GROUP BY host_id, dst, dst_port
      HAVING count(*) FILTER (WHERE ${HALF_OPEN}) >= ${int(q.minAttempts, 'minAttempts')}
      ORDER BY half DESC, host_id, dst, dst_port LIMIT ${limitOf(q.limit, 10_000)}`);
    return rows.map((r) => ({ ...this.pair(r), halfOpen: num(r.half), attempts: num(r.n), first: num(r.lo), last: num(r.hi) }));
  }

  async beaconCandidates(q: TimeWindow & { minConnections: number; limit: number }): Promise<BeaconRow[]> {
    // Pairs first, lists second: building a list for every pair of the window, to keep a few, was the cost.
    const rows = await this.reader.all(`
      WITH c AS (
        SELECT host_id, dst, dst_port, count(*) AS n FROM flow_events WHERE ${win(q)} GROUP BY host_id, dst, dst_port
        HAVING count(*) >= ${int(q.minConnections, 'minConnections')} ORDER BY n DESC, host_id, dst, dst_port LIMIT ${limitOf(q.limit, 1000)}
      )
      SELECT f.host_id, f.dst, f.dst_port, any_value(c.n) AS n, list(f.ts ORDER BY f.ts, f.bytes_out) AS t,
        list(f.bytes_out ORDER BY f.ts, f.bytes_out) AS b
      FROM flow_events f JOIN c ON f.host_id = c.host_id AND f.dst = c.dst AND f.dst_port = c.dst_port
      WHERE ${win(q, 'f.')} GROUP BY f.host_id, f.dst, f.dst_port ORDER BY n DESC, f.host_id, f.dst, f.dst_port`);
    return rows.map((r) => ({ ...this.pair(r), connections: num(r.n), ts: list(r.t), bytesOut: list(r.b) }));
  }

  async longConnections(q: TimeWindow & { minDurationMs: number; limit?: number }): Promise<LongConnectionRow[]> {
    const rows = await this.reader.all(`
      SELECT host_id, dst, dst_port, count(*) AS n, sum(ts_end - ts) AS d, max(ts_end - ts) AS dmax, sum(bytes_out) AS bo,
        sum(bytes_in) AS bi, sum(pkts_out) AS po, sum(pkts_in) AS pi
      FROM flow_events WHERE ${win(q)} AND ts_end - ts >= ${int(q.minDurationMs, 'minDurationMs')}
      GROUP BY host_id, dst, dst_port ORDER BY d DESC, host_id, dst, dst_port LIMIT ${limitOf(q.limit, 10_000)}`);
    return rows.map((r) => ({
      ...this.pair(r), flows: num(r.n), durationMs: num(r.d), maxDurationMs: num(r.dmax), bytesOut: num(r.bo), bytesIn: num(r.bi),
      pktsOut: num(r.po), pktsIn: num(r.pi),
    }));
  }

  async strobes(q: TimeWindow & { minPorts: number; limit?: number }): Promise<StrobeRow[]> {
    // (host, dst, port) first: a count(DISTINCT) straight over the flows hashed every flow twice.
    const rows = await this.reader.all(`
      WITH p AS (
        SELECT host_id, dst, dst_port, count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM flow_events WHERE ${win(q)}
        GROUP BY host_id, dst, dst_port
      )
      SELECT host_id, dst, count(*) AS ports, sum(n) AS n, min(lo) AS lo, max(hi) AS hi FROM p GROUP BY host_id, dst
      HAVING count(*) >= ${int(q.minPorts, 'minPorts')} ORDER BY ports DESC, host_id, dst LIMIT ${limitOf(q.limit, 10_000)}`);
    return rows.map((r) => ({ ...this.host(r.host_id), dst: str(r.dst), ports: num(r.ports), flows: num(r.n), first: num(r.lo), last: num(r.hi) }));
  }

  async dnsTunnelCandidates(q: TimeWindow & { minUnique: number; limit?: number }): Promise<DnsTunnelRow[]> {
    // Label lengths are averaged over distinct labels, so one label asked a thousand times weighs once.
    const rows = await this.reader.all(`
      WITH s AS (
        SELECT host_id, name, strpos(name, '.') AS i FROM dns_events WHERE ${win(q)}
      ), l AS (
        SELECT host_id, substr(name, i + 1) AS parent, substr(name, 1, i - 1) AS label, count(*) AS n FROM s
        WHERE i > 1 AND strpos(substr(name, i + 1), '.') > 0 GROUP BY host_id, parent, label
      )
      SELECT host_id, parent, count(*) AS u, avg(length(label)) AS avg_len, max(length(label)) AS max_len, sum(n) AS n
      FROM l GROUP BY host_id, parent HAVING count(*) >= ${int(q.minUnique, 'minUnique')}
      ORDER BY u DESC, host_id, parent LIMIT ${limitOf(q.limit, 10_000)}`);
    return rows.map((r) => ({
      ...this.host(r.host_id), parent: str(r.parent), uniqueLabels: num(r.u), avgLabelLength: num(r.avg_len),
      maxLabelLength: num(r.max_len), queries: num(r.n),
    }));
  }

  async rareHttpDownloads(q: TimeWindow & { limit?: number }): Promise<HttpDownloadRow[]> {
    const rows = await this.reader.all(`
      WITH d AS (
        SELECT * FROM http_events WHERE ${win(q)} AND ${IS_DOWNLOAD} ORDER BY ts, host_id LIMIT ${limitOf(q.limit, 10_000)}
      ), s AS (
        SELECT server, count(DISTINCT host_id) AS hosts FROM http_events WHERE ${win(q)} AND server IN (SELECT server FROM d) GROUP BY server
      )
      SELECT d.*, ${BARE_IP} AS bare, coalesce(s.hosts, 0) AS server_hosts FROM d LEFT JOIN s ON s.server = d.server ORDER BY ts, host_id`);
    return rows.map((r) => ({
      ...this.host(r.host_id), ts: num(r.ts), server: str(r.server), serverPort: num(r.server_port), method: str(r.method),
      host: str(r.host), url: str(r.url), status: num(r.status), contentType: r.content_type === null ? null : str(r.content_type),
      userAgent: r.user_agent === null ? null : str(r.user_agent), size: num(r.size), bareIp: r.bare === true, serverHosts: num(r.server_hosts),
    }));
  }
}
