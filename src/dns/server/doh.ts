/**
 * DNS over HTTPS (RFC 8484): HTTP/2 over TLS 1.2 or later (RFC 8484 §5.2 recommends HTTP/2 as the
 * minimum; HTTP/1.1 is taken too for older clients), at one path (default /dns-query, the
 * "dns" URI template variable of §4.1):
 *
 *   GET  /dns-query?dns=<base64url of the query, no padding>          (§4.1, §6)
 *   POST /dns-query  content-type: application/dns-message, the query  (§4.1)
 *
 * and answers 200 with `content-type: application/dns-message` and a freshness lifetime no
 * longer than the answer's smallest TTL (§5.1). The DNS ID, which clients SHOULD set to 0 for
 * caching (§4.1), is answered as given. An HTTP error for what is not a DNS query at all (§4.2.1):
 * 404 another path, 405 another method, 415 another content type, 413 a body over 65535 bytes,
 * 400 bad base64url or a malformed message, 429 a client past its rate limit (the UDP listener
 * would drop it). A DNS error (SERVFAIL, REFUSED, …) is a 200 with that DNS response (§4.2.1).
 *
 * `tls: null` serves plain HTTP/1.1 for a reverse proxy that terminates TLS in front (off by
 * default); with `forwardedFor` the client is the last address of X-Forwarded-For (the one the
 * proxy added), not the proxy.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createSecureServer, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { decode, decodeQuery, RCODE, TYPE, type Message } from '../wire/index.ts';
import { bindServer, STREAM_LIMITS, type Listener } from './frame.ts';
import type { QueryHandler } from './handler.ts';
import type { TlsIdentity } from './dot.ts';
import type { Listen } from './udp.ts';

export interface DohOptions {
  /** Certificate and key; null: plain HTTP/1.1 behind a reverse proxy that does TLS. */
  tls: TlsIdentity | null;
  /** The URI path of the template (RFC 8484 §3). '/dns-query' unless told. */
  path?: string;
  /** Plain mode only: take the client from the last X-Forwarded-For entry. */
  forwardedFor?: boolean;
}

/** The media type of RFC 8484 §6. */
const DNS_MESSAGE = 'application/dns-message';
/** A DNS message is at most 65535 bytes (RFC 8484 §6, the TCP length field of RFC 1035 §4.2.2). */
const MAX_MESSAGE = 65535;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HANDSHAKE_MS = 10_000;

/** The parts of a request (HTTP/1.1 or the HTTP/2 compatibility API) used here. */
interface Request extends AsyncIterable<Buffer> {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null;
}

interface Response {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: Uint8Array | string): unknown;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export async function listenDoh(at: Listen, handler: QueryHandler, opts: DohOptions): Promise<Listener> {
  const path = opts.path ?? '/dns-query';
  const forwardedFor = opts.tls === null && opts.forwardedFor === true;
  const onRequest = (req: Request, res: Response): void => {
    serve(req, res, handler, path, forwardedFor).catch(() => {
      try {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      } catch {
        // the stream is gone
      }
    });
  };
  if (opts.tls === null) {
    const server = createHttpServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: STREAM_LIMITS.idleMs }, onRequest);
    return bindServer(server, at);
  }
  const server = createSecureServer({
    cert: opts.tls.cert,
    key: opts.tls.key,
    minVersion: 'TLSv1.2',
    allowHTTP1: true,
    handshakeTimeout: HANDSHAKE_MS,
    // Streams one connection may have open at once (RFC 9113 §5.1.2): the in-flight cap of TCP.
    settings: { maxConcurrentStreams: STREAM_LIMITS.maxInFlight },
  }, onRequest);
  // Idle connections are closed: HTTP/2 with a GOAWAY (RFC 9113 §6.8), HTTP/1.1 at once.
  server.on('session', (s: Http2Session) => s.setTimeout(STREAM_LIMITS.idleMs, () => s.close()));
  server.on('secureConnection', (s: TLSSocket) => {
    if (s.alpnProtocol !== 'h2') s.setTimeout(STREAM_LIMITS.idleMs, () => s.destroy());
  });
  server.on('tlsClientError', (_e: Error, s: Socket) => s.destroy());
  return bindServer(server, at);
}

async function serve(req: Request, res: Response, handler: QueryHandler, path: string, forwardedFor: boolean): Promise<void> {
  let query: Uint8Array;
  try {
    query = await readQuery(req, path);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    res.writeHead(e.status, { 'content-type': 'text/plain', ...e.headers });
    res.end(`${e.message}\n`);
    return;
  }
  const source = clientOf(req, forwardedFor);
  const reply = await handler.handle(query, source, req.socket?.remotePort ?? 0, 'doh');
  if (reply === null) {
    res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
    res.end('rate limited\n');
    return;
  }
  res.writeHead(200, { 'content-type': DNS_MESSAGE, 'content-length': reply.length, 'cache-control': `max-age=${freshness(reply)}` });
  res.end(reply);
}

/** The query of a GET or POST (RFC 8484 §4.1), or the HttpError that refuses it. */
async function readQuery(req: Request, path: string): Promise<Uint8Array> {
  const url = new URL(req.url ?? '/', 'http://doh.invalid');
  if (url.pathname !== path) throw new HttpError(404, 'not found');
  let query: Uint8Array;
  if (req.method === 'GET') {
    const dns = url.searchParams.get('dns');
    // base64url without padding (RFC 8484 §6, RFC 4648 §5); Buffer would skip bad characters.
    if (dns === null || !BASE64URL.test(dns) || dns.length % 4 === 1) throw new HttpError(400, 'the dns parameter must be a base64url DNS query');
    query = Buffer.from(dns, 'base64url');
    if (query.length > MAX_MESSAGE) throw new HttpError(413, 'query too large');
  } else if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== DNS_MESSAGE) throw new HttpError(415, `content-type must be ${DNS_MESSAGE}`);
    if (Number(req.headers['content-length'] ?? 0) > MAX_MESSAGE) throw new HttpError(413, 'query too large');
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_MESSAGE) throw new HttpError(413, 'query too large');
      parts.push(chunk);
    }
    query = Buffer.concat(parts);
  } else {
    throw new HttpError(405, 'GET or POST', { allow: 'GET, POST' });
  }
  // A malformed message or a response is an HTTP error, not a DNS one (RFC 8484 §4.2.1): there is
  // no DNS request to answer.
  try {
    if (decodeQuery(query).flags.qr) throw new Error('a response');
  } catch {
    throw new HttpError(400, 'not a DNS query');
  }
  return query;
}

/** The socket's peer, or behind a trusted proxy the address it appended to X-Forwarded-For. */
function clientOf(req: Request, forwardedFor: boolean): string {
  if (forwardedFor) {
    const h = req.headers['x-forwarded-for'];
    const last = (Array.isArray(h) ? h.join(',') : h ?? '').split(',').pop()?.trim();
    if (last !== undefined && last !== '') return last;
  }
  return req.socket?.remoteAddress ?? '';
}

/**
 * The HTTP freshness lifetime of a response (RFC 8484 §5.1): the smallest TTL in the answer
 * section; for a negative answer, the SOA's TTL bounded by its MINIMUM (RFC 2308 §5); 0 for
 * an error or a negative answer without an SOA.
 */
export function freshness(reply: Uint8Array): number {
  let m: Message;
  try {
    m = decode(reply);
  } catch {
    return 0;
  }
  if (m.flags.rcode !== RCODE.NOERROR && m.flags.rcode !== RCODE.NXDOMAIN) return 0;
  if ((m.edns?.extendedRcode ?? 0) !== 0) return 0;
  if (m.answers.length > 0) return Math.min(...m.answers.map((r) => r.ttl));
  const soa = m.authorities.find((r) => r.type === TYPE.SOA);
  if (soa?.data.kind !== 'soa') return 0;
  return Math.min(soa.ttl, soa.data.minimum);
}
