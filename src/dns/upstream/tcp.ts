/**
 * One query to an upstream over TCP (RFC 7766): two-byte length prefix, one connection per query.
 * Used when a UDP reply comes back truncated, or when the upstream is configured as TCP.
 */
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { UpstreamTimeout } from './udp.ts';

export function tcpQuery(host: string, port: number, query: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  const id = randomInt(65536);
  query[0] = id >> 8;
  query[1] = id & 255;
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new UpstreamTimeout(`no answer from ${host}:${port} (tcp) within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => {
      const len = Buffer.from([query.length >> 8, query.length & 255]);
      sock.end(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got < 2) return;
      const all = Buffer.concat(chunks);
      const need = (all[0]! << 8) | all[1]!;
      if (all.length < need + 2) return;
      clearTimeout(timer);
      sock.destroy();
      const reply = all.subarray(2, 2 + need);
      if (reply.length < 2 || ((reply[0]! << 8) | reply[1]!) !== id) {
        reject(new Error(`reply from ${host}:${port} (tcp) does not match the query`));
        return;
      }
      resolve(new Uint8Array(reply.buffer, reply.byteOffset, reply.byteLength));
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`${host}:${port} (tcp) closed the connection without an answer`));
    });
  });
}
