/**
 * Threat-intelligence indicator: plain types, no logic (see ARCHITECTURE.md, layer `model`).
 */

export const INDICATOR_TYPES = ['domain', 'ip', 'cidr', 'url', 'ip:port', 'md5', 'sha1', 'sha256'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/**
 * Categories are an open set (feeds bring their own words), but these are the ones
 * the product knows and maps feed vocabularies onto.
 */
export const KNOWN_CATEGORIES = [
  'mining-pool',
  'mining-proxy',
  'cryptojacking-script',
  'miner-malware',
  'botnet-c2',
  'malware-delivery',
  'phishing',
  'dyndns',
  'malware',
  'suspicious',
] as const;
export type KnownCategory = (typeof KNOWN_CATEGORIES)[number];
export type Category = KnownCategory | (string & {});

/**
 * What a feed parser produces: the value as written in the feed (not yet normalised)
 * plus whatever metadata the format carries. The intel engine normalises, fills
 * defaults from the feed definition and guards it before it becomes an Indicator.
 */
export interface RawIndicator {
  /** The type when the format says it; otherwise the engine infers it from the value. */
  type?: IndicatorType;
  value: string;
  category?: Category;
  family?: string;
  confidence?: number;
  /** Seconds since the Unix epoch, as the source reports them. */
  firstSeen?: number;
  lastSeen?: number;
  validUntil?: number;
  tags?: string[];
  /** Free text the source attaches (threat name, reference URL, …). */
  reference?: string;
  /** Only for formats with a notion of "informational only" (MISP to_ids=false, RPZ passthru). */
  blocking?: boolean;
  /** 1-based line (or record) number in the source, for error reports. */
  line?: number;
}

export interface Indicator {
  type: IndicatorType;
  /** Normalised value: lower case, IDNA punycode, no trailing dot, canonical IP. */
  value: string;
  category: Category;
  family: string;
  source: string;
  /** 0–100. */
  confidence: number;
  /** Seconds since the Unix epoch. firstSeen is when the source (or we) first saw it. */
  firstSeen: number;
  lastSeen: number;
  /** Seconds since the Unix epoch; 0 = no hard expiry. */
  validUntil: number;
  tags: string[];
  reference: string;
}

/** The fields every view of an indicator carries (matcher entry, scan row, hit). */
export interface IndicatorCore {
  type: IndicatorType;
  /** Normalised value. */
  value: string;
  category: string;
  family: string;
  source: string;
  /** 0–100. */
  confidence: number;
}

/** Where an indicator stands in its life. */
export type IndicatorStatus = 'active' | 'held' | 'released';

export interface StoredIndicator extends Indicator {
  status: IndicatorStatus;
  /** Why it is held for review ('' when active). */
  holdReason: string;
}

export type FeedFormat =
  | 'auto'
  | 'plain'
  | 'hosts'
  | 'adblock'
  | 'rpz'
  | 'csv'
  | 'threatfox-json'
  | 'misp'
  | 'stix'
  | 'otx'
  | 'maltrail';

export interface FeedStatus {
  name: string;
  source: string;
  format: FeedFormat;
  entries: number;
  rejectedLines: number;
  heldForReview: number;
  lastAttempt: number;
  lastSuccess: number;
  lastError: string;
  /** HTTP validators for conditional GET. */
  etag: string;
  lastModified: string;
}

export interface AllowEntry {
  type: IndicatorType;
  value: string;
  comment: string;
  addedAt: number;
}

/** A feed or stored source as the console lists it: its schedule, what it holds, its last refresh. */
export interface FeedView {
  name: string;
  url: string;
  format: string;
  category: string | null;
  refreshSeconds: number;
  /** Indicators the source holds now (any status). */
  indicators: number;
  status: FeedStatus | null;
}
