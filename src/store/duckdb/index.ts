import { join } from 'node:path';
import type { Store } from '../types.ts';
import { Db } from './db.ts';
import { DuckDbIntelStore } from './intel-repo.ts';
import { migrate } from './migrations.ts';
import { DuckDbOrgStore } from './org-repo.ts';

export interface DuckDbStoreOptions {
  /** Data directory, or ':memory:' for a throw-away store. */
  dataDir: string;
  memoryLimit: string;
}

export const DB_FILE = 'minewarden.duckdb';

export async function openDuckDbStore(opts: DuckDbStoreOptions): Promise<Store> {
  const path = opts.dataDir === ':memory:' ? ':memory:' : join(opts.dataDir, DB_FILE);
  const db = await Db.open(path, { memoryLimit: opts.memoryLimit });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    kind: 'embedded (DuckDB)',
    intel: new DuckDbIntelStore(db),
    org: new DuckDbOrgStore(db),
    close: () => db.close(),
  };
}
