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
