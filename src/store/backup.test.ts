/**
 * Backup while running (the worker writer appending meanwhile) and restore into a fresh or the
 * original data directory: state (intel, units) and events (events, hosts) come back.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsEvent } from '../model/events.ts';
import type { StoredIndicator } from '../model/indicator.ts';
import type { Unit } from '../model/org.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import { BatchBuilder } from './events/batch.ts';
import { restoreStore } from './index.ts';
import type { BackupManifest, Store } from './types.ts';

const T0 = Date.UTC(2024, 0, 10);
const TSX = pathToFileURL(join(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs')).href;

const UNITS: Unit[] = [
  { id: 'centre', name: '市教育信息中心', parentId: null, cidrs: ['10.0.0.0/8'], site: '', egress: [], contacts: [] },
  { id: 'school', name: 'East school', parentId: 'centre', cidrs: ['10.1.0.0/16'], site: '', egress: [], contacts: [{ name: 'Li' }] },
];

const INDICATOR: StoredIndicator = {
  type: 'domain', value: 'pool.example', category: 'mining-pool', family: 'monero', source: 'feed', confidence: 90,
  firstSeen: 0, lastSeen: 0, validUntil: 0, tags: ['x'], reference: '', status: 'active', holdReason: '',
};

function dnsBatch(start: number, n: number, client = '10.1.0.1'): ReturnType<BatchBuilder['take']> {
  const b = new BatchBuilder('dns', n);
  for (let i = 0; i < n; i++) {
    const ev: DnsEvent = {
      kind: 'dns', ts: T0 + start + i, client, unit: 'school', name: `n${start + i}.example`, qtype: 1, rcode: 0, outcome: 'blocked', latencyUs: 1,
    };
    b.add(ev);
  }
  return b.take();
}

function configOf(dataDir: string): { dataDir: string; store: { kind: 'embedded'; memoryLimit: string } } {
  return { dataDir, store: { kind: 'embedded', memoryLimit: '256MB' } };
}

async function countEvents(store: Store): Promise<number> {
  return (await store.events.stats()).kinds.dns.rows;
}

describe('store backup and restore', () => {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const openAt = async (dataDir: string, eventWriter: 'worker' | 'thread' = 'thread'): Promise<Store> => {
    const s = await openDuckDbStore({ dataDir, memoryLimit: '256MB', eventWriter });
    open.push(s);
    return s;
  };
  const close = async (s: Store): Promise<void> => {
    open.splice(open.indexOf(s), 1);
    await s.close();
  };

  it('backs up while events are written, refuses an existing directory, and restores into a fresh and the original data directory', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mw-backup-'));
    const dataDir = join(base, 'data');
    const store = await openAt(dataDir, 'worker');
    await store.intel.replaceSource('feed', [INDICATOR], 1000);
    await store.org.replaceUnits(UNITS);
    store.events.write(dnsBatch(0, 100));
    store.events.write(dnsBatch(1000, 10, '10.1.0.2'));
    await store.events.flush();
    store.events.noteHostNames([{ client: '10.1.0.1', name: 'lab-pc', source: 'dhcp', ts: T0 }]);

    // Writes go on while the backup runs.
    let writing = true;
    const writer = (async () => {
      let start = 10_000;
      while (writing) {
        store.events.write(dnsBatch(start, 50, `10.1.1.${start % 200}`));
        start += 50;
        // About the pace of a busy network; the writer keeps up with it.
        await new Promise((r) => setTimeout(r, 2));
      }
      await store.events.flush();
      return start - 10_000;
    })();
    const backupDir = join(base, 'backup');
    let manifest: BackupManifest;
    try {
      manifest = await store.backup(backupDir);
    } finally {
      writing = false;
    }
    const writtenDuring = await writer;
    expect(writtenDuring).toBeGreaterThan(0);

    expect(readdirSync(backupDir).sort()).toEqual(['events', 'manifest.json', 'state']);
    expect(JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(manifest).toMatchObject({ format: 'minewarden-backup', version: 1 });
    expect(manifest.events.dns).toBeGreaterThanOrEqual(110);
    expect(manifest.events.flow).toBe(0);
    expect(existsSync(`${backupDir}.partial`)).toBe(false);
    const totalNow = await countEvents(store);
    expect(totalNow).toBe(110 + writtenDuring);

    await expect(store.backup(backupDir)).rejects.toMatchObject({ code: 'MW_ERR_CONFLICT' });

    // Into a fresh data directory.
    const freshDir = join(base, 'fresh');
    const r1 = await restoreStore(configOf(freshDir), backupDir);
    expect(r1.movedTo).toBeNull();
    expect(r1.manifest).toEqual(manifest);
    const restored = await openAt(freshDir);
    expect((await restored.intel.findByValue('domain', 'pool.example')).map((i) => i.source)).toEqual(['feed']);
    expect(await restored.org.listUnits()).toEqual(UNITS);
    // The copy holds exactly what the manifest says.
    const st = await restored.events.stats();
    expect(st.kinds.dns.rows).toBe(manifest.events.dns);
    expect(st.hosts).toBe(manifest.hosts);
    expect(await restored.events.findHost('10.1.0.1')).toMatchObject({ unit: 'school', names: [{ name: 'lab-pc', source: 'dhcp', ts: T0 }] });
    expect((await restored.events.query({ kind: 'dns', client: '10.1.0.2', order: 'asc' })).map((e) => e.ts)).toEqual(
      Array.from({ length: 10 }, (_, i) => T0 + 1000 + i),
    );
    // New hosts after a restore get new ids.
    const maxId = Math.max(...(await restored.events.hosts({ limit: 100_000 })).map((h) => h.id));
    restored.events.write(dnsBatch(900_000, 1, '10.9.9.9'));
    await restored.events.flush();
    expect((await restored.events.findHost('10.9.9.9'))!.id).toBe(maxId + 1);

    // Into the original directory once its store is closed: the current files are moved aside.
    await close(store);
    const r2 = await restoreStore(configOf(dataDir), backupDir);
    expect(r2.movedTo).toMatch(/pre-restore-/);
    expect(readdirSync(r2.movedTo!).sort()).toEqual(expect.arrayContaining(['events.duckdb', 'minewarden.duckdb']));
    const back = await openAt(dataDir);
    expect(await countEvents(back)).toBe(manifest.events.dns);
    expect(await back.org.listUnits()).toEqual(UNITS);
    expect(await back.intel.findByValue('domain', 'pool.example')).toHaveLength(1);
  });

  it('refuses to restore into a data directory another process holds open, and changes nothing there', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mw-backup-'));
    const source = await openAt(join(base, 'source'));
    await source.org.replaceUnits(UNITS);
    const backupDir = join(base, 'backup');
    await source.backup(backupDir);

    const held = join(base, 'held');
    const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', `
      import { openDuckDbStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'duckdb/index.ts')).href)};
      const s = await openDuckDbStore({ dataDir: ${JSON.stringify(held)}, memoryLimit: '256MB' });
      console.log('open');
      process.stdin.resume();
      process.stdin.on('end', () => void s.close().then(() => process.exit(0)));
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('open')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the holder exited (${String(code)})`)));
      });
      await expect(restoreStore(configOf(held), backupDir)).rejects.toThrow(/in use by another Minewarden process/);
      expect(readdirSync(held).filter((f) => f.startsWith('pre-restore-'))).toEqual([]);
      expect(existsSync(join(held, 'minewarden.duckdb'))).toBe(true);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    }
  });

  it('refuses a directory that is not a backup', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mw-backup-'));
    await expect(restoreStore(configOf(join(base, 'data')), base)).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
  });
});
