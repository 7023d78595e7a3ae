/**
 * Detectors as declarations (../../shared/STYLE.md): a detector is data — id, what it reads,
 * whether it runs on the event stream or on a schedule over a window of the store, parameters
 * with defaults — and one runtime (runtime.ts) feeds and schedules them all. Windowed detectors
 * are queries on the store (EventAnalytics), so they run on ClickHouse at scale instead of
 * holding unbounded state in memory.
 */
import type { Alert } from '../model/detect.ts';
import type { EventKind, MinewardenEvent } from '../model/events.ts';
import type { EventStore } from '../store/index.ts';

/** An indicator that matched, as detectors need it. */
export interface ThreatHit {
  value: string;
  category: string;
  family: string;
  source: string;
  confidence: number;
}

/** The intelligence, as detectors ask it (adapters.ts adapts the engine). */
export interface ThreatView {
  domain(name: string): ThreatHit | null;
  ip(address: string): ThreatHit | null;
  ipPort(address: string, port: number): ThreatHit | null;
  url(url: string): ThreatHit | null;
  hash(hash: string): ThreatHit | null;
}

/** A JSON-RPC line seen in a TCP payload (pcap reader), for the mining-protocol detector. */
export interface PayloadLine {
  ts: number;
  flow: { proto: number; src: string; srcPort: number; dst: string; dstPort: number };
  fromClient: boolean;
  text: string;
}

/** A file seen in HTTP (Zeek files.log, Suricata fileinfo, pcap body head). */
export interface FileLine {
  ts: number;
  client: string;
  site: string;
  server: string | null;
  host: string | null;
  url: string | null;
  mime: string | null;
  /** First bytes of the body when known (magic numbers). */
  head: Uint8Array | null;
  sha256: string | null;
  md5: string | null;
}

export interface DetectorContext {
  intel: ThreatView;
  /** Reports an alert (to the incidents and the event log). */
  emit(alert: Alert): void;
  /** Names the host resolved to this address recently (DNS events seen), newest first. */
  namesFor(client: string, address: string): string[];
  /** Unit of an address (site-aware), for alerts built from payloads and files. */
  unitOf(client: string, site: string): string | null;
  /** Ours (private ranges, unit networks): never a controller. */
  isInternal(address: string): boolean;
}

export interface ParamSpec {
  default: number;
  help: string;
}

interface DeclarationBase {
  id: string;
  title: string;
  /** Parameters and their defaults (overridden by config detect.params[id]). */
  params: Record<string, ParamSpec>;
}

export interface StreamDetector extends DeclarationBase {
  mode: 'stream';
  inputs: ReadonlyArray<EventKind | 'payload' | 'file'>;
  /** One instance per runtime (it may keep small bounded state). */
  create(params: Record<string, number>, ctx: DetectorContext): StreamInstance;
}

export interface StreamInstance {
  event?(ev: MinewardenEvent): void;
  payload?(line: PayloadLine): void;
  file?(f: FileLine): void;
  /** End of input (analyze) or shutdown: report what is pending. */
  flush?(): void;
}

export interface WindowDetector extends DeclarationBase {
  mode: 'window';
  /** Seconds between runs in `serve`, and the window each run looks at. */
  every: number;
  window: number;
  run(w: { from: number; to: number }, params: Record<string, number>, ctx: WindowContext): Promise<void>;
}

export type Detector = StreamDetector | WindowDetector;

/** A windowed detector's context: the store's analytics beside the stream context. */
export interface WindowContext extends DetectorContext {
  store: EventStore;
}
