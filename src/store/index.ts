/**
 * Front door of the store: the interfaces every other module uses, and the factory that picks the
 * backend from config. No SQL exists outside this folder.
 */
import type { Config } from '../config/index.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import type { Store } from './types.ts';

export type { IndicatorQuery, IntelStats, IntelStore, MatchableIndicator, OrgStore, ReplaceResult, Store } from './types.ts';

export function openStore(config: Pick<Config, 'dataDir' | 'store'>): Promise<Store> {
  switch (config.store.kind) {
    case 'embedded':
      return openDuckDbStore({ dataDir: config.dataDir, memoryLimit: config.store.memoryLimit });
  }
}

/** A throw-away in-memory store (tests, `analyze`). */
export function openMemoryStore(): Promise<Store> {
  return openDuckDbStore({ dataDir: ':memory:', memoryLimit: '256MB' });
}
