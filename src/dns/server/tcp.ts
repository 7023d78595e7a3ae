/**
 * The gateway's TCP listener (RFC 7766): two-byte length-prefixed messages, several per
 * connection, answered as they complete (pipelining, §6.2.1.1), with an idle timeout (§6.2.3)
 * and a cap on queries in flight per connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { QueryHandler } from './handler.ts';
import type { Listen } from './udp.ts';

const IDLE_MS = 10_000;
const MAX_IN_FLIGHT = 100;

function serve(sock: Socket, handler: QueryHandler): void {
  let buf: Buffer = Buffer.alloc(0);
  let inFlight = 0;
  sock.setTimeout(IDLE_MS, () => sock.destroy());
  sock.setNoDelay(true);
  sock.on('error', () => sock.destroy());
  sock.on('data', (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    while (buf.length >= 2) {
      const len = (buf[0]! << 8) | buf[1]!;
      if (buf.length < 2 + len) break;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      if (inFlight >= MAX_IN_FLIGHT) {
        sock.destroy();
        return;
      }
      inFlight++;
      handler.handle(new Uint8Array(msg), sock.remoteAddress ?? '', sock.remotePort ?? 0, 'tcp').then(
        (reply) => {
          inFlight--;
          if (reply === null || sock.destroyed) return;
          const head = Buffer.from([reply.length >> 8, reply.length & 255]);
          sock.write(Buffer.concat([head, reply]));
        },
        () => {
          inFlight--;
        },
      );
    }
  });
}

export async function listenTcp(at: Listen, handler: QueryHandler): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((sock) => serve(sock, handler));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(at.port, at.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr !== null ? addr.port : at.port,
    close: () => new Promise((ok) => {
      server.close(() => ok());
    }),
  };
}
