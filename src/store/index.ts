/**
 * Front door of the store: the interfaces every other module uses, and the factory that picks the
 * backend from config. No SQL exists outside this folder.
 */
import type { Config } from '../config/index.ts';
import { openDuckDbStore, restoreDuckDbStore } from './duckdb/index.ts';
import type { WriterLog } from './events/writer.ts';
import type { BackupManifest, Store } from './types.ts';

export type {
  BackupManifest, Bucket, CountRow, EventFilter, EventGroup, EventQuery, EventStats, EventStore, HostNameNote, HostQuery,
  IndicatorQuery, IntelStats, IntelStore, KindStats, MatchableIndicator, OrgStore, ReplaceResult, RetentionPolicy, Store, TopRow,
  WriterStatus,
} from './types.ts';
export type { AuditQuery, AuthStore, NewUser, SessionRecord, TokenRecord, UserRecord } from './auth.ts';
export type { PolicyStore } from './policy.ts';
export type { IncidentChange, IncidentQuery, IncidentStore, IncidentSummary } from './incidents.ts';
export type {
  BeaconRow, DnsTunnelRow, EventAnalytics, FanInHost, FanInQuery, FanInRow, HalfOpenRow, HostRef, HttpDownloadRow, LongConnectionRow,
  NameFanInRow, PairKey, PortProfileRow, StrobeRow, TimeWindow,
} from './analytics.ts';
export { DOWNLOAD_EXTENSIONS, EXECUTABLE_TYPES, HALF_OPEN_STATES } from './analytics.ts';
export { BatchBuilder, transferList, type EventBatch } from './events/batch.ts';
export type { WriterLog } from './events/writer.ts';

export interface OpenOptions {
  /** Run the event writer on a thread of its own (`serve`); one-shot commands write on theirs. */
  eventWriter?: 'worker' | 'thread';
  log?: WriterLog;
}

export function openStore(config: Pick<Config, 'dataDir' | 'store'>, opts: OpenOptions = {}): Promise<Store> {
  switch (config.store.kind) {
    case 'embedded':
      return openDuckDbStore({ dataDir: config.dataDir, memoryLimit: config.store.memoryLimit, ...opts });
  }
}

/** A throw-away in-memory store (tests, `analyze`). */
export function openMemoryStore(): Promise<Store> {
  return openDuckDbStore({ dataDir: ':memory:', memoryLimit: '256MB' });
}

/** Restores a backup into a stopped data directory (the current files are moved aside, not deleted). */
export function restoreStore(config: Pick<Config, 'dataDir' | 'store'>, backupDir: string): Promise<{ manifest: BackupManifest; movedTo: string | null }> {
  switch (config.store.kind) {
    case 'embedded':
      return restoreDuckDbStore(config.dataDir, backupDir, config.store.memoryLimit);
  }
}
