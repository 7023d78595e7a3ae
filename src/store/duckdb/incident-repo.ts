/**
 * IncidentStore on DuckDB: one `incidents` row per incident (hosts as JSON text), the timeline in
 * `incident_timeline` rewritten whole on save (it is capped by the caller, a few hundred rows),
 * notes and the audit trail appended only.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { MinewardenError } from '../../core/errors.ts';
import type { EventRef, Incident, IncidentHost, IncidentNote, IncidentState, KillChainStage, TimelineEntry } from '../../model/detect.ts';
import { SEVERITIES } from '../../model/events.ts';
import type { IncidentChange, IncidentQuery, IncidentStore, IncidentSummary } from '../incidents.ts';
import { type Db, type Row, num, str } from './db.ts';

const COLUMNS =
  'id, kind, threat, title, severity, confidence, stage, unit, controller, indicator, first_seen, last_seen, state, assignee, campaign_id, alerts, hosts, updated_at';
const TERMINAL: readonly IncidentState[] = ['resolved', 'false-positive'];

function orNull(v: DuckDBValue | undefined): string | null {
  return v === null || v === undefined ? null : str(v);
}

function toSummary(r: Row): IncidentSummary {
  return {
    id: num(r.id),
    kind: str(r.kind) as Incident['kind'],
    threat: str(r.threat),
    title: str(r.title),
    severity: SEVERITIES[num(r.severity)] ?? 'info',
    confidence: num(r.confidence),
    stage: str(r.stage) as KillChainStage,
    unit: orNull(r.unit),
    hosts: JSON.parse(str(r.hosts)) as IncidentHost[],
    controller: orNull(r.controller),
    indicator: orNull(r.indicator),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
    state: str(r.state) as IncidentState,
    assignee: orNull(r.assignee),
    alerts: num(r.alerts),
    campaignId: r.campaign_id === null ? null : num(r.campaign_id),
    updatedAt: num(r.updated_at),
  };
}

function toEntry(r: Row): TimelineEntry {
  return {
    ts: num(r.ts),
    client: str(r.client),
    detector: str(r.detector),
    stage: str(r.stage) as KillChainStage,
    title: str(r.title),
    evidence: JSON.parse(str(r.evidence)) as Record<string, unknown>,
    events: JSON.parse(str(r.events)) as EventRef[],
  };
}

async function rows(c: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> {
  return (await c.runAndReadAll(sql, params)).getRowObjects();
}

/** The row values of an incident, in COLUMNS order. */
function values(i: Incident, id: number, campaignId: number | null): DuckDBValue[] {
  return [
    id, i.kind, i.threat, i.title, SEVERITIES.indexOf(i.severity), i.confidence, i.stage, i.unit, i.controller, i.indicator,
    i.firstSeen, i.lastSeen, i.state, i.assignee, campaignId, i.alerts, JSON.stringify(i.hosts), i.updatedAt,
  ];
}

async function writeTimeline(c: DuckDBConnection, id: number, timeline: readonly TimelineEntry[]): Promise<void> {
  await c.run('DELETE FROM incident_timeline WHERE incident_id = $1', [id]);
  if (timeline.length === 0) return;
  const app = await c.createAppender('incident_timeline');
  try {
    timeline.forEach((e, seq) => {
      app.appendBigInt(BigInt(id));
      app.appendInteger(seq);
      app.appendDouble(e.ts);
      app.appendVarchar(e.client);
      app.appendVarchar(e.detector);
      app.appendVarchar(e.stage);
      app.appendVarchar(e.title);
      app.appendVarchar(JSON.stringify(e.evidence));
      app.appendVarchar(JSON.stringify(e.events));
      app.endRow();
    });
    app.flushSync();
  } finally {
    try {
      app.closeSync();
    } catch {
      // the flush has already failed with the real reason
    }
  }
}

async function readOne(c: DuckDBConnection, id: number): Promise<Incident | null> {
  const [row] = await rows(c, `SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
  if (row === undefined) return null;
  const timeline = (await rows(c, 'SELECT * FROM incident_timeline WHERE incident_id = $1 ORDER BY seq', [id])).map(toEntry);
  const notes: IncidentNote[] = (await rows(c, 'SELECT ts, actor, text FROM incident_notes WHERE incident_id = $1 ORDER BY ts, rowid', [id]))
    .map((r) => ({ at: num(r.ts), by: str(r.actor), text: str(r.text) }));
  return { ...toSummary(row), notes, timeline };
}

async function require(c: DuckDBConnection, id: number): Promise<Incident> {
  const i = await readOne(c, id);
  if (i === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `no incident #${id}`);
  return i;
}

async function record(c: DuckDBConnection, id: number, at: number, by: string, field: IncidentChange['field'], from: string | null, to: string | null): Promise<void> {
  await c.run('INSERT INTO incident_changes VALUES ($1, $2, $3, $4, $5, $6)', [id, at, by, field, from, to]);
}

export class DuckDbIncidentStore implements IncidentStore {
  constructor(private readonly db: Db) {}

  save(incidents: readonly Incident[]): Promise<Incident[]> {
    return this.db.transaction(async (c) => {
      // Placeholders first, so members can point at a campaign created in the same call.
      const ids = new Map<number, number>();
      for (const i of incidents) {
        if (i.id > 0 || ids.has(i.id)) continue;
        const [r] = await rows(c, "SELECT nextval('incident_ids') AS id");
        ids.set(i.id, num(r?.id));
      }
      const out: Incident[] = [];
      for (const i of incidents) {
        const id = ids.get(i.id) ?? i.id;
        const campaignId = i.campaignId === null ? null : (ids.get(i.campaignId) ?? i.campaignId);
        if (i.id <= 0) {
          await c.run(`INSERT INTO incidents (${COLUMNS}) VALUES (${COLUMNS.split(',').map((_, n) => `$${n + 1}`).join(', ')})`, values(i, id, campaignId));
        } else {
          const v = values(i, id, campaignId);
          // state (12) and assignee (13) are left out: they change only through setState and assign.
          const sets = COLUMNS.split(', ').map((col, n) => ({ col, n })).filter(({ n }) => n !== 0 && n !== 12 && n !== 13);
          const reader = await c.runAndReadAll(
            `UPDATE incidents SET ${sets.map(({ col }, k) => `${col} = $${k + 2}`).join(', ')} WHERE id = $1 RETURNING id`,
            [id, ...sets.map(({ n }) => v[n] ?? null)],
          );
          if (reader.getRowObjects().length === 0) throw new MinewardenError('MW_ERR_NOT_FOUND', `no incident #${id} to update`);
        }
        await writeTimeline(c, id, i.timeline);
        out.push(await require(c, id));
      }
      return out;
    });
  }

  listOpen(): Promise<Incident[]> {
    return this.db.exclusive(async (c) => {
      const found = await rows(c, `SELECT id FROM incidents WHERE state NOT IN ('resolved', 'false-positive') ORDER BY id`);
      const out: Incident[] = [];
      for (const r of found) out.push(await require(c, num(r.id)));
      return out;
    });
  }

  get(id: number): Promise<Incident | null> {
    return this.db.exclusive((c) => readOne(c, id));
  }

  async list(q: IncidentQuery): Promise<IncidentSummary[]> {
    const w = whereOf(q);
    if (w === null) return [];
    const sql = `SELECT ${COLUMNS} FROM incidents ${w.sql}
      ORDER BY last_seen DESC, id DESC LIMIT ${Math.max(0, Math.trunc(q.limit ?? 100))} OFFSET ${Math.max(0, Math.trunc(q.offset ?? 0))}`;
    return (await this.db.all(sql, w.params)).map(toSummary);
  }

  async count(q: IncidentQuery): Promise<number> {
    const w = whereOf(q);
    if (w === null) return 0;
    const [row] = await this.db.all(`SELECT count(*) AS n FROM incidents ${w.sql}`, w.params);
    return Number(row?.n ?? 0);
  }

  setState(id: number, state: IncidentState, actor: string, note?: string, at = Date.now()): Promise<Incident> {
    return this.db.transaction(async (c) => {
      const before = await require(c, id);
      await c.run('UPDATE incidents SET state = $2, updated_at = $3 WHERE id = $1', [id, state, at]);
      await record(c, id, at, actor, 'state', before.state, state);
      if (note !== undefined && note !== '') await c.run('INSERT INTO incident_notes VALUES ($1, $2, $3, $4)', [id, at, actor, note]);
      return require(c, id);
    });
  }

  assign(id: number, who: string | null, actor: string, at = Date.now()): Promise<Incident> {
    return this.db.transaction(async (c) => {
      const before = await require(c, id);
      await c.run('UPDATE incidents SET assignee = $2, updated_at = $3 WHERE id = $1', [id, who, at]);
      await record(c, id, at, actor, 'assignee', before.assignee, who);
      return require(c, id);
    });
  }

  addNote(id: number, actor: string, text: string, at = Date.now()): Promise<Incident> {
    return this.db.transaction(async (c) => {
      await require(c, id);
      await c.run('INSERT INTO incident_notes VALUES ($1, $2, $3, $4)', [id, at, actor, text]);
      await c.run('UPDATE incidents SET updated_at = $2 WHERE id = $1', [id, at]);
      return require(c, id);
    });
  }

  async history(id: number): Promise<IncidentChange[]> {
    const found = await this.db.all('SELECT ts, actor, field, from_value, to_value FROM incident_changes WHERE incident_id = $1 ORDER BY ts, rowid', [id]);
    return found.map((r) => ({ at: num(r.ts), by: str(r.actor), field: str(r.field) as IncidentChange['field'], from: orNull(r.from_value), to: orNull(r.to_value) }));
  }
}

/** The WHERE clause of a list or count; null when the query can match nothing. */
function whereOf(q: IncidentQuery): { sql: string; params: DuckDBValue[] } | null {
  const where: string[] = [];
  const params: DuckDBValue[] = [];
  const add = (sql: (p: string) => string, ...vs: DuckDBValue[]): void => {
    const ps = vs.map((v) => {
      params.push(v);
      return `$${params.length}`;
    });
    where.push(sql(ps.join(', ')));
  };
  if (q.state !== undefined) {
    const states = typeof q.state === 'string' ? [q.state] : q.state;
    if (states.length === 0) return null;
    add((p) => `state IN (${p})`, ...states);
  }
  if (q.open === true) add((p) => `state NOT IN (${p})`, ...TERMINAL);
  if (q.units !== undefined) {
    if (q.units.length === 0) return null;
    // A campaign belongs to a unit when its common unit is there or one of its member incidents is.
    add((p) => `(unit IN (${p}) OR (kind = 'campaign' AND id IN (SELECT campaign_id FROM incidents m WHERE m.campaign_id IS NOT NULL AND m.unit IN (${p}))))`, ...q.units);
  }
  if (q.minSeverity !== undefined) add((p) => `severity >= ${p}`, SEVERITIES.indexOf(q.minSeverity));
  if (q.since !== undefined) add((p) => `last_seen >= ${p}`, q.since);
  if (q.kind !== undefined) add((p) => `kind = ${p}`, q.kind);
  if (q.text !== undefined && q.text !== '') {
    add((p) => `(contains(lower(title), ${p}) OR contains(lower(threat), ${p}) OR contains(hosts, ${p}) OR contains(lower(coalesce(indicator, '')), ${p}))`, q.text.toLowerCase());
  }
  return { sql: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params };
}
