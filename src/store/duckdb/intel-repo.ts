/**
 * IntelStore on DuckDB. Bulk writes go through DuckDB's appender into a temporary table and are
 * merged with set-based SQL, so replacing a million-row source is one transaction of a few seconds.
 */
import type { AllowEntry, FeedFormat, FeedStatus, IndicatorStatus, IndicatorType, StoredIndicator } from '../../model/indicator.ts';
import type { IndicatorQuery, IntelStats, IntelStore, MatchableIndicator, ReplaceResult } from '../types.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Db, type Row, num, str } from './db.ts';

const TAG_SEP = '\u001f';
const COLUMNS =
  'source, type, value, category, family, confidence, first_seen, last_seen, valid_until, tags, reference, status, hold_reason';

function toStored(r: Row): StoredIndicator {
  const tags = str(r.tags);
  return {
    source: str(r.source),
    type: str(r.type) as IndicatorType,
    value: str(r.value),
    category: str(r.category),
    family: str(r.family),
    confidence: num(r.confidence),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
    validUntil: num(r.valid_until),
    tags: tags === '' ? [] : tags.split(TAG_SEP),
    reference: str(r.reference),
    status: str(r.status) as IndicatorStatus,
    holdReason: str(r.hold_reason),
  };
}

function toFeedStatus(r: Row): FeedStatus {
  return {
    name: str(r.name),
    source: str(r.source),
    format: str(r.format) as FeedFormat,
    entries: num(r.entries),
    rejectedLines: num(r.rejected_lines),
    heldForReview: num(r.held),
    lastAttempt: num(r.last_attempt),
    lastSuccess: num(r.last_success),
    lastError: str(r.last_error),
    etag: str(r.etag),
    lastModified: str(r.last_modified),
  };
}

let tempCounter = 0;
const BUMP = 'UPDATE intel_revision SET revision = revision + 1 WHERE id = 1';

export class DuckDbIntelStore implements IntelStore {
  constructor(private readonly db: Db) {}

  replaceSource(source: string, indicators: Iterable<StoredIndicator>, now: number): Promise<ReplaceResult> {
    const tmp = `incoming_${process.pid}_${++tempCounter}`;
    return this.db.transaction(async (c) => {
      await c.run(`CREATE TEMP TABLE ${tmp} AS SELECT * FROM indicators WITH NO DATA`);
      try {
        const app = await c.createAppender(tmp, 'main', 'temp');
        for (const i of indicators) {
          app.appendVarchar(source);
          app.appendVarchar(i.type);
          app.appendVarchar(i.value);
          app.appendVarchar(i.category);
          app.appendVarchar(i.family);
          app.appendUTinyInt(Math.max(0, Math.min(100, Math.round(i.confidence))));
          app.appendDouble(i.firstSeen || now);
          app.appendDouble(i.lastSeen);
          app.appendDouble(i.validUntil);
          app.appendVarchar(i.tags.join(TAG_SEP));
          app.appendVarchar(i.reference);
          app.appendVarchar(i.status);
          app.appendVarchar(i.holdReason);
          app.endRow();
        }
        app.flushSync();
        app.closeSync();
        // Keep what history says: the first time we saw it, and its last sighting unless the
        // source reports a newer one (lastSeen 0 = the source gives no date). The update touches
        // exactly the rows that were there before, which gives added/removed without more scans.
        const before = await c.runAndReadAll('SELECT count(*) AS n FROM indicators WHERE source = $1', [source]);
        const oldTotal = num(before.getRowObjects()[0]?.n);
        const kept = await c.run(
          `UPDATE ${tmp} AS n SET
             first_seen = LEAST(n.first_seen, o.first_seen),
             last_seen = GREATEST(n.last_seen, o.last_seen)
           FROM indicators AS o
           WHERE o.source = $1 AND o.type = n.type AND o.value = n.value`,
          [source],
        );
        await c.run(`UPDATE ${tmp} SET last_seen = first_seen WHERE last_seen = 0`);
        const counts = await c.runAndReadAll(`SELECT count(*) AS total, count(*) FILTER (WHERE status = 'held') AS held FROM ${tmp}`);
        const row = counts.getRowObjects()[0] ?? {};
        const total = num(row.total);
        await c.run('DELETE FROM indicators WHERE source = $1', [source]);
        await c.run(`INSERT INTO indicators SELECT ${COLUMNS} FROM ${tmp}`);
        await c.run(BUMP);
        return { total, added: total - kept.rowsChanged, removed: oldTotal - kept.rowsChanged, held: num(row.held) };
      } finally {
        await c.run(`DROP TABLE IF EXISTS temp.${tmp}`);
      }
    });
  }

  deleteSource(source: string): Promise<number> {
    return this.db.transaction(async (c) => {
      const r = await c.runAndReadAll('SELECT count(*) AS n FROM indicators WHERE source = $1', [source]);
      const n = num(r.getRowObjects()[0]?.n);
      if (n > 0) {
        await c.run('DELETE FROM indicators WHERE source = $1', [source]);
        await c.run(BUMP);
      }
      return n;
    });
  }

  async revision(): Promise<number> {
    const rows = await this.db.all('SELECT revision FROM intel_revision WHERE id = 1');
    return num(rows[0]?.revision);
  }

  async *scanMatchable(now: number, batchSize = 50_000): AsyncIterable<MatchableIndicator[]> {
    // One pass, read column by column from DuckDB's chunks (row objects cost 3-4x more), and
    // handed on chunk by chunk while the connection is held, so that no more than one chunk of
    // rows is alive at a time (holding all 1M strings until the end made every young-generation
    // GC copy them: 5-15 ms pauses every ~50 ms during a reload, bench/intel-reload.ts). The
    // repetitive text columns travel as a small group id, joined back here.
    const where = `status IN ('active', 'released') AND (valid_until = 0 OR valid_until > $1)`;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const conn = await new Promise<DuckDBConnection>((resolve, reject) => {
      this.db.exclusive(async (c) => {
        resolve(c);
        await done;
      }).catch(reject);
    });
    try {
      const g = await conn.runAndReadAll(
        `SELECT type, category, family, source FROM (SELECT DISTINCT type, category, family, source FROM indicators WHERE ${where}) ORDER BY ALL`,
        [now],
      );
      const groups = g.getRowObjects().map((r) => ({ type: str(r.type) as IndicatorType, category: str(r.category), family: str(r.family), source: str(r.source) }));
      const res = await conn.stream(
        `WITH g AS (SELECT type, category, family, source, (row_number() OVER (ORDER BY type, category, family, source) - 1)::INTEGER AS gid
                    FROM (SELECT DISTINCT type, category, family, source FROM indicators WHERE ${where}))
         SELECT i.value, i.confidence, i.last_seen, i.valid_until, g.gid
         FROM indicators i JOIN g USING (type, category, family, source) WHERE ${where.replaceAll('status', 'i.status').replaceAll('valid_until', 'i.valid_until')}`,
        [now],
      );
      let batch: MatchableIndicator[] = [];
      for (;;) {
        const chunk = await res.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const value = chunk.getColumnValues(0);
        const confidence = chunk.getColumnValues(1);
        const lastSeen = chunk.getColumnValues(2);
        const validUntil = chunk.getColumnValues(3);
        const gid = chunk.getColumnValues(4);
        for (let i = 0; i < value.length; i++) {
          const grp = groups[gid[i] as number];
          if (grp === undefined) continue;
          batch.push({
            type: grp.type,
            value: value[i] as string,
            category: grp.category,
            family: grp.family,
            source: grp.source,
            confidence: confidence[i] as number,
            lastSeen: lastSeen[i] as number,
            validUntil: validUntil[i] as number,
          });
          if (batch.length === batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      release();
    }
  }

  async findByValue(type: IndicatorType, value: string): Promise<StoredIndicator[]> {
    const rows = await this.db.all(`SELECT ${COLUMNS} FROM indicators WHERE type = $1 AND value = $2 ORDER BY confidence DESC, source`, [type, value]);
    return rows.map(toStored);
  }

  async query(q: IndicatorQuery): Promise<StoredIndicator[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    const add = (sql: string, v: string | number): void => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.source !== undefined) add('source = ?', q.source);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.type !== undefined) add('type = ?', q.type);
    if (q.contains !== undefined) add("value LIKE '%' || ? || '%'", q.contains);
    params.push(Math.max(1, Math.min(10_000, q.limit ?? 100)));
    const limit = `$${params.length}`;
    params.push(Math.max(0, q.offset ?? 0));
    const offset = `$${params.length}`;
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY type, value, source LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return rows.map(toStored);
  }

  release(type: IndicatorType, value: string): Promise<number> {
    return this.db.transaction(async (c) => {
      const r = await c.runAndReadAll(`SELECT count(*) AS n FROM indicators WHERE type = $1 AND value = $2 AND status = 'held'`, [type, value]);
      const n = num(r.getRowObjects()[0]?.n);
      await c.run(`UPDATE indicators SET status = 'released' WHERE type = $1 AND value = $2 AND status = 'held'`, [type, value]);
      if (n > 0) await c.run(BUMP);
      await c.run(
        `INSERT INTO review_releases (type, value, released_at) VALUES ($1, $2, epoch(current_timestamp)) ON CONFLICT DO NOTHING`,
        [type, value],
      );
      return n;
    });
  }

  async releasedValues(): Promise<Array<{ type: IndicatorType; value: string }>> {
    const rows = await this.db.all('SELECT type, value FROM review_releases');
    return rows.map((r) => ({ type: str(r.type) as IndicatorType, value: str(r.value) }));
  }

  async stats(): Promise<IntelStats> {
    const group = async (col: string): Promise<Record<string, number>> => {
      const rows = await this.db.all(`SELECT ${col} AS k, count(*) AS n FROM indicators GROUP BY ${col} ORDER BY n DESC`);
      return Object.fromEntries(rows.map((r) => [str(r.k), num(r.n)]));
    };
    const byStatus = await group('status');
    return {
      total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      byStatus,
      byType: await group('type'),
      byCategory: await group('category'),
      bySource: await group('source'),
    };
  }

  async getFeedStatus(name: string): Promise<FeedStatus | null> {
    const rows = await this.db.all('SELECT * FROM feeds WHERE name = $1', [name]);
    return rows[0] ? toFeedStatus(rows[0]) : null;
  }

  async putFeedStatus(s: FeedStatus): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO feeds (name, source, format, entries, rejected_lines, held, last_attempt, last_success, last_error, etag, last_modified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [s.name, s.source, s.format, s.entries, s.rejectedLines, s.heldForReview, s.lastAttempt, s.lastSuccess, s.lastError, s.etag, s.lastModified],
    );
  }

  async listFeedStatus(): Promise<FeedStatus[]> {
    const rows = await this.db.all('SELECT * FROM feeds ORDER BY name');
    return rows.map(toFeedStatus);
  }

  async listAllow(): Promise<AllowEntry[]> {
    const rows = await this.db.all('SELECT type, value, comment, added_at FROM allowlist ORDER BY type, value');
    return rows.map((r) => ({ type: str(r.type) as IndicatorType, value: str(r.value), comment: str(r.comment), addedAt: num(r.added_at) }));
  }

  async addAllow(e: AllowEntry): Promise<void> {
    await this.db.run('INSERT OR REPLACE INTO allowlist (type, value, comment, added_at) VALUES ($1, $2, $3, $4)', [e.type, e.value, e.comment, e.addedAt]);
  }

  async removeAllow(type: IndicatorType, value: string): Promise<boolean> {
    const rows = await this.db.all('SELECT count(*) AS n FROM allowlist WHERE type = $1 AND value = $2', [type, value]);
    await this.db.run('DELETE FROM allowlist WHERE type = $1 AND value = $2', [type, value]);
    return num(rows[0]?.n) > 0;
  }
}
