/**
 * The gateway's TCP listener (RFC 7766): two-byte length-prefixed messages, several per
 * connection, answered as they complete (pipelining, §6.2.1.1), with an idle timeout (§6.2.3)
 * and a cap on queries in flight per connection (the stream handling is in frame.ts, shared
 * with DNS over TLS).
 */
import { createServer, type Server } from 'node:net';
import { bindServer, serveStream } from './frame.ts';
import type { QueryHandler } from './handler.ts';
import type { Listen } from './udp.ts';

export async function listenTcp(at: Listen, handler: QueryHandler): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((sock) => serveStream(sock, handler, 'tcp'));
  const { port, close } = await bindServer(server, at);
  return { server, port, close };
}
