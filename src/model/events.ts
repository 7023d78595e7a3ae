/**
 * Events: everything Minewarden sees (a DNS query, a flow, an HTTP request, a TLS hello, a
 * connection to the sinkhole, an alert). Plain types, no logic (see ARCHITECTURE.md, layer `model`).
 *
 * Every event lands on a host — the internal address it belongs to (`client`) within a site — and
 * on the unit that address maps to. Times are milliseconds since the Unix epoch.
 */

export const EVENT_KINDS = ['dns', 'flow', 'http', 'tls', 'sinkhole', 'alert'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * What happened to a DNS query. Stored as the index in this list: append new outcomes at the end,
 * never reorder or remove one.
 */
export const DNS_OUTCOMES = [
  'resolved', // answered from an upstream
  'cached', // answered from the cache
  'blocked', // a policy or indicator blocked it
  'monitored', // matched, answered anyway (policy says monitor)
  'allowed', // matched, answered because an allow list or policy says so
  'refused', // access control
  'ratelimited',
  'servfail', // no upstream could answer
  'stale', // served stale (RFC 8767) because upstreams failed
  'invalid', // malformed query
  'forwarded', // a site forwarder passed it on to the gateway
] as const;
export type DnsOutcome = (typeof DNS_OUTCOMES)[number];

/** Alert severities, lowest first; stored as the index. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Fields every event has. */
export interface EventBase {
  /** Milliseconds since the epoch (start time for flows). */
  ts: number;
  /** The internal address the event belongs to: the DNS client, a flow's internal side. */
  client: string;
  /** Site key of the sensor or forwarder that saw it ('' when there is one site). */
  site?: string;
  /** Unit id. Filled at ingest from the address (longest prefix); null when no unit claims it. */
  unit?: string | null;
}

export interface DnsEvent extends EventBase {
  kind: 'dns';
  /** The address the query arrived from when it differs from the client (a site forwarder, a NAT). */
  via?: string | null;
  /** Query name, lower case, no trailing dot. */
  name: string;
  /** Query type as its number (1 = A, 28 = AAAA, …). */
  qtype: number;
  /** Response code as its number (0 = NOERROR, 3 = NXDOMAIN, …). */
  rcode: number;
  outcome: DnsOutcome;
  /** Why: the policy or list that decided, in words (`indicator`, `unit-deny-list`, …). */
  reason?: string | null;
  /** The indicator value that matched (the name, a parent domain, a CNAME target or an address). */
  indicator?: string | null;
  category?: string | null;
  /** Microseconds from query to answer. */
  latencyUs: number;
  /**
   * Addresses in the answer (A/AAAA), when the sensor saw them. Not stored: detectors read it as
   * the event passes, to name the destination of the host's next flow.
   */
  answers?: string[] | null;
}

export interface FlowEvent extends EventBase {
  kind: 'flow';
  /** End time, ms. */
  end: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, …). */
  proto: number;
  /** Bytes and packets from src to dst (out) and back (in). */
  bytesOut: number;
  pktsOut: number;
  bytesIn: number;
  pktsIn: number;
  /** TCP state as the sensor says it: Zeek's conn_state (S0, SF, REJ…) or the flags seen (e.g. "S", "SAF"). */
  tcpState?: string | null;
  /** Which sensor reported it (exporter address, Zeek or Suricata host, pcap file). */
  sensor: string;
}

export interface HttpEvent extends EventBase {
  kind: 'http';
  server: string;
  serverPort: number;
  method: string;
  /** Host header. */
  host: string;
  /** Request target as sent (path and query, or an absolute URL through a proxy). */
  url: string;
  /** Response status; 0 when no response was seen. */
  status: number;
  userAgent?: string | null;
  /** Response content type. */
  contentType?: string | null;
  /** Response body size in bytes. */
  size: number;
  sensor: string;
}

export interface TlsEvent extends EventBase {
  kind: 'tls';
  server: string;
  serverPort: number;
  sni?: string | null;
  ja3?: string | null;
  ja4?: string | null;
  /** Protocol version as written (TLSv1.3, TLSv12, …). */
  version?: string | null;
  subject?: string | null;
  issuer?: string | null;
  sensor: string;
}

export interface SinkholeEvent extends EventBase {
  kind: 'sinkhole';
  /** Local port the client connected to. */
  port: number;
  /** tcp or udp. */
  proto: string;
  /** The blocked name the client was sent here for (from SNI, Host, or the DNS answer it got). */
  name?: string | null;
  /** What the client said first: a protocol summary or the first bytes, printable. */
  said?: string | null;
}

export interface AlertEvent extends EventBase {
  kind: 'alert';
  /** Detector id (`intel-match`, `stratum`, `fan-in`, a Suricata signature id, …). */
  detector: string;
  severity: Severity;
  title: string;
  indicator?: string | null;
  /** Evidence as a JSON-serialisable record (the detector decides its shape). */
  evidence: Record<string, unknown>;
}

export type MinewardenEvent = DnsEvent | FlowEvent | HttpEvent | TlsEvent | SinkholeEvent | AlertEvent;

/** An event read back from the store: the host it landed on is named. */
export type StoredEvent = MinewardenEvent & { hostId: number; site: string; unit: string | null };

/** A host: one internal address within one site, discovered from events. */
export interface Host {
  id: number;
  site: string;
  address: string;
  unit: string | null;
  firstSeen: number;
  lastSeen: number;
  /** Names learned for it (DHCP, reverse DNS, Zeek), newest first, with where each came from. */
  names: HostName[];
}

export interface HostName {
  name: string;
  /** dhcp, dns, zeek, netbios, … */
  source: string;
  ts: number;
}
