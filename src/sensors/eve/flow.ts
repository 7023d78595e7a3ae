/**
 * EVE `flow` records → FlowEvent. Both readers of a flow line — JSON.parse (flowFieldsFromJson)
 * and the scanning fast path (fast.ts) — produce the same FlowFields, and one function
 * (buildFlow) turns them into the event, so the two paths cannot drift apart in the mapping.
 */
import type { FlowEvent } from '../../model/events.ts';
import { parseSuricataTime, protoNumber, tcpFlagLetters } from './codes.ts';

/**
 * What a flow line says (before any unit conversion). Absent = undefined. The three times are
 * already read (ms, NaN when not a Suricata time): the fast path reads them in place.
 */
export interface FlowFields {
  timestamp?: number | undefined;
  host?: string | undefined;
  src_ip: string;
  src_port?: number | undefined;
  dest_ip: string;
  dest_port?: number | undefined;
  proto: string;
  start?: number | undefined;
  end?: number | undefined;
  bytes_toserver?: number | undefined;
  bytes_toclient?: number | undefined;
  pkts_toserver?: number | undefined;
  pkts_toclient?: number | undefined;
  tcp_flags?: string | undefined;
  tcp_state?: string | undefined;
}

/** What the mapper needs from its caller. */
export interface EveContext {
  /** Decides a flow's client (the internal side). */
  isInternal: (ip: string) => boolean;
  /** Sensor name used when a record has no `host` field: the file or socket it came from. */
  source: string;
  site?: string | undefined;
}

type Obj = Record<string, unknown>;

/** A parsed EVE flow record → FlowFields, or the reason it is unusable. */
export function flowFieldsFromJson(o: Obj): FlowFields | string {
  const flow = o.flow;
  if (!isObj(flow)) return 'flow: no flow object';
  const tcp = isObj(o.tcp) ? o.tcp : undefined;
  const f: FlowFields = {
    timestamp: time(o.timestamp),
    host: str(o.host),
    src_ip: typeof o.src_ip === 'string' ? o.src_ip : '',
    src_port: count(o.src_port),
    dest_ip: typeof o.dest_ip === 'string' ? o.dest_ip : '',
    dest_port: count(o.dest_port),
    proto: typeof o.proto === 'string' ? o.proto : typeof o.proto === 'number' ? String(o.proto) : '',
    start: time(flow.start),
    end: time(flow.end),
    bytes_toserver: count(flow.bytes_toserver),
    bytes_toclient: count(flow.bytes_toclient),
    pkts_toserver: count(flow.pkts_toserver),
    pkts_toclient: count(flow.pkts_toclient),
    tcp_flags: tcp ? str(tcp.tcp_flags) : undefined,
    tcp_state: tcp ? str(tcp.state) : undefined,
  };
  // A field present with the wrong type is a malformed record, not an absent field.
  for (const [v, k] of [[o.src_port, 'src_port'], [o.dest_port, 'dest_port'], [flow.bytes_toserver, 'bytes_toserver'], [flow.bytes_toclient, 'bytes_toclient'], [flow.pkts_toserver, 'pkts_toserver'], [flow.pkts_toclient, 'pkts_toclient']] as const) {
    if (v !== undefined && count(v) === undefined) return `flow: bad ${k}`;
  }
  return f;
}

/** FlowFields → FlowEvent, or the reason it cannot be one. */
export function buildFlow(f: FlowFields, ctx: EveContext): FlowEvent | string {
  if (f.src_ip === '' || f.dest_ip === '') return 'flow: no src_ip/dest_ip';
  const proto = protoNumber(f.proto);
  if (proto < 0) return `flow: unknown proto`;
  const srcPort = f.src_port ?? 0;
  const dstPort = f.dest_port ?? 0;
  if (srcPort > 65535 || dstPort > 65535) return 'flow: port out of range';
  // flow.start is when the flow began; the record's own timestamp is when it was logged (its end).
  // A present but bad time is NaN, not undefined, so `??` does not fall through past it.
  const ts = f.start ?? f.timestamp ?? NaN;
  if (Number.isNaN(ts)) return 'flow: bad or missing start/timestamp';
  const endParsed = f.end ?? f.timestamp ?? ts;
  if (Number.isNaN(endParsed)) return 'flow: bad end';
  let tcpState: string | null = null;
  if (f.tcp_flags !== undefined) {
    // tcp_flags is the OR of every flag seen, as hex (Suricata output-json-flow.c).
    const bits = hexByte(f.tcp_flags);
    if (Number.isNaN(bits)) return 'flow: bad tcp_flags';
    tcpState = tcpFlagLetters(bits);
  } else if (f.tcp_state !== undefined) tcpState = f.tcp_state;
  const ev: FlowEvent = {
    kind: 'flow',
    ts,
    end: Math.max(ts, endParsed),
    client: clientOf(f.src_ip, f.dest_ip, ctx.isInternal),
    src: f.src_ip,
    srcPort,
    dst: f.dest_ip,
    dstPort,
    proto,
    // Suricata's src is the side that opened the flow, so "to server" is src → dst.
    bytesOut: f.bytes_toserver ?? 0,
    pktsOut: f.pkts_toserver ?? 0,
    bytesIn: f.bytes_toclient ?? 0,
    pktsIn: f.pkts_toclient ?? 0,
    tcpState,
    sensor: f.host === undefined ? sensorName(ctx) : `suricata:${f.host}`,
  };
  if (ctx.site !== undefined) ev.site = ctx.site;
  return ev;
}

/** `suricata:<source>`, made once per context rather than per flow. */
const SENSOR = new WeakMap<EveContext, string>();
function sensorName(ctx: EveContext): string {
  let s = SENSOR.get(ctx);
  if (s === undefined) SENSOR.set(ctx, (s = `suricata:${ctx.source}`));
  return s;
}

/** One or two hex digits → 0..255, else NaN. */
function hexByte(s: string): number {
  if (s.length === 0 || s.length > 2) return NaN;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/** The internal side; the source (initiator) when both or neither are internal. */
export function clientOf(src: string, dst: string, isInternal: (ip: string) => boolean): string {
  return isInternal(src) || !isInternal(dst) ? src : dst;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Suricata time string → ms (NaN when malformed); undefined when not a string. */
function time(v: unknown): number | undefined {
  return typeof v === 'string' ? parseSuricataTime(v) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative safe integer, else undefined. */
export function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
