/**
 * DNS over TLS (RFC 7858): the TCP framing of RFC 7766 (frame.ts) inside TLS 1.2 or later
 * (RFC 7858 §3.2 and RFC 8310 §9 ask for TLS 1.2 at least), with the ALPN id "dot" advertised
 * (IANA TLS ALPN registry, RFC 7858 §3.2 leaves ALPN to the client). The server is meant for
 * port 853 (RFC 7858 §3.1). Connections are kept open for more queries and closed when idle
 * (RFC 7858 §3.4, RFC 7766 §6.2.3).
 */
import { createServer, type TLSSocket } from 'node:tls';
import { bindServer, serveStream, STREAM_LIMITS, type Listener, type StreamLimits } from './frame.ts';
import type { QueryHandler } from './handler.ts';
import type { Listen } from './udp.ts';

/** The server's certificate chain and private key, PEM. */
export interface TlsIdentity {
  cert: string | Buffer;
  key: string | Buffer;
}

/** A client that has not finished its handshake by then is dropped. */
const HANDSHAKE_MS = 10_000;

export async function listenDot(at: Listen, handler: QueryHandler, tls: TlsIdentity, limits: StreamLimits = STREAM_LIMITS): Promise<Listener> {
  const server = createServer({
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2',
    ALPNProtocols: ['dot'],
    handshakeTimeout: HANDSHAKE_MS,
  }, (sock: TLSSocket) => serveStream(sock, handler, 'dot', limits));
  // A failed handshake (a port scanner, a client that distrusts the certificate) is the client's
  // problem, not the server's.
  server.on('tlsClientError', (_e, sock) => sock.destroy());
  return bindServer(server, at);
}
