/**
 * HTTP/1.x over the first bytes of a connection (RFC 9112): requests are read one after another
 * (pipelining: several may precede the first response), responses are paired with them in order
 * (RFC 9112 §9.3.2). A body is walked by Content-Length or chunked coding (§7.1), or read until
 * the connection closes, to keep its first 16 bytes and find the next response.
 */
import type { HttpEvent } from '../../../model/events.ts';
import type { Flow } from '../flows.ts';
import type { Stream } from '../reassembly.ts';
import type { AppContext, AppSink } from './types.ts';

const HEAD_BYTES = 16;

interface Req {
  tsUs: number;
  method: string;
  url: string;
  host: string;
  ua: string | null;
}

interface Resp {
  status: number;
  ctype: string | null;
  /** Content-Length, -1 when none. */
  cl: number;
  mode: 'len' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'eof';
  remaining: number;
  head: Uint8Array;
  headLen: number;
  seen: number;
}

export interface HttpState {
  /** Direction that sends requests: true = the initiator. */
  clientIsA: boolean;
  queue: Req[];
  reqSkip: number;
  reqStopped: boolean;
  resp: Resp | null;
}

export function newHttpState(clientIsA: boolean): HttpState {
  return { clientIsA, queue: [], reqSkip: 0, reqStopped: false, resp: null };
}

export function looksLikeRequest(b: Uint8Array): boolean | 'more' {
  if (b.length < 4) return 'more';
  // /^[A-Z]{3,10} / over the first 11 bytes, on the bytes (asked once per connection direction).
  const n = Math.min(11, b.length);
  let k = 0;
  while (k < n && b[k]! >= 0x41 && b[k]! <= 0x5a) k++;
  if (k >= 3 && k <= 10 && k < n && b[k] === 0x20) return true;
  // Only capitals so far: a method may still follow.
  return b.length < 11 && k === n ? 'more' : false;
}

export function looksLikeResponse(b: Uint8Array): boolean | 'more' {
  if (b.length < 5) return 'more';
  return b[0] === 0x48 && b[1] === 0x54 && b[2] === 0x54 && b[3] === 0x50 && b[4] === 0x2f; // "HTTP/"
}

/** End of the header block: offset after the blank line, or -1. */
function headEnd(b: Uint8Array): number {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return i + 2;
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

function headers(text: string): { first: string; h: Map<string, string> } {
  const lines = text.split(/\r?\n/);
  const h = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const c = l.indexOf(':');
    if (c > 0) {
      const k = l.slice(0, c).trim().toLowerCase();
      if (!h.has(k)) h.set(k, l.slice(c + 1).trim());
    }
  }
  return { first: lines[0] ?? '', h };
}

function contentLength(h: Map<string, string>): number {
  const v = h.get('content-length');
  if (v === undefined || !/^\d{1,15}$/.test(v)) return -1;
  return Number(v);
}

/** Reads the requests now readable in the client stream. */
export function httpRequests(st: HttpState, s: Stream, tsUs: number): void {
  while (!st.reqStopped) {
    const d = s.data();
    if (st.reqSkip > 0) {
      const k = Math.min(st.reqSkip, d.length);
      if (k === 0) return;
      st.reqSkip -= k;
      s.consume(k);
      continue;
    }
    if (d.length === 0) return;
    const end = headEnd(d);
    if (end < 0) return;
    const { first, h } = headers(Buffer.from(d.subarray(0, end)).toString('latin1'));
    const m = /^([A-Z]{3,10}) (\S+) HTTP\/\d/.exec(first);
    s.consume(end);
    if (m === null) {
      st.reqStopped = true;
      return;
    }
    st.queue.push({ tsUs, method: m[1]!, url: m[2]!, host: h.get('host') ?? '', ua: h.get('user-agent') ?? null });
    if (st.queue.length > 64) st.queue.shift();
    // A chunked request body (rare) ends our reading of this direction.
    if ((h.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) st.reqStopped = true;
    st.reqSkip = Math.max(0, contentLength(h));
  }
}

/** Reads the responses now readable in the server stream; emits each finished pair. */
export function httpResponses(st: HttpState, s: Stream, f: Flow, ctx: AppContext, sink: AppSink): void {
  for (;;) {
    const d = s.data();
    const r = st.resp;
    if (r === null) {
      const end = headEnd(d);
      if (end < 0) return;
      const { first, h } = headers(Buffer.from(d.subarray(0, end)).toString('latin1'));
      s.consume(end);
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(first);
      if (m === null) {
        sink.bad('http: bad status line', d.subarray(0, Math.min(end, 64)));
        s.stop();
        return;
      }
      const status = Number(m[1]);
      if (status >= 100 && status < 200) continue; // interim (RFC 9110 §15.2): the final one follows
      const cl = contentLength(h);
      const chunked = (h.get('transfer-encoding') ?? '').toLowerCase().includes('chunked');
      const next: Resp = { status, ctype: h.get('content-type') ?? null, cl, mode: chunked ? 'chunk-size' : cl >= 0 ? 'len' : 'eof', remaining: cl, head: new Uint8Array(HEAD_BYTES), headLen: 0, seen: 0 };
      // RFC 9112 §6.3: no body after HEAD, 204 and 304.
      if (st.queue[0]?.method === 'HEAD' || status === 204 || status === 304 || (next.mode === 'len' && cl === 0)) {
        finish(st, next, f, ctx, sink);
        continue;
      }
      st.resp = next;
      continue;
    }
    if (d.length === 0) return;
    if (r.mode === 'len' || r.mode === 'chunk-data' || r.mode === 'eof') {
      const k = r.mode === 'eof' ? d.length : Math.min(r.remaining, d.length);
      take(r, d.subarray(0, k));
      s.consume(k);
      if (r.mode === 'eof') return;
      r.remaining -= k;
      if (r.remaining > 0) return;
      if (r.mode === 'len') {
        finish(st, r, f, ctx, sink);
        st.resp = null;
      } else {
        r.mode = 'chunk-crlf';
      }
      continue;
    }
    // Chunk framing lines: size, the CRLF after the data, trailers.
    const nl = d.indexOf(0x0a);
    if (nl < 0) {
      if (d.length > 1024) s.stop();
      return;
    }
    const line = Buffer.from(d.subarray(0, nl)).toString('latin1').trim();
    s.consume(nl + 1);
    if (r.mode === 'chunk-crlf') r.mode = 'chunk-size';
    else if (r.mode === 'chunk-size') {
      const size = parseInt(line.split(';')[0] ?? '', 16);
      if (!Number.isFinite(size) || size < 0) {
        sink.bad('http: bad chunk size', d.subarray(0, Math.min(nl, 64)));
        s.stop();
        return;
      }
      if (size === 0) r.mode = 'trailer';
      else {
        r.mode = 'chunk-data';
        r.remaining = size;
      }
    } else if (line === '') {
      finish(st, r, f, ctx, sink);
      st.resp = null;
    }
  }
}

function take(r: Resp, bytes: Uint8Array): void {
  if (r.headLen < HEAD_BYTES) {
    const k = Math.min(HEAD_BYTES - r.headLen, bytes.length);
    r.head.set(bytes.subarray(0, k), r.headLen);
    r.headLen += k;
  }
  r.seen += bytes.length;
}

function finish(st: HttpState, r: Resp | null, f: Flow, ctx: AppContext, sink: AppSink): void {
  const q = st.queue.shift();
  if (q === undefined && r === null) return;
  const server = st.clientIsA ? f.bText() : f.aText();
  const event: HttpEvent = {
    kind: 'http',
    ts: Math.floor((q?.tsUs ?? f.firstUs) / 1000),
    client: st.clientIsA ? f.aText() : f.bText(),
    site: ctx.site,
    server,
    serverPort: st.clientIsA ? f.bPort : f.aPort,
    method: q?.method ?? '',
    host: q?.host ?? '',
    url: q?.url ?? '',
    status: r?.status ?? 0,
    userAgent: q?.ua ?? null,
    contentType: r?.ctype ?? null,
    size: r === null ? 0 : r.cl >= 0 ? r.cl : r.seen,
    sensor: ctx.sensor,
  };
  const flow = { proto: f.proto, src: f.aText(), srcPort: f.aPort, dst: f.bText(), dstPort: f.bPort };
  sink.http({ event, flow, bodyHead: r === null ? new Uint8Array(0) : r.head.slice(0, r.headLen), sizeFromHeader: r !== null && r.cl >= 0 });
}

/** At flow end: the response being read, then requests never answered. */
export function flushHttp(st: HttpState, f: Flow, ctx: AppContext, sink: AppSink): void {
  if (st.resp !== null) finish(st, st.resp, f, ctx, sink);
  st.resp = null;
  while (st.queue.length > 0) finish(st, null, f, ctx, sink);
}
