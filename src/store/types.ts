/**
 * The store's interfaces: the only way the rest of Minewarden reaches persistent data.
 * Today's implementation is embedded DuckDB; PostgreSQL (state) + ClickHouse (events) will
 * implement the same interfaces, and one contract test suite runs against every backend.
 */
import type { AllowEntry, FeedStatus, IndicatorCore, IndicatorStatus, IndicatorType, StoredIndicator } from '../model/indicator.ts';
import type { Unit } from '../model/org.ts';
import type { DnsOutcome, EventKind, Host, StoredEvent } from '../model/events.ts';
import type { EventAnalytics } from './analytics.ts';
import type { EventBatch } from './events/batch.ts';
import type { IncidentStore } from './incidents.ts';
import type { AuthStore } from './auth.ts';
import type { PolicyStore } from './policy.ts';

/** What the matcher needs of an indicator: no tags or reference, so scanning a million stays light. */
export interface MatchableIndicator extends IndicatorCore {
  lastSeen: number;
  validUntil: number;
}

export interface ReplaceResult {
  /** Rows now stored for the source. */
  total: number;
  /** Values that were not there before. */
  added: number;
  /** Values that were there and are gone. */
  removed: number;
  /** Rows stored with status held. */
  held: number;
}

export interface IndicatorQuery {
  source?: string;
  status?: IndicatorStatus;
  type?: IndicatorType;
  /** Substring of the value. */
  contains?: string;
  limit?: number;
  offset?: number;
}

export interface IntelStats {
  total: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
}

export interface IntelStore {
  /**
   * Replaces everything a source holds with `indicators` in one transaction. For values that were
   * already there, firstSeen is kept, lastSeen is kept unless the source reports a newer one
   * (so re-listing an unchanged indicator does not reset its decay), and a released value stays
   * released. Values must be unique per (type, value) within the call.
   */
  replaceSource(source: string, indicators: Iterable<StoredIndicator>, now: number): Promise<ReplaceResult>;
  /** Removes a source and all its indicators. */
  deleteSource(source: string): Promise<number>;
  /** Active and released indicators, not past validUntil at `now`, in batches. */
  scanMatchable(now: number, batchSize?: number): AsyncIterable<MatchableIndicator[]>;
  /** All stored records of one value, from every source, whatever their status. */
  findByValue(type: IndicatorType, value: string): Promise<StoredIndicator[]>;
  query(q: IndicatorQuery): Promise<StoredIndicator[]>;
  /** Marks every held record of the value as released; returns how many changed. */
  release(type: IndicatorType, value: string): Promise<number>;
  /** Values released by a person: the guard does not hold them again. */
  releasedValues(): Promise<Array<{ type: IndicatorType; value: string }>>;
  stats(): Promise<IntelStats>;
  /** A number that changes whenever the matchable set may have changed (bumped by every write). */
  revision(): Promise<number>;

  getFeedStatus(name: string): Promise<FeedStatus | null>;
  putFeedStatus(status: FeedStatus): Promise<void>;
  listFeedStatus(): Promise<FeedStatus[]>;

  listAllow(): Promise<AllowEntry[]>;
  addAllow(entry: AllowEntry): Promise<void>;
  removeAllow(type: IndicatorType, value: string): Promise<boolean>;
}

/**
 * The organisation units. The store keeps what it is given, in order, without validating it:
 * `src/org` validates a whole tree before it calls replaceUnits.
 */
export interface OrgStore {
  /** Every unit, in the order of the last replaceUnits. */
  listUnits(): Promise<Unit[]>;
  /** Replaces every unit in one transaction: on failure the previous set stays whole. */
  replaceUnits(units: readonly Unit[]): Promise<void>;
  /** Changes whenever replaceUnits changed the stored set, and only then. */
  revision(): Promise<number>;
}

export interface Store {
  readonly kind: string;
  readonly intel: IntelStore;
  readonly org: OrgStore;
  readonly events: EventStore;
  readonly incidents: IncidentStore;
  /** Users, sessions, API tokens, role settings and the audit log. */
  readonly auth: AuthStore;
  /** Versioned DNS policies, unit groups and the gateways applying them. */
  readonly policy: PolicyStore;
  /** A consistent copy of everything (state and events) while running, into a new directory `dir`. */
  backup(dir: string): Promise<BackupManifest>;
  close(): Promise<void>;
}

/** Filters shared by event queries, counts and top lists. Times are ms; `to` is exclusive. */
export interface EventFilter {
  kind: EventKind;
  from?: number;
  to?: number;
  /** Unit ids (the caller expands a subtree into its ids). */
  units?: readonly string[];
  /** One host, by id, or by address (+ site, default ''). */
  hostId?: number;
  client?: string;
  site?: string;
  /** dns only. */
  outcomes?: readonly DnsOutcome[];
  /** dns, alert: exact category (dns) or detector (alert). */
  category?: string;
  detector?: string;
  /** The name, or any name under it: dns name, http host, tls sni, sinkhole name. */
  nameSuffix?: string;
}

export interface EventQuery extends EventFilter {
  /** Newest first unless 'asc'. */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export type Bucket = 'minute' | 'hour' | 'day';
/** What a count or top list can be grouped by. */
export type EventGroup = 'unit' | 'outcome' | 'category' | 'name' | 'host' | 'indicator' | 'dst' | 'detector';

export interface CountRow {
  /** Bucket start, ms. */
  t: number;
  /** The group's value, or null when the count is not grouped (or the value is empty). */
  key: string | null;
  count: number;
}

export interface TopRow {
  key: string;
  count: number;
  /** dns: how many of them were blocked. */
  blocked: number;
}

export interface HostQuery {
  units?: readonly string[];
  /** One host by id. */
  hostId?: number;
  /** Substring of the address or a learned name. */
  search?: string;
  /** Seen at or after (ms). */
  since?: number;
  limit?: number;
  offset?: number;
}

export interface HostNameNote {
  client: string;
  site?: string;
  name: string;
  source: string;
  ts: number;
}

export interface KindStats {
  rows: number;
  oldest: number | null;
  newest: number | null;
}

export interface EventStats {
  kinds: Record<EventKind, KindStats>;
  hosts: number;
  rollupRows: number;
  /** Bytes on disk of the events database files (0 in memory). */
  bytes: number;
  /**
   * Bytes in use: the database's used blocks plus its WAL. Lower than `bytes` after deletes and
   * compaction — freed blocks stay in the file and are reused by new events before it grows.
   */
  usedBytes: number;
  /** usedBytes per stored event, over every kind (roll-ups and hosts included). */
  bytesPerEvent: number | null;
}

/** Days to keep, per event kind, plus the roll-ups. */
export type RetentionPolicy = Record<EventKind | 'rollups', number>;

/** What the writer has done since it started. */
export interface WriterStatus {
  /** Events handed to write(). */
  accepted: number;
  /** Events written to the store. */
  written: number;
  /** Events waiting: queued, in the writer, or in the spool. */
  pending: number;
  /** Events that went to the spool because the store could not write; they are retried. */
  spooled: number;
  /** Events in the spool right now. */
  spoolPending: number;
  /** Events lost: the spool itself could not be written (the log says why). */
  dropped: number;
  /** Failed attempts to write a batch to the store. */
  failures: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

/**
 * Events and the hosts discovered from them. `write` never waits for I/O: batches go to one
 * writer (a worker thread in the embedded store), which appends them in order; a batch the store
 * cannot take is spooled to disk and retried, never dropped silently. The detectors' windowed
 * aggregations (./analytics.ts) run inside the store, so no detector holds the events themselves.
 */
export interface EventStore extends EventAnalytics {
  /** Hands a batch to the writer. Returns false when the writer is behind (the caller may slow down). */
  write(batch: EventBatch): boolean;
  /** Learned host names (DHCP, reverse DNS, Zeek). */
  noteHostNames(notes: readonly HostNameNote[]): void;
  /** Resolves when everything handed over so far is written or spooled. */
  flush(): Promise<void>;
  status(): WriterStatus;

  query(q: EventQuery): Promise<StoredEvent[]>;
  /** Counts per time bucket, optionally per group. Served from roll-ups when the filter allows. */
  counts(f: EventFilter, bucket: Bucket, by?: EventGroup): Promise<CountRow[]>;
  top(f: EventFilter, by: EventGroup, n: number): Promise<TopRow[]>;

  hosts(q: HostQuery): Promise<Host[]>;
  findHost(client: string, site?: string): Promise<Host | null>;

  /** Deletes events older than the policy allows; returns rows deleted per kind. */
  applyRetention(now: number, policy: RetentionPolicy): Promise<Record<string, number>>;
  /**
   * Rewrites closed days (before the day of `now`) in host order, so that one host's events are
   * read without scanning the others'. Appends and queries go on meanwhile.
   */
  compact(now: number): Promise<{ days: number; rows: number }>;
  /** Recomputes the roll-ups of every hour that received events since the last call. */
  rollup(): Promise<{ hours: number; days: number }>;
  stats(): Promise<EventStats>;
  /**
   * A consistent copy of the events database, written while it runs, into `dir`; returns what
   * the copy holds (counted in the same snapshot as the copy, so writes meanwhile do not count).
   */
  backup(dir: string): Promise<Pick<BackupManifest, 'events' | 'hosts'>>;
  close(): Promise<void>;
}

export interface BackupManifest {
  format: 'minewarden-backup';
  version: 1;
  createdAt: number;
  /** Events per kind in the copy. */
  events: Record<string, number>;
  hosts: number;
}
