/**
 * DNS over a byte stream, shared by TCP (RFC 7766) and DNS over TLS (RFC 7858 §3.3, which uses
 * the same framing): each message is preceded by its length in two bytes (RFC 1035 §4.2.2),
 * several queries may arrive on one connection and are answered as they complete, out of order
 * (pipelining, RFC 7766 §6.2.1.1), an idle connection is closed (§6.2.3), and a connection with
 * too many queries in flight is dropped.
 */
import type { Server, Socket } from 'node:net';
import type { Transport } from '../chain/types.ts';
import type { QueryHandler } from './handler.ts';
import type { Listen } from './udp.ts';

export interface StreamLimits {
  /** Close a connection with nothing to read or write for this long (RFC 7766 §6.2.3). */
  idleMs: number;
  /** Queries one connection may have unanswered; past it the connection is closed. */
  maxInFlight: number;
}

export const STREAM_LIMITS: StreamLimits = { idleMs: 10_000, maxInFlight: 100 };

/** Prefixes a message with its two-byte length (RFC 1035 §4.2.2). */
export function frame(msg: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + msg.length);
  out[0] = msg.length >> 8;
  out[1] = msg.length & 255;
  out.set(msg, 2);
  return out;
}

/**
 * Splits a stream into messages: `push` takes bytes as they come and returns the complete
 * messages; a partial one waits for more.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(d: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = (this.buf[0]! << 8) | this.buf[1]!;
      if (this.buf.length < 2 + len) break;
      out.push(this.buf.subarray(2, 2 + len));
      this.buf = this.buf.subarray(2 + len);
    }
    return out;
  }
}

/** Serves one connection (plain TCP or an established TLS socket) until it closes. */
export function serveStream(sock: Socket, handler: QueryHandler, transport: Extract<Transport, 'tcp' | 'dot'>, limits: StreamLimits = STREAM_LIMITS): void {
  const reader = new FrameReader();
  let inFlight = 0;
  sock.setTimeout(limits.idleMs, () => sock.destroy());
  sock.setNoDelay(true);
  sock.on('error', () => sock.destroy());
  sock.on('data', (d: Buffer) => {
    for (const msg of reader.push(d)) {
      if (inFlight >= limits.maxInFlight) {
        sock.destroy();
        return;
      }
      inFlight++;
      const send = (reply: Uint8Array | null): void => {
        inFlight--;
        if (reply === null || sock.destroyed) return;
        sock.write(frame(reply));
      };
      const reply = handler.handle(new Uint8Array(msg), sock.remoteAddress ?? '', sock.remotePort ?? 0, transport);
      if (reply instanceof Promise) reply.then(send, () => inFlight--);
      else send(reply);
    }
  });
}

export interface Listener {
  port: number;
  close: () => Promise<void>;
}

/**
 * Binds `server` to `at` and returns the port it got and a `close` that stops accepting and ends
 * the open connections (TLS ones too, through their raw sockets) rather than waiting out their
 * idle time.
 */
export async function bindServer(server: Server, at: Listen): Promise<Listener> {
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(at.port, at.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : at.port,
    close: () => new Promise((ok) => {
      server.close(() => ok());
      for (const s of open) s.destroy();
    }),
  };
}
