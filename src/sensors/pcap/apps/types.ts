/** What the app parsers hand back to the reader. */
import type { DnsEvent, HttpEvent, TlsEvent } from '../../../model/events.ts';

export interface FiveTuple {
  proto: number;
  /** The initiator. */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

/** One newline-delimited JSON-RPC message (Stratum, XMRig, Ethereum stratum) as sent. */
export interface PayloadMessage {
  /** ms since the epoch (capture time of the segment that completed the line). */
  ts: number;
  flow: FiveTuple;
  /** Sent by the connection's initiator. */
  fromClient: boolean;
  text: string;
}

/** An HTTP request/response pair with what the event has no field for. */
export interface PcapHttp {
  event: HttpEvent;
  flow: FiveTuple;
  /** The first bytes (≤ 16) of the response body, after chunked decoding: MZ, \x7fELF, … */
  bodyHead: Uint8Array;
  /** True when the body length is the Content-Length header; false = the bytes seen. */
  sizeFromHeader: boolean;
}

export interface AppSink {
  dns(ev: DnsEvent): void;
  http(h: PcapHttp): void;
  tls(ev: TlsEvent): void;
  payload(m: PayloadMessage): void;
  /** A payload the parser gave up on as malformed (counted in SensorHealth). */
  bad(reason: string, sample: Uint8Array): void;
}

/** Context the parsers need to fill event fields. */
export interface AppContext {
  site: string;
  sensor: string;
}
