/**
 * The store's interfaces: the only way the rest of Minewarden reaches persistent data.
 * Today's implementation is embedded DuckDB; PostgreSQL (state) + ClickHouse (events) will
 * implement the same interfaces, and one contract test suite runs against every backend.
 */
import type { AllowEntry, FeedStatus, IndicatorCore, IndicatorStatus, IndicatorType, StoredIndicator } from '../model/indicator.ts';
import type { Unit } from '../model/org.ts';

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
  close(): Promise<void>;
}
