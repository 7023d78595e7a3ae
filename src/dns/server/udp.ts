/**
 * The gateway's UDP listener: one socket per listen address, each datagram one query. With the
 * native batched-UDP addon (./udp-batch.ts) a burst of queries is read with one recvmmsg and the
 * answers that are ready at once go out with one sendmmsg; without it, node:dgram.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { QueryHandler } from './handler.ts';
import { addrPort, addrText, ADDR_BYTES, copyAddr, loadUdpBatch, writeAddr, type UdpBatchBinding, type UdpBatchHandle } from './udp-batch.ts';

export interface Listen {
  host: string;
  port: number;
}

export interface UdpOptions {
  /** Use the batched addon when it loads (default true). */
  batched?: boolean;
  /** SO_REUSEPORT, so worker threads can bind the same port (needs the addon). */
  reusePort?: boolean;
}

export interface UdpListener {
  port: number;
  /** 'batched' (recvmmsg/sendmmsg) or 'dgram'. */
  kind: 'batched' | 'dgram';
  close: () => Promise<void>;
}

export async function listenUdp(at: Listen, handler: QueryHandler, opts: UdpOptions = {}): Promise<UdpListener> {
  const native = opts.batched === false ? null : loadUdpBatch();
  if (native !== null) return listenBatched(native, at, handler, opts.reusePort === true);
  if (opts.reusePort === true) throw new Error('several DNS workers need the native udp-batch addon (SO_REUSEPORT), which did not load');
  return listenDgram(at, handler);
}

function listenBatched(native: UdpBatchBinding, at: Listen, handler: QueryHandler, reusePort: boolean): UdpListener {
  // The addon calls onBatch with `this` = the handle (known before open() returns to us).
  const onBatch = function (this: UdpBatchHandle, n: number): void {
    answerBatch(native, this, handler, n);
  };
  const h = native.open(at.host, at.port, { reusePort }, onBatch);
  return {
    port: native.port(h),
    kind: 'batched',
    close: () => {
      native.close(h);
      return Promise.resolve();
    },
  };
}

/** Answers datagrams 0..n-1 of the handle's in-slots; replies ready now leave in one sendmmsg. */
function answerBatch(native: UdpBatchBinding, h: UdpBatchHandle, handler: QueryHandler, n: number): void {
  const { inBuf, inLen, inAddr, outBuf, outLen, outAddr, slot } = h;
  let out = 0;
  for (let i = 0; i < n; i++) {
    const len = inLen[i]!;
    if (len < 0) continue; // longer than a slot: no DNS query over UDP is (handler counts none; the addon does)
    const off = i * slot;
    const reply = handler.handle(inBuf.subarray(off, off + len), addrText(inAddr, i), addrPort(inAddr, i), 'udp', outBuf.subarray(0, (out + 1) * slot), out * slot);
    if (reply === null) continue;
    if (reply instanceof Promise) {
      const to = copyAddr(inAddr, i);
      reply.then((r) => {
        if (r !== null) native.sendTo(h, r, to);
      }, () => undefined);
      continue;
    }
    if (reply.length > slot) {
      native.sendTo(h, reply, inAddr.subarray(i * ADDR_BYTES, (i + 1) * ADDR_BYTES));
      continue;
    }
    if (reply.buffer !== outBuf.buffer || reply.byteOffset !== outBuf.byteOffset + out * slot) outBuf.set(reply, out * slot);
    outLen[out] = reply.length;
    writeAddr(outAddr, out, inAddr, i);
    out++;
  }
  if (out > 0) native.sendBatch(h, out);
}

async function listenDgram(at: Listen, handler: QueryHandler): Promise<UdpListener & { socket: Socket }> {
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
    kind: 'dgram',
    close: () => new Promise((ok) => socket.close(() => ok())),
  };
}
