/**
 * The app layer the flow table calls: DNS on UDP datagrams, and for TCP a reassembled start of
 * each direction, classified by its first bytes (TLS ClientHello, HTTP request or response,
 * JSON lines) and otherwise dropped at once so uninteresting connections cost no memory.
 */
import { SYN, TCP, UDP, type Decoded } from '../packet.ts';
import type { Flow, FlowHooks } from '../flows.ts';
import { Stream } from '../reassembly.ts';
import { flushDns, udpDns } from './dns.ts';
import { flushHttp, httpRequests, httpResponses, looksLikeRequest, looksLikeResponse, newHttpState, type HttpState } from './http.ts';
import { MAX_LINE, jsonLines, looksLikeJson } from './jsonrpc.ts';
import { parseClientHello } from './tls.ts';
import type { AppContext, AppSink, FiveTuple } from './types.ts';

export type { AppSink, AppContext, FiveTuple, PayloadMessage, PcapHttp } from './types.ts';
export { parseClientHello, type ClientHello } from './tls.ts';

export interface AppOptions {
  /** Stream bytes read per direction for HTTP and TLS (default 8 KiB). */
  streamBytes?: number;
  /** Stream bytes read per direction of a JSON-lines connection (default 1 MiB; lines are consumed as read). */
  jsonBytes?: number;
}

const enum Kind {
  Unknown,
  None,
  Tls,
  HttpReq,
  HttpResp,
  Json,
}

interface TcpState {
  kind: 'tcp';
  s: [Stream, Stream];
  k: [Kind, Kind];
  http: HttpState | null;
  tuple: FiveTuple | null;
}

export class AppLayer implements FlowHooks {
  private readonly streamBytes: number;
  private readonly jsonBytes: number;
  /** Lines from jsonLines, reused for every segment. */
  private readonly lines: string[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly sink: AppSink,
    opts: AppOptions = {},
  ) {
    this.streamBytes = Math.max(64, opts.streamBytes ?? 8192);
    this.jsonBytes = Math.max(this.streamBytes, opts.jsonBytes ?? 1024 * 1024);
  }

  packet(f: Flow, fromA: boolean, d: Decoded, tsUs: number): void {
    if (d.proto === UDP) {
      if (d.payLen > 0 && (f.app === null || (f.app as { kind: string }).kind === 'dns')) udpDns(f, fromA, d.payload(), tsUs, d.sport, d.dport, this.ctx, this.sink);
      return;
    }
    if (d.proto !== TCP) return;
    let st = f.app as TcpState | null;
    if (st === null) {
      if (d.payLen === 0 && !(d.tcpFlags & SYN)) return;
      f.app = st = { kind: 'tcp', s: [new Stream(this.streamBytes), new Stream(this.streamBytes)], k: [Kind.Unknown, Kind.Unknown], http: null, tuple: null };
    }
    const dir = fromA ? 0 : 1;
    const s = st.s[dir];
    if (d.tcpFlags & SYN) s.syn(d.seq);
    if (d.payLen === 0 || s.done) return;
    if (s.addAt(d.seq, d.frame, d.payOff, d.payLen)) this.read(f, st, dir, tsUs);
  }

  private read(f: Flow, st: TcpState, dir: 0 | 1, tsUs: number): void {
    const s = st.s[dir];
    if (st.k[dir] === Kind.Unknown) {
      const k = this.classify(s.data(), dir === 0);
      if (k === Kind.Unknown) {
        if (s.done) s.stop();
        return;
      }
      st.k[dir] = k;
      if (k === Kind.None) return s.stop();
      if (k === Kind.Json) {
        s.limit = this.jsonBytes;
        s.cap = Math.max(s.cap, 2 * MAX_LINE);
        s.done = s.total >= s.limit;
      }
    }
    const kind = st.k[dir] as Kind;
    switch (kind) {
      case Kind.Tls: {
        const h = parseClientHello(s.data());
        if (h === 'more' && !s.done) return;
        s.stop();
        if (h === null || h === 'more') return;
        this.sink.tls({ kind: 'tls', ts: Math.floor(tsUs / 1000), client: f.aText(), site: this.ctx.site, server: f.bText(), serverPort: f.bPort, sni: h.sni, ja3: h.ja3, ja4: h.ja4, version: h.version, sensor: this.ctx.sensor });
        return;
      }
      case Kind.HttpReq:
        st.http ??= newHttpState(dir === 0);
        httpRequests(st.http, s, tsUs);
        return;
      case Kind.HttpResp:
        st.http ??= newHttpState(dir === 1);
        httpResponses(st.http, s, f, this.ctx, this.sink);
        return;
      case Kind.Json: {
        const lines = this.lines;
        const n = jsonLines(s, lines);
        if (n === 0) return;
        const flow = (st.tuple ??= { proto: f.proto, src: f.aText(), srcPort: f.aPort, dst: f.bText(), dstPort: f.bPort });
        const ts = Math.floor(tsUs / 1000);
        for (let i = 0; i < n; i++) this.sink.payload({ ts, flow, fromClient: dir === 0, text: lines[i]! });
        return;
      }
      case Kind.Unknown:
      case Kind.None:
        return;
    }
  }

  private classify(b: Uint8Array, fromA: boolean): Kind {
    if (b.length === 0) return Kind.Unknown;
    // TLS handshake record, versions 3.0–3.4 (RFC 8446 §5.1 legacy_record_version).
    if (fromA && b[0] === 22) return b.length < 2 ? Kind.Unknown : b[1] === 3 ? Kind.Tls : Kind.None;
    // HTTP for the direction, then JSON lines; 'more' from either leaves the stream unclassified.
    const http = fromA ? looksLikeRequest(b) : looksLikeResponse(b);
    if (http === true) return fromA ? Kind.HttpReq : Kind.HttpResp;
    const json = looksLikeJson(b);
    if (json === true) return Kind.Json;
    return http === 'more' || json === 'more' ? Kind.Unknown : Kind.None;
  }

  end(f: Flow): void {
    const app = f.app as { kind: string } | null;
    if (app === null) return;
    if (app.kind === 'dns') flushDns(f, this.ctx, this.sink);
    else if (app.kind === 'tcp') {
      const st = app as TcpState;
      if (st.http !== null) flushHttp(st.http, f, this.ctx, this.sink);
      // Hands the stream buffers back to the pool for the next connections.
      st.s[0].stop();
      st.s[1].stop();
    }
    f.app = null;
  }
}
