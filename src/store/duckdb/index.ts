import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MinewardenError } from '../../core/errors.ts';
import type { BackupManifest, Store } from '../types.ts';
import type { WriterLog } from '../events/writer.ts';
import { Db } from './db.ts';
import { DuckDbAuthStore } from './auth-repo.ts';
import { DuckDbIncidentStore } from './incident-repo.ts';
import { DuckDbIntelStore } from './intel-repo.ts';
import { migrate } from './migrations.ts';
import { DuckDbOrgStore } from './org-repo.ts';
import { DuckDbPolicyStore } from './policy-repo.ts';
import { LocalEventStore } from './events/local.ts';
import { RemoteEventStore } from './events/remote.ts';
import type { EventStore } from '../types.ts';

export interface DuckDbStoreOptions {
  /** Data directory, or ':memory:' for a throw-away store. */
  dataDir: string;
  memoryLimit: string;
  /**
   * Where the event writer runs: 'worker' (a thread of its own; `serve`) or 'thread' (the
   * caller's; one-shot commands and tests). A worker that cannot start falls back to 'thread'.
   */
  eventWriter?: 'worker' | 'thread';
  log?: WriterLog;
}

export const DB_FILE = 'minewarden.duckdb';
export const EVENTS_DB_FILE = 'events.duckdb';

async function openEvents(opts: DuckDbStoreOptions): Promise<EventStore> {
  const memory = opts.dataDir === ':memory:';
  const eopts = {
    path: memory ? ':memory:' : join(opts.dataDir, EVENTS_DB_FILE),
    memoryLimit: opts.memoryLimit,
    spoolDir: memory ? null : join(opts.dataDir, 'spool', 'events'),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  };
  if (opts.eventWriter === 'worker' && !memory) {
    try {
      return await RemoteEventStore.open(eopts);
    } catch (e) {
      if (e instanceof MinewardenError && /in use|cannot open/.test(e.message)) throw e;
      opts.log?.('warn', `the event writer thread could not start (${(e as Error).message}); writing events on the main thread`);
    }
  }
  return LocalEventStore.open(eopts);
}

export async function openDuckDbStore(opts: DuckDbStoreOptions): Promise<Store> {
  const path = opts.dataDir === ':memory:' ? ':memory:' : join(opts.dataDir, DB_FILE);
  const db = await Db.open(path, { memoryLimit: opts.memoryLimit });
  let events: EventStore;
  try {
    await migrate(db);
    events = await openEvents(opts);
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    kind: 'embedded (DuckDB)',
    intel: new DuckDbIntelStore(db),
    org: new DuckDbOrgStore(db),
    incidents: new DuckDbIncidentStore(db),
    auth: new DuckDbAuthStore(db),
    policy: new DuckDbPolicyStore(db),
    events,
    async backup(dir: string): Promise<BackupManifest> {
      if (opts.dataDir === ':memory:') throw new MinewardenError('MW_ERR_BAD_INPUT', 'an in-memory store has nothing to back up');
      if (existsSync(dir)) throw new MinewardenError('MW_ERR_CONFLICT', `${dir} already exists; name a new directory`);
      const tmp = `${dir}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(join(tmp, 'state'), { recursive: true });
      const reader = await db.connection();
      try {
        await reader.run(`EXPORT DATABASE '${sqlPath(join(tmp, 'state'))}' (FORMAT parquet, COMPRESSION zstd)`);
      } finally {
        await reader.close();
      }
      const copied = await events.backup(join(tmp, 'events'));
      const manifest: BackupManifest = {
        format: 'minewarden-backup',
        version: 1,
        createdAt: Date.now(),
        events: copied.events,
        hosts: copied.hosts,
      };
      writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      renameSync(tmp, dir);
      return manifest;
    },
    async close(): Promise<void> {
      try {
        await events.close();
      } finally {
        await db.close();
      }
    },
  };
}

function sqlPath(p: string): string {
  return p.replaceAll("'", "''");
}

/**
 * Restores a backup into a data directory whose server is stopped. The current database files are
 * moved aside into `DATA_DIR/pre-restore-<time>/` first, never deleted. Returns the manifest.
 */
export async function restoreDuckDbStore(dataDir: string, backupDir: string, memoryLimit: string): Promise<{ manifest: BackupManifest; movedTo: string | null }> {
  const manifestPath = join(backupDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new MinewardenError('MW_ERR_BAD_INPUT', `${backupDir} is not a Minewarden backup (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== 'minewarden-backup' || manifest.version !== 1) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `${backupDir}: unknown backup format ${String(manifest.format)} v${String(manifest.version)}`);
  }
  mkdirSync(dataDir, { recursive: true });
  const files = [DB_FILE, `${DB_FILE}.wal`, EVENTS_DB_FILE, `${EVENTS_DB_FILE}.wal`].filter((f) => existsSync(join(dataDir, f)));
  let movedTo: string | null = null;
  if (files.length > 0) {
    // Opening the current database proves no server holds it (DuckDB locks the file).
    const probe = await Db.open(join(dataDir, DB_FILE), { memoryLimit });
    await probe.close();
    movedTo = join(dataDir, `pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(movedTo, { recursive: true });
    for (const f of files) renameSync(join(dataDir, f), join(movedTo, f));
  }
  for (const [file, part] of [[DB_FILE, 'state'], [EVENTS_DB_FILE, 'events']] as const) {
    const db = await Db.open(join(dataDir, file), { memoryLimit });
    try {
      await db.run(`IMPORT DATABASE '${sqlPath(join(backupDir, part))}'`);
      await db.run('CHECKPOINT');
    } finally {
      await db.close();
    }
  }
  return { manifest, movedTo };
}
