/**
 * A minimal DNS client over UDP for the test helpers: builds one query (RD off, no EDNS) and reads
 * the header of the answer. Enough to tell whether a server on 127.0.0.1 is up and authoritative;
 * tests that look at answers use the real `dig`.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';

export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28 } as const;

/** The wire form of one query for `name` (absolute or not; the root is '' or '.'). */
export function buildQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0, 2); // QUERY, RD=0
  header.writeUInt16BE(1, 4); // QDCOUNT
  parts.push(header);
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`label too long: ${label}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt8(0, 0);
  tail.writeUInt16BE(qtype, 1);
  tail.writeUInt16BE(1, 3); // IN
  parts.push(tail);
  return Buffer.concat(parts);
}

export interface ProbeAnswer {
  rcode: number;
  aa: boolean;
  tc: boolean;
  ancount: number;
  nscount: number;
}

/** Reads the header of an answer; undefined when it is not an answer to query `id`. */
export function parseHeader(id: number, msg: Buffer): ProbeAnswer | undefined {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) return undefined;
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return undefined;
  return {
    rcode: flags & 0x000f,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    ancount: msg.readUInt16BE(6),
    nscount: msg.readUInt16BE(8),
  };
}

/** Sends one query to 127.0.0.1:port over UDP; undefined when no answer came within timeoutMs. */
export function probe(port: number, name: string, qtype: number, timeoutMs = 500): Promise<ProbeAnswer | undefined> {
  const id = randomInt(0, 0x10000);
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: ProbeAnswer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(a);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined)); // ICMP port unreachable shows up here: not up yet
    sock.on('message', (msg) => {
      const a = parseHeader(id, msg);
      if (a) finish(a);
    });
    sock.send(buildQuery(id, name, qtype), port, '127.0.0.1', (err) => {
      if (err) finish(undefined);
    });
  });
}
