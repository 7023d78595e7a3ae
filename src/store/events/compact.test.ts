/**
 * Closed days rewritten in (host, time) order: nothing is lost or changed for any query, a day is
 * rewritten once, a late event for a rewritten day makes it due again, and the rows really are in
 * host order afterwards (what lets DuckDB's zone maps skip the other hosts' row groups).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DnsEvent } from '../../model/events.ts';
import { LocalEventStore } from '../duckdb/events/local.ts';
import type { Db } from '../duckdb/db.ts';
import { BatchBuilder } from './batch.ts';

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 10, 1);

function dns(ts: number, client: string): DnsEvent {
  return { kind: 'dns', ts, client, unit: `u${client.length % 3}`, name: `n${ts % 7}.example`, qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: ts % 1000 };
}

describe('compaction of closed days', () => {
  it('rewrites closed days in host order once, changes no answer, and redoes a day that got a late event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-compact-'));
    const store = await LocalEventStore.open({ path: join(dir, 'events.duckdb'), memoryLimit: '256MB', spoolDir: null });
    try {
      const b = new BatchBuilder('dns');
      // Three days, hosts interleaved in time (as traffic arrives).
      for (let i = 0; i < 3000; i++) {
        b.add(dns(D0 + Math.floor((i * 3 * DAY) / 3000), `10.0.${i % 5}.${(i * 7) % 11}`));
        if (b.full) store.write(b.take());
      }
      store.write(b.take());
      await store.flush();
      const before = await store.query({ kind: 'dns', limit: 10_000 });
      const countsBefore = await store.counts({ kind: 'dns' }, 'hour', 'unit');

      const now = D0 + 2 * DAY + 3_600_000; // during day 3: days 1 and 2 are closed
      expect(await store.compact(now)).toEqual({ days: 2, rows: 2000 });
      expect(await store.compact(now)).toEqual({ days: 0, rows: 0 });
      expect(await store.query({ kind: 'dns', limit: 10_000 })).toEqual(before);
      expect(await store.counts({ kind: 'dns' }, 'hour', 'unit')).toEqual(countsBefore);

      // Physically in host order within each rewritten day (read in storage order).
      const db = (store.repo as unknown as { reader: Db }).reader;
      const rows = await db.all(`SELECT host_id FROM dns_events WHERE ts >= ${D0} AND ts < ${D0 + DAY}`);
      const ids = rows.map((r) => Number(r.host_id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));

      // A late event for day 1 makes it due again; day 2 stays done.
      const late = new BatchBuilder('dns');
      late.add(dns(D0 + 5000, '10.0.0.0'));
      store.write(late.take());
      await store.flush();
      expect(await store.compact(now)).toEqual({ days: 1, rows: 1001 });
      expect(await store.query({ kind: 'dns', limit: 10_000 })).toHaveLength(3001);
    } finally {
      await store.close();
    }
  });
});
