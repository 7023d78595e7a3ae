/**
 * Zeek log types → Minewarden events. Each mapper names the fields it reads; its field numbers
 * index that list (the TSV row resolves them against `#fields` once per header). A mapper returns
 * an event, null (nothing to record: an enrichment log, a line without what an event needs), or
 * a string: the reason the line is malformed.
 */
import type { DnsEvent, FlowEvent, HostName, HttpEvent, MinewardenEvent, TlsEvent } from '../../model/events.ts';
import type { Enricher } from './enrich.ts';
import type { Row } from './parse.ts';

export interface WeirdSeen {
  ts: number;
  name: string;
  uid: string | null;
  src: string | null;
  dst: string | null;
  addl: string | null;
  sensor: string;
}

export interface MapContext {
  sensor: string;
  site: string;
  isInternal(ip: string): boolean;
  enrich: Enricher;
  noteHostName(client: string, site: string, name: HostName): void;
  onWeird?: (w: WeirdSeen) => void;
}

export type MapResult = MinewardenEvent | null | string;

export interface LogMapper {
  readonly fields: readonly string[];
  map(r: Row, ctx: MapContext): MapResult;
}

/** IP protocol numbers for Zeek's transport_proto names (ICMPv6 comes as ip_proto 58 when logged). */
const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, unknown_transport: 0 };

const conn: LogMapper = {
  fields: ['ts', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state',
    'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'ip_proto'],
  map(r, ctx) {
    const ts = r.time(0);
    const src = r.str(1);
    const dst = r.str(3);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'conn: bad ts';
    if (src === undefined || dst === undefined) return 'conn: no address';
    const srcPort = r.num(2) ?? 0;
    const dstPort = r.num(4) ?? 0;
    if (!port(srcPort) || !port(dstPort)) return 'conn: bad port';
    const dur = r.num(6);
    const ipProto = r.num(14);
    const proto = ipProto !== undefined && ipProto >= 0 && ipProto <= 255 ? ipProto : (PROTO[r.str(5) ?? ''] ?? 0);
    // Payload bytes; IP bytes when Zeek could not count payload (orig_bytes unset).
    const bytesOut = count(r.num(7) ?? r.num(11));
    const bytesIn = count(r.num(8) ?? r.num(13));
    const pktsOut = count(r.num(10));
    const pktsIn = count(r.num(12));
    if (bytesOut < 0 || bytesIn < 0 || pktsOut < 0 || pktsIn < 0) return 'conn: bad count';
    // The internal side is the host the flow belongs to; the originator when both or neither are.
    const client = !ctx.isInternal(src) && ctx.isInternal(dst) ? dst : src;
    const ev: FlowEvent = {
      kind: 'flow', ts, end: dur !== undefined && dur >= 0 ? ts + dur * 1000 : ts, client, site: ctx.site,
      src, srcPort, dst, dstPort, proto, bytesOut, pktsOut, bytesIn, pktsIn, tcpState: r.str(9) ?? null, sensor: ctx.sensor,
    };
    return ev;
  },
};

const dns: LogMapper = {
  fields: ['ts', 'id.orig_h', 'query', 'qtype', 'rcode', 'rtt'],
  map(r, ctx) {
    const ts = r.time(0);
    const client = r.str(1);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'dns: bad ts';
    if (client === undefined) return 'dns: no address';
    const name = (r.str(2) ?? '').toLowerCase().replace(/\.$/, '');
    if (name === '') return null; // no question (a malformed or empty DNS message): nothing to say
    const qtype = r.num(3) ?? 0;
    const rcode = r.num(4);
    const rtt = r.num(5);
    if (!(qtype >= 0 && qtype <= 65535) || (rcode !== undefined && !(rcode >= 0 && rcode <= 255))) return 'dns: bad qtype or rcode';
    // rcode unset: Zeek saw no reply. Said as SERVFAIL / 'servfail' ("no upstream could answer")
    // rather than claiming a NOERROR that never came.
    const ev: DnsEvent = {
      kind: 'dns', ts, client, site: ctx.site, name, qtype, rcode: rcode ?? 2, outcome: rcode === undefined ? 'servfail' : 'resolved',
      reason: rcode === undefined ? 'no-reply' : null, latencyUs: rtt !== undefined && rtt >= 0 ? Math.round(rtt * 1e6) : 0,
    };
    return ev;
  },
};

const http: LogMapper = {
  fields: ['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'method', 'host', 'uri', 'status_code', 'user_agent', 'resp_mime_types',
    'response_body_len', 'resp_fuids', 'orig_fuids'],
  map(r, ctx) {
    const ts = r.time(0);
    const client = r.str(1);
    const server = r.str(2);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'http: bad ts';
    if (client === undefined || server === undefined) return 'http: no address';
    const serverPort = r.num(3) ?? 80;
    const status = r.num(7) ?? 0;
    const size = count(r.num(10));
    if (!port(serverPort) || !(status >= 0 && status <= 999) || size < 0) return 'http: bad number';
    const ev: HttpEvent = {
      kind: 'http', ts, client, site: ctx.site, server, serverPort, method: r.str(4) ?? '', host: r.str(5) ?? '', url: r.str(6) ?? '',
      status, userAgent: r.str(8) ?? null, contentType: r.list(9)?.[0] ?? null, size, sensor: ctx.sensor,
    };
    const fuids = [...(r.list(11) ?? []), ...(r.list(12) ?? [])];
    if (fuids.length > 0) {
      ctx.enrich.http(fuids, { ts, client, server, serverPort, method: ev.method, host: ev.host, url: ev.url, status, userAgent: ev.userAgent ?? null });
    }
    return ev;
  },
};

const ssl: LogMapper = {
  fields: ['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'server_name', 'version', 'ja3', 'ja4', 'subject', 'issuer', 'cert_chain_fuids', 'cert_chain_fps'],
  map(r, ctx) {
    const ts = r.time(0);
    const client = r.str(1);
    const server = r.str(2);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'ssl: bad ts';
    if (client === undefined || server === undefined) return 'ssl: no address';
    const serverPort = r.num(3) ?? 443;
    if (!port(serverPort)) return 'ssl: bad port';
    let subject = r.str(8) ?? null;
    let issuer = r.str(9) ?? null;
    if (subject === null && issuer === null) {
      const c = ctx.enrich.certFor(r.list(10)) ?? ctx.enrich.certFor(r.list(11));
      subject = c?.subject ?? null;
      issuer = c?.issuer ?? null;
    }
    const ev: TlsEvent = {
      kind: 'tls', ts, client, site: ctx.site, server, serverPort, sni: r.str(4) ?? null, ja3: r.str(6) ?? null, ja4: r.str(7) ?? null,
      version: r.str(5) ?? null, subject, issuer, sensor: ctx.sensor,
    };
    return ev;
  },
};

const files: LogMapper = {
  fields: ['ts', 'fuid', 'conn_uids', 'uid', 'tx_hosts', 'rx_hosts', 'id.orig_h', 'id.resp_h', 'source', 'mime_type', 'filename',
    'total_bytes', 'seen_bytes', 'md5', 'sha1', 'sha256'],
  map(r, ctx) {
    const ts = r.time(0);
    const fuid = r.str(1);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'files: bad ts';
    if (fuid === undefined) return 'files: no fuid';
    // Zeek < 5 lists tx/rx hosts and conn_uids; Zeek ≥ 5 has one uid and the conn's id.
    const uid = r.str(3);
    const tx = r.list(4) ?? (r.str(7) !== undefined ? [r.str(7)!] : []);
    const rx = r.list(5) ?? (r.str(6) !== undefined ? [r.str(6)!] : []);
    const size = r.num(11) ?? r.num(12);
    ctx.enrich.file({
      ts, fuid, connUids: r.list(2) ?? (uid !== undefined ? [uid] : []), source: r.str(8) ?? null,
      client: rx.find((a) => ctx.isInternal(a)) ?? tx.find((a) => ctx.isInternal(a)) ?? rx[0] ?? null, txHosts: tx, rxHosts: rx,
      mimeType: r.str(9) ?? null, filename: r.str(10) ?? null, size: size !== undefined && size >= 0 ? size : null,
      md5: r.str(13) ?? null, sha1: r.str(14) ?? null, sha256: r.str(15) ?? null, http: null, site: ctx.site, sensor: ctx.sensor,
    });
    return null;
  },
};

const x509: LogMapper = {
  fields: ['id', 'fingerprint', 'certificate.subject', 'certificate.issuer'],
  map(r, ctx) {
    const ids = [r.str(0), r.str(1)].filter((x): x is string => x !== undefined);
    if (ids.length > 0) ctx.enrich.cert(ids, { subject: r.str(2) ?? null, issuer: r.str(3) ?? null });
    return null;
  },
};

const weird: LogMapper = {
  fields: ['ts', 'name', 'uid', 'id.orig_h', 'id.resp_h', 'addl'],
  map(r, ctx) {
    const ts = r.time(0);
    const name = r.str(1);
    if (ts === undefined || !(ts >= 0) || name === undefined) return 'weird: no ts or name';
    ctx.onWeird?.({ ts, name, uid: r.str(2) ?? null, src: r.str(3) ?? null, dst: r.str(4) ?? null, addl: r.str(5) ?? null, sensor: ctx.sensor });
    return null;
  },
};

const dhcp: LogMapper = {
  // Zeek ≥ 2.6 logs assigned_addr/client_addr; older versions the conn id.
  fields: ['ts', 'assigned_addr', 'client_addr', 'id.orig_h', 'host_name'],
  map(r, ctx) {
    const ts = r.time(0);
    if (ts === undefined || !(ts >= 0) || !Number.isFinite(ts)) return 'dhcp: bad ts';
    const name = r.str(4);
    const addr = nonZero(r.str(1)) ?? nonZero(r.str(2)) ?? nonZero(r.str(3));
    if (name !== undefined && name !== '' && addr !== undefined) ctx.noteHostName(addr, ctx.site, { name, source: 'dhcp', ts });
    return null;
  },
};

export const MAPPERS: Readonly<Record<string, LogMapper>> = { conn, dns, http, ssl, files, x509, weird, dhcp };

function port(p: number): boolean {
  return p >= 0 && p <= 65535;
}

/** A count, 0 when unset, -1 when not a count. */
function count(n: number | undefined): number {
  return n === undefined ? 0 : n >= 0 ? n : -1;
}

function nonZero(a: string | undefined): string | undefined {
  return a === undefined || a === '0.0.0.0' || a === '::' ? undefined : a;
}
