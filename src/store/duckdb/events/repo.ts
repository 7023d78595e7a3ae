/**
 * The events database in DuckDB: appends batches (DuckDB's appender, in 2,048-row data chunks, in
 * one transaction with the new hosts they name), and answers queries, counts and top lists on a
 * second connection so that reads never wait behind writes. Used by one thread only: the writer
 * worker in `serve`, or a one-shot CLI command.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import {
  BIGINT, UINTEGER, USMALLINT, UTINYINT, VARCHAR, DuckDBDataChunk,
  type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import { EVENT_KINDS, DNS_OUTCOMES, type EventKind, type Host, type StoredEvent } from '../../../model/events.ts';
import { MinewardenError } from '../../../core/errors.ts';
import type {
  BackupManifest, Bucket, CountRow, EventFilter, EventGroup, EventQuery, EventStats, HostNameNote, HostQuery, KindStats,
  RetentionPolicy, TopRow,
} from '../../types.ts';
import type { EventBatch, NumColumn, StrColumn } from '../../events/batch.ts';
import { KIND_COLUMNS, tableOf, type ColumnDef } from '../../events/columns.ts';
import { Db, num, str, type Row } from '../db.ts';
import { migrate } from '../migrations.ts';
import { DuckDbEventAnalytics } from './analytics.ts';
import { BUCKET_MS, buildWhere, groupColumn, int, splitRange } from './filter.ts';
import { HostTable, toHost, type HostState } from './hosts.ts';
import { EVENT_MIGRATIONS } from './migrations.ts';

const CHUNK = 2048;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BLOCKED = DNS_OUTCOMES.indexOf('blocked');

function duckType(def: ColumnDef): DuckDBType {
  switch (def.type) {
    case 'time':
    case 'big':
      return BIGINT;
    case 'u32':
      return UINTEGER;
    case 'u16':
      return USMALLINT;
    case 'u8':
      return UTINYINT;
    case 'str':
    case 'json':
      return VARCHAR;
  }
}

/** Store columns of a kind: ts, host_id, unit, then the kind's own. */
function storeColumns(kind: EventKind): Array<{ col: string; type: DuckDBType; def: ColumnDef | null }> {
  return [
    { col: 'ts', type: BIGINT, def: { field: 'ts', col: 'ts', type: 'time' } },
    { col: 'host_id', type: UINTEGER, def: null },
    { col: 'unit', type: VARCHAR, def: { field: 'unit', col: 'unit', type: 'str' } },
    ...KIND_COLUMNS[kind].map((def) => ({ col: def.col, type: duckType(def), def })),
  ];
}

export interface EventRepoOptions {
  /** File path, or ':memory:'. */
  path: string;
  memoryLimit: string;
  threads?: number;
}

export class DuckDbEventRepo {
  readonly hosts = new HostTable();
  /** Hours with DNS events whose roll-up is not yet computed (mirrors table rollup_dirty). */
  private readonly dirtyHours = new Set<number>();
  /** Hours with flows whose roll-up (rollup_flow_dst_hour) is not yet computed (mirrors rollup_flow_dirty). */
  private readonly flowDirtyHours = new Set<number>();

  private constructor(
    private readonly db: Db,
    private readonly reader: Db,
    /** Long maintenance (compaction) runs here, so appends and queries go on meanwhile. */
    private readonly maint: Db,
    readonly path: string,
  ) {
    this.analytics = new DuckDbEventAnalytics(reader, this.hosts, this.flowDirtyHours);
  }

  /** The detectors' windowed queries, on the reader connection (./analytics.ts). */
  readonly analytics: DuckDbEventAnalytics;

  static async open(opts: EventRepoOptions): Promise<DuckDbEventRepo> {
    const db = await Db.open(opts.path, { memoryLimit: opts.memoryLimit, threads: opts.threads ?? 2 });
    try {
      await migrate(db, EVENT_MIGRATIONS);
      const repo = new DuckDbEventRepo(db, await db.connection(), await db.connection(), opts.path);
      await repo.loadState();
      return repo;
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  private async loadState(): Promise<void> {
    for (const r of await this.db.all('SELECT id, site, address, unit, first_seen, last_seen, names FROM hosts')) {
      this.hosts.load({
        id: num(r.id), site: str(r.site), address: str(r.address), unit: r.unit === null ? null : str(r.unit),
        firstSeen: num(r.first_seen), lastSeen: num(r.last_seen), names: JSON.parse(str(r.names)) as HostState['names'],
      });
    }
    for (const r of await this.db.all('SELECT hour FROM rollup_dirty')) this.dirtyHours.add(num(r.hour));
    for (const r of await this.db.all('SELECT hour FROM rollup_flow_dirty')) this.flowDirtyHours.add(num(r.hour));
  }

  // ---------------------------------------------------------------- writing

  /** Appends one batch; see appendMany. */
  append(batch: EventBatch): Promise<void> {
    return this.appendMany([batch]);
  }

  /**
   * Appends batches (any kinds) as one unit of work on the write connection, with no explicit
   * transaction — each step commits on its own, in an order that keeps every state consistent:
   * 1. new hosts (an id in an event always has its row; on failure the ids are given back),
   * 2. the hours they touch, marked dirty for the roll-ups (harmless if what follows fails),
   * 3. the events, through a persistent appender per table: all chunks, then one flush, which
   *    DuckDB commits at once; on failure the appender is cleared and dropped. Batches of one kind
   *    are therefore all or none (the writer groups them so); batches of several kinds are
   *    committed table by table.
   * Hours with DNS events or flows are marked in rollup_dirty and rollup_flow_dirty respectively.
   * Host ids and dirty marks are decided inside the connection's queue, so a roll-up or another
   * append can never interleave with them.
   */
  appendMany(batches: readonly EventBatch[]): Promise<void> {
    const work = batches.filter((b) => b.n > 0);
    if (work.length === 0) return Promise.resolve();
    return this.db.exclusive(async (c) => {
      const created: HostState[] = [];
      const ids = work.map((b) => this.hostIdsOf(b, created));
      if (created.length > 0) {
        try {
          this.appendHosts(await this.appender(c, 'hosts'), created);
        } catch (e) {
          this.hosts.forget(created);
          this.dropAppender('hosts');
          throw e;
        }
      }
      const late = this.lateDays(work);
      if (late.length > 0) {
        await c.run(`DELETE FROM compacted_days WHERE ${late.map(([k, d]) => `(kind = '${k}' AND day = ${int(d, 'day')})`).join(' OR ')}`);
      }
      for (const [kind, table, marks] of [['dns', 'rollup_dirty', this.dirtyHours], ['flow', 'rollup_flow_dirty', this.flowDirtyHours]] as const) {
        const missing = new Set<number>();
        for (const b of work) if (b.kind === kind) this.hoursOf(b, marks, missing);
        if (missing.size > 0) {
          await c.run(`INSERT OR IGNORE INTO ${table} VALUES ${[...missing].map((h) => `(${int(h, 'hour')})`).join(', ')}`);
          for (const h of missing) marks.add(h);
        }
      }
      const byTable = new Map<string, number[]>();
      work.forEach((b, i) => {
        const t = tableOf(b.kind);
        byTable.set(t, [...(byTable.get(t) ?? []), i]);
      });
      for (const [table, idx] of byTable) {
        const ap = await this.appender(c, table);
        try {
          for (const i of idx) this.appendRows(ap, work[i]!, ids[i]!);
          ap.flushSync();
        } catch (e) {
          this.dropAppender(table);
          throw e;
        }
      }
    });
  }

  /** Host id of every row (hosts are found or created here, inside the write queue). */
  private hostIdsOf(batch: EventBatch, created: HostState[]): Uint32Array {
    const hostIds = new Uint32Array(batch.n);
    const ts = batch.cols.ts as Float64Array;
    const client = batch.cols.client as StrColumn;
    const site = batch.cols.site as StrColumn;
    const unit = batch.cols.unit as StrColumn;
    for (let i = 0; i < batch.n; i++) hostIds[i] = this.hosts.touch(site[i] ?? '', client[i] ?? '', unit[i] ?? null, ts[i]!, created).id;
    return hostIds;
  }

  /** (kind, day) of events from before today: their day may need compacting again. */
  private lateDays(batches: readonly EventBatch[]): Array<[string, number]> {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const out = new Map<string, [string, number]>();
    for (const b of batches) {
      const ts = b.cols.ts as Float64Array;
      let last = -1;
      for (let i = 0; i < b.n; i++) {
        const t = ts[i]!;
        if (t >= today) continue;
        const d = Math.floor(t / DAY) * DAY;
        if (d === last) continue;
        last = d;
        out.set(`${b.kind}:${d}`, [b.kind, d]);
      }
    }
    return [...out.values()];
  }

  /**
   * Rewrites every closed day (before the day of `now`) not yet rewritten, of every kind, in
   * (host_id, ts) order — one transaction per day on the maintenance connection, so appends and
   * queries go on. DuckDB's zone maps then read only the host's own row groups when one host's
   * events are asked for (the one-host query scanned every row group before).
   */
  async compact(now: number): Promise<{ days: number; rows: number }> {
    const today = Math.floor(now / DAY) * DAY;
    let days = 0;
    let rows = 0;
    for (const kind of EVENT_KINDS) {
      const table = tableOf(kind);
      const todo = await this.maint.all(
        `SELECT DISTINCT ts // ${DAY} * ${DAY} AS d FROM ${table} WHERE ts < ${int(today, 'today')}
         EXCEPT SELECT day FROM compacted_days WHERE kind = $1 ORDER BY d`,
        [kind],
      );
      for (const r of todo) {
        const d = num(r.d);
        rows += await this.maint.transaction(async (c) => {
          const range = `ts >= ${d} AND ts < ${d + DAY}`;
          await c.run(`CREATE OR REPLACE TEMP TABLE compact_day AS SELECT * FROM ${table} WHERE ${range} ORDER BY host_id, ts`);
          await c.run(`DELETE FROM ${table} WHERE ${range}`);
          const n = await c.runAndReadAll(`INSERT INTO ${table} SELECT * FROM compact_day RETURNING 1`);
          await c.run('DROP TABLE compact_day');
          await c.run(`INSERT OR REPLACE INTO compacted_days VALUES ($1, ${d})`, [kind]);
          return n.currentRowCount;
        });
        days++;
      }
    }
    if (days > 0) await this.noteMaintenance('compact', `${days} days, ${rows} rows`);
    return { days, rows };
  }

  /** Adds to `missing` the hours of a batch that are not in `marks` (dirty) yet. */
  private hoursOf(batch: EventBatch, marks: ReadonlySet<number>, missing: Set<number>): void {
    const ts = batch.cols.ts as Float64Array;
    let last = -1;
    for (let i = 0; i < batch.n; i++) {
      const h = Math.floor(ts[i]! / HOUR) * HOUR;
      if (h === last) continue;
      last = h;
      if (!marks.has(h)) missing.add(h);
    }
  }

  private readonly appenders = new Map<string, DuckDBAppender>();

  private async appender(c: DuckDBConnection, table: string): Promise<DuckDBAppender> {
    let ap = this.appenders.get(table);
    if (ap === undefined) {
      ap = await c.createAppender(table);
      this.appenders.set(table, ap);
    }
    return ap;
  }

  /** Forgets an appender after a failure: what it buffered is discarded, not flushed. */
  private dropAppender(table: string): void {
    const ap = this.appenders.get(table);
    this.appenders.delete(table);
    if (ap === undefined) return;
    try {
      ap.clear();
      ap.closeSync();
    } catch {
      // the appender is unusable either way; a new one is made on the next append
    }
  }

  private closeAppenders(): void {
    for (const [table, ap] of this.appenders) {
      this.appenders.delete(table);
      try {
        ap.closeSync();
      } catch {
        // nothing is buffered between appends (each ends with a flush)
      }
    }
  }

  /** Host rows in the hosts table's column order (also the temp table of flushHosts). */
  private appendHosts(ap: DuckDBAppender, created: readonly HostState[]): void {
    for (const h of created) {
      ap.appendUInteger(h.id);
      ap.appendVarchar(h.site);
      ap.appendVarchar(h.address);
      if (h.unit === null) ap.appendNull();
      else ap.appendVarchar(h.unit);
      ap.appendBigInt(BigInt(h.firstSeen));
      ap.appendBigInt(BigInt(h.lastSeen));
      ap.appendVarchar(JSON.stringify(h.names));
      ap.endRow();
    }
    ap.flushSync();
  }

  private appendRows(ap: DuckDBAppender, batch: EventBatch, hostIds: Uint32Array): void {
    const cols = storeColumns(batch.kind);
    const types = cols.map((x) => x.type);
    for (let start = 0; start < batch.n; start += CHUNK) {
      const end = Math.min(batch.n, start + CHUNK);
      const chunk = DuckDBDataChunk.create(types, end - start);
      cols.forEach((x, ci) => {
        chunk.setColumnValues(ci, columnSlice(x.def === null ? hostIds : batch.cols[x.def.col]!, x.type === BIGINT, start, end));
      });
      ap.appendDataChunk(chunk);
    }
  }

  /** Merges learned names into the hosts (a host not seen yet is created by its first event, not here). */
  noteHostNames(notes: readonly HostNameNote[]): number {
    let changed = 0;
    for (const n of notes) {
      const h = this.hosts.get(n.site ?? '', n.client);
      if (h !== undefined && this.hosts.noteName(h, { name: n.name, source: n.source, ts: n.ts })) changed++;
    }
    return changed;
  }

  /** Writes last-seen, unit and names of hosts that changed. */
  async flushHosts(): Promise<number> {
    if (this.hosts.dirty.size === 0) return 0;
    const rows = [...this.hosts.dirty];
    this.hosts.dirty.clear();
    try {
      await this.db.transaction(async (c) => {
        await c.run('CREATE TEMP TABLE IF NOT EXISTS host_updates AS SELECT * FROM hosts LIMIT 0');
        await c.run('DELETE FROM host_updates');
        const ap = await c.createAppender('host_updates');
        try {
          this.appendHosts(ap, rows);
        } finally {
          ap.closeSync();
        }
        await c.run(`UPDATE hosts SET unit = u.unit, first_seen = u.first_seen, last_seen = u.last_seen, names = u.names
                     FROM host_updates u WHERE hosts.id = u.id`);
      });
    } catch (e) {
      for (const h of rows) this.hosts.dirty.add(h);
      throw e;
    }
    return rows.length;
  }

  // ---------------------------------------------------------------- reading

  private hostIdOf(f: EventFilter): number | null | undefined {
    if (f.hostId !== undefined) return f.hostId;
    if (f.client === undefined) return undefined;
    return this.hosts.get(f.site ?? '', f.client)?.id ?? null;
  }

  async query(q: EventQuery): Promise<StoredEvent[]> {
    // The units as list_contains([...], unit), not `unit IN (...)`: DuckDB turns an IN list of 6 or
    // more values into a hash (mark) join, and its top-N then reads every row group that passes
    // `ts` instead of stopping at the newest ones (a district, no time range, 20M events: ~2 s → ~0.15 s).
    const { units, ...rest } = q;
    const w = buildWhere(rest, this.hostIdOf(q));
    let where = w.sql;
    const params: DuckDBValue[] = [...w.params];
    if (units !== undefined) {
      where += units.length === 0 ? ' AND false' : ` AND list_contains([${units.map((u) => `$${params.push(u)}`).join(', ')}], unit)`;
    }
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 100_000);
    const offset = Math.max(0, Math.trunc(q.offset ?? 0));
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.reader.all(
      `SELECT * FROM ${tableOf(q.kind)} WHERE ${where} ORDER BY ts ${order} LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return rows.map((r) => this.toEvent(q.kind, r));
  }

  private toEvent(kind: EventKind, r: Row): StoredEvent {
    const hostId = num(r.host_id);
    const h = this.hosts.byIdOf(hostId);
    const ev: Record<string, unknown> = {
      kind, ts: num(r.ts), hostId, client: h?.address ?? '', site: h?.site ?? '', unit: r.unit === null ? null : str(r.unit),
    };
    for (const def of KIND_COLUMNS[kind]) {
      const v = r[def.col];
      if (def.codes !== undefined) ev[def.field] = def.codes[num(v)] ?? String(num(v));
      else if (def.type === 'json') ev[def.field] = v === null || v === undefined ? {} : (JSON.parse(str(v)) as unknown);
      else if (def.type === 'str') ev[def.field] = v === null || v === undefined ? null : str(v);
      else ev[def.field] = num(v);
    }
    // Built field by field from the kind's column list, which mirrors the event type.
    return ev as unknown as StoredEvent;
  }

  /** Whether counts can come from the unit/hour roll-up: dns, hour or day buckets, only unit/outcome/category filters. */
  private rollupServes(f: EventFilter, bucket: Bucket, by: EventGroup | undefined): boolean {
    return f.kind === 'dns' && bucket !== 'minute' && f.hostId === undefined && f.client === undefined &&
      f.nameSuffix === undefined && (by === undefined || by === 'unit' || by === 'outcome' || by === 'category');
  }

  async counts(f: EventFilter, bucket: Bucket, by?: EventGroup): Promise<CountRow[]> {
    const size = BUCKET_MS[bucket];
    const col = by === undefined ? null : groupColumn(f.kind, by);
    if (by !== undefined && col === null) throw new MinewardenError('MW_ERR_BAD_INPUT', `${f.kind} events cannot be grouped by ${by}`);
    // '' and NULL are one group (both read back as key null), so text keys fold '' into NULL.
    const keyExpr = col === null ? 'NULL' : isTextGroup(by) ? `nullif(${col}, '')` : col;
    let sql: string;
    let params: string[];
    if (this.rollupServes(f, bucket, by)) {
      // Whole hours that are clean come from the roll-up; the edges and dirty hours from the
      // events. Both tables have unit, outcome and category, so one WHERE serves both.
      const split = this.split(f, HOUR, this.dirtyHours);
      const w = buildWhere({ kind: 'dns', units: f.units, outcomes: f.outcomes, category: f.category }, undefined);
      params = w.params;
      sql = `SELECT t, k, sum(c) AS c FROM (
          SELECT hour // ${size} * ${size} AS t, ${keyExpr} AS k, queries AS c
            FROM rollup_dns_unit_hour WHERE ${w.sql} AND ${split.rollup.replace(/\bts\b/g, 'hour')}
          UNION ALL
          SELECT ts // ${size} * ${size} AS t, ${keyExpr} AS k, 1 AS c
            FROM dns_events WHERE ${w.sql} AND ${split.raw}
        ) GROUP BY t, k ORDER BY t, k`;
    } else {
      const w = buildWhere(f, this.hostIdOf(f));
      params = w.params;
      sql = `SELECT ts // ${size} * ${size} AS t, ${keyExpr} AS k, count(*) AS c FROM ${tableOf(f.kind)} WHERE ${w.sql} GROUP BY t, k ORDER BY t, k`;
    }
    const rows = await this.reader.all(sql, params);
    return rows.map((r) => ({ t: num(r.t), key: this.groupKey(by, r.k), count: num(r.c) }));
  }

  private groupKey(by: EventGroup | undefined, v: DuckDBValue | undefined): string | null {
    if (by === undefined || v === null || v === undefined) return null;
    if (by === 'outcome') return DNS_OUTCOMES[num(v)] ?? String(num(v));
    if (by === 'host') {
      const h = this.hosts.byIdOf(num(v));
      return h === undefined ? String(num(v)) : h.site === '' ? h.address : `${h.site}/${h.address}`;
    }
    const s = str(v);
    return s === '' ? null : s;
  }

  /** [from, to) of a filter split into whole clean buckets and the rest (see splitRange). */
  private split(f: EventFilter, size: number, dirty: Iterable<number>): { rollup: string; raw: string } {
    return splitRange(f.from ?? 0, f.to ?? Number.MAX_SAFE_INTEGER, size, dirty);
  }

  async top(f: EventFilter, by: EventGroup, n: number): Promise<TopRow[]> {
    const col = groupColumn(f.kind, by);
    if (col === null) throw new MinewardenError('MW_ERR_BAD_INPUT', `${f.kind} events have no ${by}`);
    const limit = Math.min(Math.max(1, Math.trunc(n)), 10_000);
    const blockedExpr = f.kind === 'dns' ? `count(*) FILTER (WHERE outcome = ${BLOCKED})` : '0';
    let sql: string;
    let params: string[];
    const onlyTime = f.units === undefined && f.hostId === undefined && f.client === undefined && f.outcomes === undefined &&
      f.category === undefined && f.nameSuffix === undefined;
    if (f.kind === 'dns' && by === 'name' && onlyTime) {
      // Whole clean days from the name/day roll-up, the rest from the events.
      // A day is clean when none of its hours is dirty.
      const split = this.split(f, DAY, [...this.dirtyHours].map((h) => Math.floor(h / DAY) * DAY));
      sql = `SELECT k, sum(c) AS c, sum(b) AS b FROM (
          SELECT name AS k, queries AS c, blocked AS b FROM rollup_dns_name_day WHERE ${split.rollup.replace(/\bts\b/g, 'day')}
          UNION ALL
          SELECT name AS k, count(*) AS c, ${blockedExpr} AS b FROM dns_events WHERE ${split.raw} GROUP BY name
        ) GROUP BY k ORDER BY c DESC, k LIMIT ${limit}`;
      params = [];
    } else {
      const w = buildWhere(f, this.hostIdOf(f));
      params = w.params;
      const keyExpr = isTextGroup(by) ? `nullif(${col}, '')` : col;
      sql = `SELECT ${keyExpr} AS k, count(*) AS c, ${blockedExpr} AS b FROM ${tableOf(f.kind)}
             WHERE ${w.sql} AND ${keyExpr} IS NOT NULL GROUP BY k ORDER BY c DESC, k LIMIT ${limit}`;
    }
    const rows = await this.reader.all(sql, params);
    return rows.map((r) => ({ key: this.groupKey(by, r.k) ?? '', count: num(r.c), blocked: num(r.b) }));
  }

  listHosts(q: HostQuery): Host[] {
    const units = q.units === undefined ? null : new Set(q.units);
    const search = q.search?.toLowerCase();
    if (q.hostId !== undefined) {
      const h = this.hosts.byIdOf(q.hostId);
      return h === undefined || (units !== null && (h.unit === null || !units.has(h.unit))) ? [] : [toHost(h)];
    }
    const out: Host[] = [];
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(Math.max(1, q.limit ?? 100), 100_000);
    const all = [...this.hostsIter()].sort((a, b) => b.lastSeen - a.lastSeen);
    let skipped = 0;
    for (const h of all) {
      if (units !== null && (h.unit === null || !units.has(h.unit))) continue;
      if (q.since !== undefined && h.lastSeen < q.since) continue;
      if (search !== undefined && !h.address.includes(search) && !h.names.some((n) => n.name.toLowerCase().includes(search))) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(toHost(h));
      if (out.length >= limit) break;
    }
    return out;
  }

  private *hostsIter(): Iterable<HostState> {
    for (let id = 1; ; id++) {
      const h = this.hosts.byIdOf(id);
      if (h === undefined) {
        if (id > this.hosts.size + 1) return;
        continue;
      }
      yield h;
    }
  }

  findHost(client: string, site = ''): Host | null {
    const h = this.hosts.get(site, client);
    return h === undefined ? null : toHost(h);
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Recomputes the roll-ups of every dirty hour (and of the days they fall in): the DNS roll-ups
   * and the flow destinations per hour. Hours are reported once even when both kinds had them.
   */
  async rollup(): Promise<{ hours: number; days: number }> {
    const hours = [...this.dirtyHours].sort((a, b) => a - b);
    const flowHours = [...this.flowDirtyHours].sort((a, b) => a - b);
    if (hours.length === 0 && flowHours.length === 0) return { hours: 0, days: 0 };
    const days = [...new Set(hours.map((h) => Math.floor(h / DAY) * DAY))];
    await this.db.exclusive(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        if (hours.length > 0) {
          const hourList = hours.map((h) => int(h, 'hour')).join(', ');
          const dayList = days.map((d) => int(d, 'day')).join(', ');
          const dayRange = days.map((d) => `(ts >= ${d} AND ts < ${d + DAY})`).join(' OR ');
          await c.run(`DELETE FROM rollup_dns_unit_hour WHERE hour IN (${hourList})`);
          await c.run(`INSERT INTO rollup_dns_unit_hour
            SELECT ts // ${HOUR} * ${HOUR} AS hour, coalesce(unit, ''), outcome, coalesce(category, ''), count(*)
            FROM dns_events WHERE ts >= ${hours[0]!} AND ts < ${hours[hours.length - 1]! + HOUR} AND ts // ${HOUR} * ${HOUR} IN (${hourList})
            GROUP BY ALL`);
          await c.run(`DELETE FROM rollup_dns_name_day WHERE day IN (${dayList})`);
          await c.run(`INSERT INTO rollup_dns_name_day
            SELECT ts // ${DAY} * ${DAY} AS day, name, count(*), count(*) FILTER (WHERE outcome = ${BLOCKED})
            FROM dns_events WHERE ${dayRange} GROUP BY ALL`);
          await c.run(`DELETE FROM rollup_dirty WHERE hour IN (${hourList})`);
        }
        if (flowHours.length > 0) {
          const hourList = flowHours.map((h) => int(h, 'hour')).join(', ');
          await c.run(`DELETE FROM rollup_flow_dst_hour WHERE hour IN (${hourList})`);
          // In (hour, dst) order: the destination strings compress, and their zone maps are narrow.
          await c.run(`INSERT INTO rollup_flow_dst_hour
            SELECT hour, dst, list_sort(list(DISTINCT host_id)), count(*), min(ts) FROM (
              SELECT ts // ${HOUR} * ${HOUR} AS hour, dst, host_id, ts FROM flow_events
              WHERE ts >= ${flowHours[0]!} AND ts < ${flowHours[flowHours.length - 1]! + HOUR} AND ts // ${HOUR} * ${HOUR} IN (${hourList})
            ) GROUP BY hour, dst ORDER BY hour, dst`);
          await c.run(`DELETE FROM rollup_flow_dirty WHERE hour IN (${hourList})`);
        }
        await c.run('COMMIT');
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
      // After the commit, still in the write queue: no append can mark these hours in between, and
      // no reader is told an hour is clean before its roll-up rows are visible to it.
      for (const h of hours) this.dirtyHours.delete(h);
      for (const h of flowHours) this.flowDirtyHours.delete(h);
    });
    const all = new Set([...hours, ...flowHours]).size;
    await this.noteMaintenance('rollup', `${all} hours (${hours.length} DNS, ${flowHours.length} flow), ${days.length} days`);
    return { hours: all, days: days.length };
  }

  async applyRetention(now: number, policy: RetentionPolicy): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    await this.db.transaction(async (c) => {
      for (const kind of EVENT_KINDS) {
        const cutoff = now - policy[kind] * DAY;
        const r = await c.runAndReadAll(`DELETE FROM ${tableOf(kind)} WHERE ts < ${int(cutoff, 'cutoff')} RETURNING 1`);
        out[kind] = r.currentRowCount;
      }
      const cutoff = now - policy.rollups * DAY;
      const a = await c.runAndReadAll(`DELETE FROM rollup_dns_unit_hour WHERE hour < ${int(cutoff, 'cutoff')} RETURNING 1`);
      const b = await c.runAndReadAll(`DELETE FROM rollup_dns_name_day WHERE day < ${int(cutoff, 'cutoff')} RETURNING 1`);
      out.rollups = a.currentRowCount + b.currentRowCount;
      // The flow roll-up stands in for flow_events, so it follows their retention (not counted in
      // `rollups`): hours wholly before the cutoff go; the hour the cutoff falls in is recomputed
      // from the flows left in it. Marked dirty before the commit: a reader then reads flows, never
      // a roll-up hour whose flows are gone.
      const flowCut = int(now - policy.flow * DAY, 'cutoff');
      const partial = Math.floor(Number(flowCut) / HOUR) * HOUR;
      await c.run(`DELETE FROM rollup_flow_dst_hour WHERE hour < ${partial}`);
      const cut = partial < Number(flowCut) ? await c.runAndReadAll(`DELETE FROM rollup_flow_dst_hour WHERE hour = ${partial} RETURNING 1`) : null;
      if (cut !== null && cut.currentRowCount > 0) {
        await c.run(`INSERT OR IGNORE INTO rollup_flow_dirty VALUES (${partial})`);
        this.flowDirtyHours.add(partial);
      }
    });
    await this.noteMaintenance('retention', JSON.stringify(out));
    return out;
  }

  private async noteMaintenance(task: string, detail: string): Promise<void> {
    await this.db.run('INSERT OR REPLACE INTO maintenance VALUES ($1, $2, $3)', [task, BigInt(Date.now()), detail]);
  }

  async stats(): Promise<EventStats> {
    const kinds = {} as Record<EventKind, KindStats>;
    let total = 0;
    for (const kind of EVENT_KINDS) {
      const [r] = await this.reader.all(`SELECT count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM ${tableOf(kind)}`);
      const rows = num(r?.n);
      total += rows;
      kinds[kind] = { rows, oldest: r?.lo === null ? null : num(r?.lo), newest: r?.hi === null ? null : num(r?.hi) };
    }
    const [ru] = await this.reader.all('SELECT (SELECT count(*) FROM rollup_dns_unit_hour) + (SELECT count(*) FROM rollup_dns_name_day) AS n');
    const bytes = this.bytesOnDisk();
    let usedBytes = 0;
    if (this.path !== ':memory:') {
      const [sz] = await this.reader.all('SELECT used_blocks * block_size AS used FROM pragma_database_size()');
      usedBytes = num(sz?.used) + Math.max(0, bytes - this.fileBytes());
    }
    return {
      kinds, hosts: this.hosts.size, rollupRows: num(ru?.n), bytes, usedBytes,
      bytesPerEvent: total === 0 || usedBytes === 0 ? null : usedBytes / total,
    };
  }

  private fileBytes(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  bytesOnDisk(): number {
    if (this.path === ':memory:') return 0;
    let n = 0;
    for (const p of [this.path, `${this.path}.wal`]) {
      try {
        n += statSync(p).size;
      } catch {
        // no WAL right now
      }
    }
    return n;
  }

  /** Writes the last changes of the WAL into the file (stats then count what is really there). */
  async checkpoint(): Promise<void> {
    await this.db.run('CHECKPOINT');
  }

  /**
   * A consistent copy while running: EXPORT DATABASE reads one snapshot (DuckDB's MVCC) on the
   * reader connection, so appends go on meanwhile. Parquet, compressed; restore is IMPORT DATABASE.
   */
  async backup(dir: string): Promise<Pick<BackupManifest, 'events' | 'hosts'>> {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await this.flushHosts();
    // Counted in the export's own snapshot: appends meanwhile are neither copied nor counted.
    return this.reader.transaction(async (c) => {
      const counts = [...EVENT_KINDS.map((k) => `(SELECT count(*) FROM ${tableOf(k)}) AS ${k}`), '(SELECT count(*) FROM hosts) AS hosts'];
      const [r] = (await c.runAndReadAll(`SELECT ${counts.join(', ')}`)).getRowObjects();
      await c.run(`EXPORT DATABASE '${dir.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
      return { events: Object.fromEntries(EVENT_KINDS.map((k) => [k, num(r?.[k])])), hosts: num(r?.hosts) };
    });
  }

  async close(): Promise<void> {
    try {
      await this.flushHosts();
    } finally {
      await this.db.exclusive(() => {
        this.closeAppenders();
        return Promise.resolve();
      }).catch(() => undefined);
      await this.reader.close();
      await this.maint.close();
      await this.db.close();
    }
  }
}

/** Whether a group reads a text column (its '' means "none", like NULL). */
function isTextGroup(by: EventGroup | undefined): boolean {
  return by !== undefined && by !== 'outcome' && by !== 'host';
}

/** A slice of a column as the values setColumnValues takes (BIGINT columns need bigint). */
function columnSlice(col: NumColumn | StrColumn | Uint32Array, big: boolean, start: number, end: number): readonly DuckDBValue[] {
  if (Array.isArray(col)) return start === 0 && end === col.length ? col : col.slice(start, end);
  const view = col.subarray(start, end);
  if (big) {
    const out = new Array<bigint>(view.length);
    for (let i = 0; i < view.length; i++) out[i] = BigInt(Math.trunc(view[i]!));
    return out;
  }
  // A typed array is read by index and length only (DuckDBDataChunk.setColumnValues), so the
  // view is passed as it is instead of being copied into an array of numbers.
  return view as unknown as readonly DuckDBValue[];
}

