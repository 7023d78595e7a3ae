/**
 * EVE app-layer and alert records → events: dns, http, tls, fileinfo (a FileSeen record), alert.
 * Field names follow Suricata's EVE format documentation (8.0, "EVE JSON Format"); each mapper
 * returns the events, or a string saying why the record is unusable.
 */
import type { AlertEvent, DnsEvent, DnsOutcome, HttpEvent, Severity, TlsEvent } from '../../model/events.ts';
import { parseSuricataTime, qtypeNumber, rcodeNumber } from './codes.ts';
import { clientOf, count, isObj, str, type EveContext } from './flow.ts';

type Obj = Record<string, unknown>;

/** A file Suricata saw in a transfer (fileinfo record): a later detector looks for executables over HTTP. */
export interface FileSeen {
  ts: number;
  client: string;
  site?: string;
  server: string;
  serverPort: number;
  filename: string;
  magic: string | null;
  mime: string | null;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  size: number;
  appProto: string | null;
  /** The HTTP request the file came with, when it came over HTTP. */
  url: string | null;
  host: string | null;
  flowId: number | null;
  sensor: string;
}

/** Which DNS records become events: responses (the default) or, when answers are not logged, requests. */
export type DnsFrom = 'response' | 'request';

interface Common {
  ts: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  sensor: string;
}

export function common(o: Obj, ctx: EveContext): Common | string {
  const ts = typeof o.timestamp === 'string' ? parseSuricataTime(o.timestamp) : NaN;
  if (Number.isNaN(ts)) return 'bad or missing timestamp';
  if (typeof o.src_ip !== 'string' || typeof o.dest_ip !== 'string') return 'no src_ip/dest_ip';
  return { ts, src: o.src_ip, srcPort: count(o.src_port) ?? 0, dst: o.dest_ip, dstPort: count(o.dest_port) ?? 0, sensor: `suricata:${str(o.host) ?? ctx.source}` };
}

/**
 * dns → one DnsEvent per query. Formats: v1 (one record per query and per answer RR:
 * `type` query|answer, `rrname`, `rrtype`, `rcode`), v2 (an answer record carries `rrname`/`rrtype`
 * and the answers together), v3 (Suricata 8: `type` request|response, `queries[]`). Responses are
 * logged in the packet's direction, so their client is dest_ip.
 */
export function mapDns(o: Obj, c: Common, ctx: EveContext, from: DnsFrom): DnsEvent[] | string {
  const d = o.dns;
  if (!isObj(d)) return 'dns: no dns object';
  const type = str(d.type);
  const isResponse = type === 'answer' || type === 'response';
  const isRequest = type === 'query' || type === 'request';
  if (!isResponse && !isRequest) return `dns: unknown type`;
  if ((from === 'response') !== isResponse) return [];
  const qs: { rrname?: unknown; rrtype?: unknown }[] = Array.isArray(d.queries) ? (d.queries as unknown[]).filter(isObj) : d.rrname !== undefined ? [d] : [];
  if (qs.length === 0) return isResponse ? [] : 'dns: no query name';
  const rcodeText = str(d.rcode) ?? 'NOERROR';
  const rcode = rcodeNumber(rcodeText);
  if (rcode < 0) return 'dns: unknown rcode';
  const client = isResponse ? c.dst : c.src;
  const out: DnsEvent[] = [];
  for (const q of qs) {
    if (typeof q.rrname !== 'string' || typeof q.rrtype !== 'string') return 'dns: bad query';
    const qtype = qtypeNumber(q.rrtype);
    if (qtype < 0) return 'dns: unknown rrtype';
    const ev: DnsEvent = { kind: 'dns', ts: c.ts, client, name: normName(q.rrname), qtype, rcode, outcome: outcomeOf(rcode), latencyUs: 0 };
    if (ctx.site !== undefined) ev.site = ctx.site;
    out.push(ev);
  }
  return out;
}

/** Observed, not decided here: resolved unless the rcode says the server failed or refused. */
export function outcomeOf(rcode: number): DnsOutcome {
  return rcode === 2 ? 'servfail' : rcode === 5 ? 'refused' : 'resolved';
}

export function normName(n: string): string {
  const lo = n.toLowerCase();
  return lo.length > 1 && lo.endsWith('.') ? lo.slice(0, -1) : lo;
}

export function mapHttp(o: Obj, c: Common, ctx: EveContext): HttpEvent | string {
  const h = o.http;
  if (!isObj(h)) return 'http: no http object';
  const ev: HttpEvent = {
    kind: 'http',
    ts: c.ts,
    client: c.src,
    server: c.dst,
    serverPort: c.dstPort,
    method: str(h.http_method) ?? '',
    host: str(h.hostname) ?? '',
    url: str(h.url) ?? '',
    status: count(h.status) ?? 0,
    userAgent: str(h.http_user_agent) ?? null,
    contentType: str(h.http_content_type) ?? null,
    size: count(h.length) ?? 0,
    sensor: c.sensor,
  };
  if (ctx.site !== undefined) ev.site = ctx.site;
  return ev;
}

export function mapTls(o: Obj, c: Common, ctx: EveContext): TlsEvent | string {
  const t = o.tls;
  if (!isObj(t)) return 'tls: no tls object';
  const ja3 = isObj(t.ja3) ? str(t.ja3.hash) : undefined;
  // JA4 is a plain string in Suricata 7.0.5+/8 (`tls.ja4`); some builds nest it like ja3.
  const ja4 = str(t.ja4) ?? (isObj(t.ja4) ? str(t.ja4.hash) : undefined);
  const ev: TlsEvent = {
    kind: 'tls',
    ts: c.ts,
    client: c.src,
    server: c.dst,
    serverPort: c.dstPort,
    sni: str(t.sni) ?? null,
    ja3: ja3 ?? null,
    ja4: ja4 ?? null,
    version: str(t.version) ?? null,
    subject: str(t.subject) ?? null,
    issuer: str(t.issuerdn) ?? null,
    sensor: c.sensor,
  };
  if (ctx.site !== undefined) ev.site = ctx.site;
  return ev;
}

export function mapFileinfo(o: Obj, c: Common, ctx: EveContext): FileSeen | string {
  const f = o.fileinfo;
  if (!isObj(f)) return 'fileinfo: no fileinfo object';
  const http = isObj(o.http) ? o.http : undefined;
  const client = clientOf(c.src, c.dst, ctx.isInternal);
  const serverIsSrc = client !== c.src;
  const rec: FileSeen = {
    ts: c.ts,
    client,
    server: serverIsSrc ? c.src : c.dst,
    serverPort: serverIsSrc ? c.srcPort : c.dstPort,
    filename: str(f.filename) ?? '',
    magic: str(f.magic) ?? null,
    mime: str(f.mimetype) ?? str(f.mime) ?? null,
    md5: str(f.md5) ?? null,
    sha1: str(f.sha1) ?? null,
    sha256: str(f.sha256) ?? null,
    size: count(f.size) ?? 0,
    appProto: str(o.app_proto) ?? null,
    url: http ? (str(http.url) ?? null) : null,
    host: http ? (str(http.hostname) ?? null) : null,
    flowId: count(o.flow_id) ?? null,
    sensor: c.sensor,
  };
  if (ctx.site !== undefined) rec.site = ctx.site;
  return rec;
}

/**
 * Suricata's severity is 1 (highest) to 255, default 3 for rules without a priority
 * (classification.config): 1 → high, 2 → medium, 3 → low, 4 and up → info.
 */
export function severityOf(n: unknown): Severity {
  return n === 1 ? 'high' : n === 2 ? 'medium' : n === 3 ? 'low' : 'info';
}

export function mapAlert(o: Obj, c: Common, ctx: EveContext): AlertEvent | string {
  const a = o.alert;
  if (!isObj(a)) return 'alert: no alert object';
  const sid = count(a.signature_id);
  if (sid === undefined) return 'alert: no signature_id';
  const client = clientOf(c.src, c.dst, ctx.isInternal);
  const other = client === c.src ? c.dst : c.src;
  const http = isObj(o.http) ? o.http : undefined;
  // The name the traffic was for is the better indicator when there is one; else the far address.
  const indicator = (http ? str(http.hostname) : undefined) ?? other;
  const ev: AlertEvent = {
    kind: 'alert',
    ts: c.ts,
    client,
    detector: `suricata:${sid}`,
    severity: severityOf(a.severity),
    title: str(a.signature) ?? `Suricata signature ${sid}`,
    indicator,
    evidence: {
      signature_id: sid,
      gid: a.gid ?? null,
      rev: a.rev ?? null,
      category: a.category ?? null,
      action: a.action ?? null,
      src: `${c.src}:${c.srcPort}`,
      dst: `${c.dst}:${c.dstPort}`,
      proto: o.proto ?? null,
      app_proto: o.app_proto ?? null,
      metadata: a.metadata ?? null,
      flow_id: o.flow_id ?? null,
      sensor: c.sensor,
    },
  };
  if (ctx.site !== undefined) ev.site = ctx.site;
  return ev;
}
