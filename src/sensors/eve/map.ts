/**
 * One EVE JSON line → events, by `event_type` (Suricata "EVE JSON Output"). Pure: what comes out
 * goes to an EveSink, so the sensor, tests and the benchmark each decide what to do with it.
 * Flow lines may try the scanning fast path first (ctx.fast, fast.ts), falling back to JSON.parse.
 */
import type { MinewardenEvent } from '../../model/events.ts';
import { mapAlert, mapDns, mapFileinfo, mapHttp, mapTls, common, type DnsFrom, type FileSeen } from './apps.ts';
import { fastFlowBytes } from './fast.ts';
import { buildFlow, flowFieldsFromJson, isObj, type EveContext, type FlowFields } from './flow.ts';

export interface EveSink {
  event(ev: MinewardenEvent): void;
  file(f: FileSeen): void;
  /** A well-formed record of a type we do not turn into events (stats, anomaly, netflow, …). */
  skip(eventType: string): void;
  bad(reason: string, line: string): void;
}

export interface EveMapContext extends EveContext {
  /** Default 'response'. */
  dnsFrom?: DnsFrom;
  /**
   * Try the byte-scanning fast path on flow lines (fast.ts). Default true: ~1.3-1.5x JSON.parse
   * with mapping on Node 20.20 (bench/eve.ts), and property-tested identical (fast.test.ts).
   */
  fast?: boolean;
}

/**
 * Maps one line given as bytes (a file or socket read, no JS string made for it): a flow line
 * through the fast path when ctx.fast allows, anything else decoded and through mapEveLine.
 */
export function mapEveBytes(b: Buffer, from: number, to: number, ctx: EveMapContext, sink: EveSink): 'fast' | 'json' | 'bad' {
  if (ctx.fast !== false) {
    const f = fastFlowBytes(b, from, to);
    if (f !== null) return flowOut(f, ctx, sink, b, from, to);
  }
  return jsonLine(b.toString('utf8', from, to), ctx, sink);
}

/** Reused for lines that come as strings: encodeInto is one native copy, no allocation. */
let scratch = Buffer.allocUnsafeSlow(1 << 16);
const encoder = new TextEncoder();

/** Maps one line; returns how the line was read ('fast' | 'json' | 'bad'), for counters. */
export function mapEveLine(line: string, ctx: EveMapContext, sink: EveSink): 'fast' | 'json' | 'bad' {
  if (ctx.fast !== false) {
    if (line.length * 3 > scratch.length) scratch = Buffer.allocUnsafeSlow(line.length * 3);
    const n = encoder.encodeInto(line, scratch).written;
    const f = fastFlowBytes(scratch, 0, n);
    if (f !== null) return flowOut(f, ctx, sink, line, 0, 0);
  }
  return jsonLine(line, ctx, sink);
}

function flowOut(f: FlowFields, ctx: EveMapContext, sink: EveSink, raw: string | Buffer, from: number, to: number): 'fast' | 'bad' {
  const ev = buildFlow(f, ctx);
  if (typeof ev !== 'string') {
    sink.event(ev);
    return 'fast';
  }
  // The line as text only for the (rare) bad-sample.
  sink.bad(ev, typeof raw === 'string' ? raw : raw.toString('utf8', from, to));
  return 'bad';
}

function jsonLine(line: string, ctx: EveMapContext, sink: EveSink): 'fast' | 'json' | 'bad' {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    sink.bad(line.trim() === '' ? 'empty line' : 'not JSON', line);
    return 'bad';
  }
  if (!isObj(o)) {
    sink.bad('not a JSON object', line);
    return 'bad';
  }
  const type = o.event_type;
  if (typeof type !== 'string') {
    sink.bad('no event_type', line);
    return 'bad';
  }
  const r = mapRecord(type, o, ctx, sink);
  if (r !== null) {
    sink.bad(r, line);
    return 'bad';
  }
  return 'json';
}

/** Maps one parsed record; returns a reason when it is unusable. */
function mapRecord(type: string, o: Record<string, unknown>, ctx: EveMapContext, sink: EveSink): string | null {
  if (type === 'flow') {
    const f = flowFieldsFromJson(o);
    if (typeof f === 'string') return f;
    const ev = buildFlow(f, ctx);
    if (typeof ev === 'string') return ev;
    sink.event(ev);
    return null;
  }
  if (type !== 'dns' && type !== 'http' && type !== 'tls' && type !== 'fileinfo' && type !== 'alert') {
    sink.skip(type);
    return null;
  }
  const c = common(o, ctx);
  if (typeof c === 'string') return `${type}: ${c}`;
  switch (type) {
    case 'dns': {
      const evs = mapDns(o, c, ctx, ctx.dnsFrom ?? 'response');
      if (typeof evs === 'string') return evs;
      for (const ev of evs) sink.event(ev);
      return null;
    }
    case 'http':
    case 'tls':
    case 'alert': {
      const ev = type === 'http' ? mapHttp(o, c, ctx) : type === 'tls' ? mapTls(o, c, ctx) : mapAlert(o, c, ctx);
      if (typeof ev === 'string') return ev;
      sink.event(ev);
      return null;
    }
    case 'fileinfo': {
      const f = mapFileinfo(o, c, ctx);
      if (typeof f === 'string') return f;
      sink.file(f);
      return null;
    }
  }
}

/** A sink that collects everything (tests, tools). */
export class CollectingSink implements EveSink {
  readonly events: MinewardenEvent[] = [];
  readonly files: FileSeen[] = [];
  readonly skipped = new Map<string, number>();
  readonly bads: { reason: string; line: string }[] = [];
  event(ev: MinewardenEvent): void {
    this.events.push(ev);
  }
  file(f: FileSeen): void {
    this.files.push(f);
  }
  skip(t: string): void {
    this.skipped.set(t, (this.skipped.get(t) ?? 0) + 1);
  }
  bad(reason: string, line: string): void {
    this.bads.push({ reason, line });
  }
}
