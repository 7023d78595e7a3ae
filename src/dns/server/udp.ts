/** The gateway's UDP listener: one socket per listen address, each datagram one query. */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { QueryHandler } from './handler.ts';

export interface Listen {
  host: string;
  port: number;
}

export async function listenUdp(at: Listen, handler: QueryHandler): Promise<{ socket: Socket; port: number; close: () => Promise<void> }> {
  const socket = createSocket({ type: isIPv6(at.host) ? 'udp6' : 'udp4', reuseAddr: false });
  socket.on('message', (msg, rinfo) => {
    const send = (reply: Uint8Array | null): void => {
      if (reply !== null) socket.send(Buffer.isBuffer(reply) ? reply : Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength), rinfo.port, rinfo.address);
    };
    const reply = handler.handle(msg, rinfo.address, rinfo.port, 'udp');
    if (reply instanceof Promise) reply.then(send, () => undefined);
    else send(reply);
  });
  await new Promise<void>((ok, fail) => {
    socket.once('error', fail);
    socket.bind(at.port, at.host, () => {
      socket.off('error', fail);
      ok();
    });
  });
  socket.on('error', () => undefined);
  return {
    socket,
    port: socket.address().port,
    close: () => new Promise((ok) => socket.close(() => ok())),
  };
}
