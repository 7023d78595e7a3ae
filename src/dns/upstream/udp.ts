/**
 * Queries to one upstream over UDP, with a random source port and ID for every query (RFC 5452
 * §9.2: both must be unpredictable to resist spoofed answers). A small pool of sockets bound to
 * kernel-chosen random ports is rotated at random; a reply is accepted only from the upstream's
 * address and port, with the query's ID and question, so a stray or spoofed packet is dropped.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

interface Pending {
  resolve: (reply: Uint8Array) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** The question bytes (offset 12 to the end of the question) the reply must repeat. */
  question: Uint8Array;
}

export class UpstreamTimeout extends Error {}

export class UdpUpstream {
  private sockets: Socket[] = [];
  private readonly pending: Array<Map<number, Pending>> = [];
  private ready: Promise<void> | null = null;
  private closed = false;

  constructor(readonly host: string, readonly port: number, private readonly poolSize = 8) {}

  private open(): Promise<void> {
    this.ready ??= Promise.all(
      Array.from({ length: this.poolSize }, (_v, i) => {
        const s = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
        this.sockets[i] = s;
        this.pending[i] = new Map();
        s.on('message', (msg, rinfo) => this.onReply(i, msg, rinfo.address, rinfo.port));
        s.on('error', () => undefined);
        return new Promise<void>((ok) => s.bind(0, ok));
      }),
    ).then(() => undefined);
    return this.ready;
  }

  /**
   * Sends `query` (its ID bytes are overwritten with a fresh random ID) and resolves with the
   * reply bytes, or rejects with UpstreamTimeout after `timeoutMs`.
   */
  async query(query: Uint8Array, questionEnd: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.closed) throw new Error('upstream closed');
    await this.open();
    const i = randomInt(this.sockets.length);
    const map = this.pending[i]!;
    let id = randomInt(65536);
    for (let tries = 0; map.has(id) && tries < 16; tries++) id = randomInt(65536);
    if (map.has(id)) throw new Error('too many queries in flight on one socket');
    query[0] = id >> 8;
    query[1] = id & 255;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(id);
        reject(new UpstreamTimeout(`no answer from ${this.host}:${this.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      map.set(id, { resolve, reject, timer, question: query.slice(12, questionEnd) });
      this.sockets[i]!.send(query, this.port, this.host, (err) => {
        if (err === null || err === undefined) return;
        clearTimeout(timer);
        map.delete(id);
        reject(err);
      });
    });
  }

  private onReply(i: number, msg: Buffer, address: string, port: number): void {
    if (port !== this.port || address !== this.host || msg.length < 12) return;
    const id = (msg[0]! << 8) | msg[1]!;
    const p = this.pending[i]!.get(id);
    if (p === undefined) return;
    // The reply must repeat the question (RFC 5452 §9.1); compare bytes case-insensitively.
    const q = p.question;
    if (msg.length < 12 + q.length) return;
    for (let k = 0; k < q.length; k++) {
      const a = msg[12 + k]!;
      const b = q[k]!;
      if (a !== b && (a | 0x20) !== (b | 0x20)) return;
    }
    clearTimeout(p.timer);
    this.pending[i]!.delete(id);
    p.resolve(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
  }

  close(): void {
    this.closed = true;
    for (const [i, s] of this.sockets.entries()) {
      for (const p of this.pending[i]?.values() ?? []) {
        clearTimeout(p.timer);
        p.reject(new Error('upstream closed'));
      }
      s.close();
    }
    this.sockets = [];
  }
}
