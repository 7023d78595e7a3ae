/**
 * Windowed analytics over the event store: the aggregations the behavioural detectors (fan-in,
 * beaconing, long connections, strobes, half-open scans, DNS tunnels, rare downloads) start from.
 * They run inside the store (SQL on DuckDB now, on ClickHouse at scale), so a detector holds only
 * the rows it is given, never the events themselves.
 *
 * Every method takes a window [from, to) in ms on the event's start time `ts` (detectors step
 * window by window, so each event is seen once), validates nothing beyond numbers, and returns
 * plain rows (they cross a thread as structured clones). Hosts are named as events name them:
 * internal address + site, with the host's current unit.
 */

export interface TimeWindow {
  /** ms, inclusive. */
  from: number;
  /** ms, exclusive. */
  to: number;
}

/** An internal host. */
export interface HostRef {
  client: string;
  site: string;
  unit: string | null;
}

export interface FanInQuery extends TimeWindow {
  /** Distinct internal hosts in the window needed to report a destination. */
  minHosts: number;
  /** How far before `from` the rarity rule looks. */
  lookbackMs: number;
  /** A destination seen from more hosts than this in [from − lookbackMs, from) is not rare: skipped. */
  maxPriorHosts: number;
  /** Destinations never reported (exact addresses for fanIn, names and their subdomains for fanInNames). */
  exclude?: readonly string[];
  /** At most this many rows, most hosts first (default 1,000). */
  limit?: number;
}

export interface FanInHost extends HostRef {
  first: number;
  last: number;
  /** Flows (fanIn) or queries (fanInNames) of this host in the window. */
  count: number;
}

export interface FanInRow {
  dst: string;
  /** Sorted by client, then site. */
  hosts: FanInHost[];
  /** Destination ports seen in the window, ascending. */
  ports: number[];
  /** Distinct hosts in the lookback (≤ maxPriorHosts). */
  priorHosts: number;
  /** Earliest flow to dst since from − lookbackMs: the store looks no further back. */
  firstSeen: number;
  flows: number;
}

export interface NameFanInRow {
  name: string;
  hosts: FanInHost[];
  priorHosts: number;
  /** Earliest query of the name since from − lookbackMs. */
  firstSeen: number;
  queries: number;
}

export interface PortProfileRow {
  dstPort: number;
  hosts: number;
  flows: number;
  bytesOut: number;
  bytesIn: number;
  pktsOut: number;
  pktsIn: number;
  /** tcp_state as stored → flows; flows without a state (UDP, ICMP) are not counted here. */
  states: Record<string, number>;
  /** Flows counted as half-open by the halfOpen rule. */
  halfOpen: number;
  first: number;
  last: number;
}

/** One internal host talking to one destination port. */
export interface PairKey extends HostRef {
  dst: string;
  dstPort: number;
}

export interface HalfOpenRow extends PairKey {
  /** TCP flows that never completed a handshake (see HALF_OPEN_STATES). */
  halfOpen: number;
  /** Every TCP flow of the pair. */
  attempts: number;
  first: number;
  last: number;
}

export interface BeaconRow extends PairKey {
  connections: number;
  /** Start times, ascending, and the bytes out of each, in the same order. */
  ts: number[];
  bytesOut: number[];
}

export interface LongConnectionRow extends PairKey {
  flows: number;
  /** Sum of ts_end − ts over the pair's long flows, and the longest. */
  durationMs: number;
  maxDurationMs: number;
  bytesOut: number;
  bytesIn: number;
  pktsOut: number;
  pktsIn: number;
}

export interface StrobeRow extends HostRef {
  dst: string;
  ports: number;
  flows: number;
  first: number;
  last: number;
}

export interface DnsTunnelRow extends HostRef {
  /** The name without its first label; it keeps at least two labels (a TLD is never a parent). */
  parent: string;
  uniqueLabels: number;
  avgLabelLength: number;
  maxLabelLength: number;
  queries: number;
}

export interface HttpDownloadRow extends HostRef {
  ts: number;
  server: string;
  serverPort: number;
  method: string;
  host: string;
  url: string;
  status: number;
  contentType: string | null;
  userAgent: string | null;
  size: number;
  /** The Host header is an IP literal (or missing): the client named no host. */
  bareIp: boolean;
  /** Distinct internal hosts with any HTTP request to this server in the window. */
  serverHosts: number;
}

/**
 * Zeek conn_state values and flag letters (`S` only SYN, `SR` SYN then RST) that mean the
 * responder never completed the handshake. A TCP flow is half-open when its state is one of
 * these, or when it has no state and no packet came back (pkts_in = 0). UDP and ICMP never are.
 */
export const HALF_OPEN_STATES = ['S0', 'REJ', 'RSTOS0', 'SH', 'S', 'SR'] as const;

/** URL path endings and response content types that make an HTTP response a program. */
export const DOWNLOAD_EXTENSIONS = ['exe', 'dll', 'scr', 'msi', 'ps1', 'sh', 'elf', 'bin'] as const;
export const EXECUTABLE_TYPES = [
  'application/x-dosexec', 'application/x-msdownload', 'application/x-executable', 'application/x-elf', 'application/x-sh',
] as const;

export interface EventAnalytics {
  /** External destinations many internal hosts started talking to in the window, that few did before. */
  fanIn(q: FanInQuery): Promise<FanInRow[]>;
  /** The same rule on DNS names queried (any outcome). */
  fanInNames(q: FanInQuery): Promise<NameFanInRow[]>;
  /** One destination's flows per destination port: the controller's profile. */
  portProfile(q: TimeWindow & { dst: string }): Promise<PortProfileRow[]>;
  /** Pairs with at least minAttempts half-open TCP flows. */
  halfOpen(q: TimeWindow & { minAttempts: number; limit?: number }): Promise<HalfOpenRow[]>;
  /** Pairs with at least minConnections flows, most first, with their start times for scoring. */
  beaconCandidates(q: TimeWindow & { minConnections: number; limit: number }): Promise<BeaconRow[]>;
  /** Pairs with flows lasting at least minDurationMs, longest total first. */
  longConnections(q: TimeWindow & { minDurationMs: number; limit?: number }): Promise<LongConnectionRow[]>;
  /** (host, destination) pairs reaching at least minPorts distinct ports. */
  strobes(q: TimeWindow & { minPorts: number; limit?: number }): Promise<StrobeRow[]>;
  /** (host, parent domain) pairs with at least minUnique distinct first labels. */
  dnsTunnelCandidates(q: TimeWindow & { minUnique: number; limit?: number }): Promise<DnsTunnelRow[]>;
  /** HTTP responses that were programs (by URL path or content type), oldest first. */
  rareHttpDownloads(q: TimeWindow & { limit?: number }): Promise<HttpDownloadRow[]>;
}

/** Method names, for the worker protocol. */
export const ANALYTICS_METHODS = [
  'fanIn', 'fanInNames', 'portProfile', 'halfOpen', 'beaconCandidates', 'longConnections', 'strobes', 'dnsTunnelCandidates',
  'rareHttpDownloads',
] as const satisfies ReadonlyArray<keyof EventAnalytics>;
