/**
 * The events tables and the column layout in columns.ts must not drift apart: every kind's
 * table has ts, host_id (in place of client and site), unit, then the kind's columns, in order,
 * with the DuckDB type and nullability the layout implies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../model/events.ts';
import { LocalEventStore } from '../duckdb/events/local.ts';
import { EVENT_MIGRATIONS } from '../duckdb/events/migrations.ts';
import { Db } from '../duckdb/db.ts';
import { migrate } from '../duckdb/migrations.ts';
import { columnsOf, tableOf, type ColumnDef } from './columns.ts';

const DUCK_TYPE: Record<ColumnDef['type'], string> = {
  time: 'BIGINT', big: 'BIGINT', u32: 'UINTEGER', u16: 'USMALLINT', u8: 'UTINYINT', str: 'VARCHAR', json: 'VARCHAR',
};

function expected(kind: (typeof EVENT_KINDS)[number]): Array<{ name: string; type: string; nullable: boolean }> {
  const out: Array<{ name: string; type: string; nullable: boolean }> = [];
  for (const def of columnsOf(kind)) {
    if (def.col === 'client') {
      out.push({ name: 'host_id', type: 'UINTEGER', nullable: false });
      continue;
    }
    if (def.col === 'site') continue;
    const text = def.type === 'str' || def.type === 'json';
    out.push({ name: def.col, type: DUCK_TYPE[def.type], nullable: text && def.required !== true });
  }
  return out;
}

describe('events migrations', () => {
  it('create every kind table exactly as columns.ts lays it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-events-migr-'));
    const path = join(dir, 'events.duckdb');
    const store = await LocalEventStore.open({ path, memoryLimit: '256MB', spoolDir: null });
    await store.close();

    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    try {
      for (const kind of EVENT_KINDS) {
        const reader = await conn.runAndReadAll(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
          [tableOf(kind)],
        );
        const got = reader.getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.data_type), nullable: r.is_nullable === 'YES' }));
        expect(got, kind).toEqual(expected(kind));
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('events migrations on an existing database', () => {
  it('upgrade a version-1 events database at open and keep its events and hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-evmig-'));
    const path = join(dir, 'events.duckdb');
    // A database as the first release left it: migration 1 only, one host and one event.
    const old = await Db.open(path, { memoryLimit: '128MB' });
    expect(await migrate(old, EVENT_MIGRATIONS.filter((m) => m.version === 1))).toEqual([1]);
    await old.run(`INSERT INTO hosts VALUES (1, '', '10.0.0.7', 'school-1', 1000, 2000, '[]')`);
    await old.run(`INSERT INTO dns_events VALUES (2000, 1, 'school-1', NULL, 'pool.example', 1, 3, 2, NULL, 'pool.example', 'mining-pool', 500)`);
    await old.close();

    const store = await LocalEventStore.open({ path, memoryLimit: '128MB', spoolDir: null });
    try {
      const [e] = await store.query({ kind: 'dns' });
      expect(e).toMatchObject({ ts: 2000, client: '10.0.0.7', unit: 'school-1', name: 'pool.example', outcome: 'blocked', category: 'mining-pool' });
      expect(await store.findHost('10.0.0.7')).toMatchObject({ id: 1, firstSeen: 1000, lastSeen: 2000 });
      // Migration 2 is there: compaction works on the upgraded file.
      expect(await store.compact(Date.UTC(2026, 0, 1))).toEqual({ days: 1, rows: 1 });
    } finally {
      await store.close();
    }
    const again = await Db.open(path, { memoryLimit: '128MB' });
    try {
      expect((await again.all('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version))).toEqual(EVENT_MIGRATIONS.map((m) => m.version));
      expect(await migrate(again, EVENT_MIGRATIONS)).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
