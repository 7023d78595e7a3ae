/**
 * The one event writer and its spool: a store that refuses batches loses nothing (they wait on
 * disk, in order, and are written when it takes them again); only when the spool itself cannot
 * be written and memory is at its bound are events dropped, counted and logged.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DnsEvent } from '../../model/events.ts';
import type { Db } from '../duckdb/db.ts';
import { LocalEventStore } from '../duckdb/events/local.ts';
import { BatchBuilder, type EventBatch } from './batch.ts';
import { EventWriter, type BatchTarget, type WriterLog } from './writer.ts';

const T0 = Date.UTC(2024, 0, 10);

function dns(name: string, extra: Partial<DnsEvent> = {}): DnsEvent {
  return {
    kind: 'dns', ts: T0, client: '10.0.0.1', site: '', unit: 'u1', name, qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 1, ...extra,
  };
}

/** A batch of `names.length` DNS events named after `names`. */
function batch(...names: string[]): EventBatch {
  const b = new BatchBuilder('dns', names.length);
  for (const n of names) b.add(dns(n));
  return b.take();
}

function namesOf(batches: readonly EventBatch[]): string[] {
  return batches.flatMap((b) => (b.cols.name as Array<string | null>).slice(0, b.n) as string[]);
}

/** Refuses the first `failures` appends with a real error, then keeps every batch it is given. */
class FlakyTarget implements BatchTarget {
  readonly appended: EventBatch[] = [];
  attempts = 0;
  constructor(public failures: number) {}

  append(b: EventBatch): Promise<void> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('disk full'));
    }
    this.appended.push(b);
    return Promise.resolve();
  }
}

function spoolFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.batch')).sort() : [];
}

function logger(): { log: WriterLog; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return { log: (level, msg) => lines.push([level, msg]), lines };
}

const writers: EventWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
});

function writer(target: BatchTarget, opts: ConstructorParameters<typeof EventWriter>[1]): EventWriter {
  // A long retry delay: the tests drive retries with retryNow(), never with the clock.
  const w = new EventWriter(target, { retryMs: 3_600_000, ...opts });
  writers.push(w);
  return w;
}

describe('EventWriter', () => {
  it('spools batches the store refuses, keeps their order, and writes them all once it takes them again', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mw-writer-')), 'spool');
    const target = new FlakyTarget(3);
    const { log, lines } = logger();
    const w = writer(target, { spoolDir: dir, log });

    w.write(batch('a1', 'a2'));
    w.write(batch('b1'));
    w.write(batch('c1', 'c2', 'c3'));
    await w.flush();
    // The first append failed; the rest queued behind it in the spool, without an attempt.
    expect(target.attempts).toBe(1);
    expect(w.status()).toMatchObject({
      accepted: 6, written: 0, pending: 6, spooled: 6, spoolPending: 6, dropped: 0, failures: 1, lastError: 'disk full',
    });
    expect(w.status().lastErrorAt).toEqual(expect.any(Number));
    expect(spoolFiles(dir)).toHaveLength(3);
    expect(lines.some(([level, msg]) => level === 'error' && msg.includes('disk full') && msg.includes('spooled'))).toBe(true);

    // Still failing: nothing leaves the spool.
    await w.retryNow();
    await w.retryNow();
    expect(w.status()).toMatchObject({ failures: 3, written: 0, spoolPending: 6 });
    expect(spoolFiles(dir)).toHaveLength(3);
    expect(target.appended).toEqual([]);

    await w.retryNow();
    expect(namesOf(target.appended)).toEqual(['a1', 'a2', 'b1', 'c1', 'c2', 'c3']);
    expect(spoolFiles(dir)).toEqual([]);
    expect(w.status()).toMatchObject({ accepted: 6, written: 6, pending: 0, spooled: 6, spoolPending: 0, dropped: 0, failures: 3 });
    expect(lines.some(([level, msg]) => level === 'info' && msg.includes('6 spooled events written'))).toBe(true);

    // Healthy again: new batches go straight to the store.
    w.write(batch('d1'));
    await w.flush();
    expect(namesOf(target.appended)).toEqual(['a1', 'a2', 'b1', 'c1', 'c2', 'c3', 'd1']);
    expect(w.status()).toMatchObject({ written: 7, spooled: 6, failures: 3 });
  });

  it('flush waits for what was handed over before it, not for batches that keep arriving', async () => {
    // Steady ingest: every append brings the next batch, so the queue is never empty for long.
    const appended: EventBatch[] = [];
    let arrivals = 0;
    const w = writer(
      {
        async append(b) {
          await new Promise((r) => setImmediate(r));
          appended.push(b);
          if (arrivals < 200) w.write(batch(`later${arrivals++}`));
        },
      },
      { spoolDir: null },
    );
    w.write(batch('first'));
    w.write(batch('second'));
    await w.flush();
    expect(namesOf(appended).slice(0, 2)).toEqual(['first', 'second']);
    expect(arrivals).toBeLessThan(200);
    await vi.waitFor(() => expect(arrivals).toBe(200));
    await w.flush();
    expect(appended).toHaveLength(202);
  });

  it('writes a spool left by an earlier writer when it starts, before anything new', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mw-writer-')), 'spool');
    const first = writer(new FlakyTarget(Number.POSITIVE_INFINITY), { spoolDir: dir });
    first.write(batch('old1', 'old2'));
    first.write(batch('old3'));
    await first.close();
    expect(spoolFiles(dir)).toHaveLength(2);

    const target = new FlakyTarget(0);
    const { log, lines } = logger();
    const second = writer(target, { spoolDir: dir, log, retryMs: 0 });
    expect(second.status().spoolPending).toBe(3);
    second.write(batch('new1'));
    await vi.waitFor(() => expect(target.appended.length).toBe(3));
    expect(namesOf(target.appended)).toEqual(['old1', 'old2', 'old3', 'new1']);
    expect(spoolFiles(dir)).toEqual([]);
    expect(second.status()).toMatchObject({ accepted: 1, written: 4, spoolPending: 0, pending: 0 });
    expect(lines.some(([level, msg]) => level === 'warn' && msg.includes('3 events wait in the spool'))).toBe(true);
  });

  it('holds batches in memory when the spool cannot be written, and drops and logs past the bound', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mw-writer-'));
    const file = join(base, 'not-a-dir');
    writeFileSync(file, 'x');
    const target = new FlakyTarget(1);
    const { log, lines } = logger();
    const w = writer(target, { spoolDir: join(file, 'spool'), log, maxMemoryEvents: 5 });

    w.write(batch('a1', 'a2'));
    w.write(batch('b1', 'b2'));
    w.write(batch('c1', 'c2'));
    await w.flush();
    expect(w.status()).toMatchObject({ accepted: 6, spooled: 4, spoolPending: 4, dropped: 2, failures: 1, pending: 4 });
    const dropped = lines.filter(([level, msg]) => level === 'error' && msg.includes('2 events dropped'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]![1]).toMatch(/spool could not be written/);
    expect(lines.some(([, msg]) => msg.includes('spooled (memory)'))).toBe(true);

    await w.retryNow();
    expect(namesOf(target.appended)).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(w.status()).toMatchObject({ written: 4, spoolPending: 0, pending: 0, dropped: 2 });
  });

  it('removes a damaged spool file, logs it, and writes the rest', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mw-writer-')), 'spool');
    const first = writer(new FlakyTarget(Number.POSITIVE_INFINITY), { spoolDir: dir });
    first.write(batch('a1'));
    first.write(batch('b1', 'b2'));
    first.write(batch('c1'));
    await first.close();
    const files = spoolFiles(dir);
    expect(files).toHaveLength(3);
    writeFileSync(join(dir, files[1]!), 'this is not a serialised batch');
    // A temp file of an interrupted spool write is removed too.
    writeFileSync(join(dir, '000000000099-1.batch.tmp'), 'half');

    const target = new FlakyTarget(0);
    const { log, lines } = logger();
    const second = writer(target, { spoolDir: dir, log });
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    await second.retryNow();
    expect(namesOf(target.appended)).toEqual(['a1', 'c1']);
    expect(readdirSync(dir)).toEqual([]);
    const damaged = lines.filter(([level, msg]) => level === 'error' && msg.includes('damaged'));
    expect(damaged).toHaveLength(1);
    expect(damaged[0]![1]).toContain(files[1]);
    expect(damaged[0]![1]).toContain('2 events lost');
  });
});

describe('EventWriter on the DuckDB events store', () => {
  it('spools while the table cannot be written, then writes everything with the right hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-writer-db-'));
    const spoolDir = join(dir, 'spool');
    const { log, lines } = logger();
    const store = await LocalEventStore.open({ path: join(dir, 'events.duckdb'), memoryLimit: '256MB', spoolDir, log, retryMs: 3_600_000 });
    try {
      // A real failure inside DuckDB: the table the appender needs is gone.
      const db = (store.repo as unknown as { db: Db }).db;
      store.write(batch('before.example'));
      await store.flush();
      await db.run('ALTER TABLE dns_events RENAME TO dns_events_away');
      // The repo keeps one appender per table; the renamed table's one would follow the rename.
      (store.repo as unknown as { dropAppender(table: string): void }).dropAppender('dns_events');

      const b = new BatchBuilder('dns');
      b.add(dns('x1.example', { client: '10.0.0.2', ts: T0 + 1 }));
      b.add(dns('x2.example', { client: '10.0.0.3', ts: T0 + 2 }));
      store.write(b.take());
      b.add(dns('x3.example', { client: '10.0.0.4', ts: T0 + 3 }));
      store.write(b.take());
      await store.flush();
      const st = store.status();
      expect(st).toMatchObject({ accepted: 4, written: 1, failures: 1, spooled: 3, spoolPending: 3, dropped: 0 });
      expect(st.lastError).toMatch(/dns_events/);
      expect(spoolFiles(spoolDir)).toHaveLength(2);
      expect(lines.some(([level]) => level === 'error')).toBe(true);
      // The hosts the failed batch named were written before its events (an id in an event always
      // has its row), so they stay, with the ids the retried events will use.
      expect(await store.findHost('10.0.0.2')).toMatchObject({ id: 2, address: '10.0.0.2' });

      await store.retryNow();
      expect(store.status()).toMatchObject({ failures: 2, spoolPending: 3 });

      await db.run('ALTER TABLE dns_events_away RENAME TO dns_events');
      await store.retryNow();
      expect(store.status()).toMatchObject({ accepted: 4, written: 4, pending: 0, spoolPending: 0 });
      expect(spoolFiles(spoolDir)).toEqual([]);
      const events = await store.query({ kind: 'dns', order: 'asc' });
      expect(events.map((e) => [e.kind === 'dns' ? e.name : '', e.client, e.hostId])).toEqual([
        ['before.example', '10.0.0.1', 1],
        ['x1.example', '10.0.0.2', 2],
        ['x2.example', '10.0.0.3', 3],
        ['x3.example', '10.0.0.4', 4],
      ]);
      expect((await store.hosts({})).map((h) => h.id).sort()).toEqual([1, 2, 3, 4]);
    } finally {
      await store.close();
    }
  });
});
