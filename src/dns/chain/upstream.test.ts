/**
 * Upstream fail-over and health checks on loopback: a dead upstream is skipped after three
 * failures, marked down, probed by the health check, and marked up again once it answers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { decode, encode, TYPE } from '../wire/index.ts';
import { UpstreamStage } from './upstream.ts';
import type { Query } from './types.ts';

/** A tiny authoritative stand-in on loopback: answers every query with one A record. */
async function responder(port = 0): Promise<{ sock: Socket; port: number }> {
  const sock = createSocket('udp4');
  sock.on('message', (m, r) => {
    const q = decode(m);
    const name = q.questions[0]?.name ?? '';
    sock.send(encode({ ...q, flags: { ...q.flags, qr: true, aa: true }, answers: name === '' ? [] : [{ name, type: TYPE.A, class: 1, ttl: 60, data: { kind: 'a', address: '192.0.2.9' } }] }), r.port, r.address);
  });
  await new Promise<void>((ok) => sock.bind(port, '127.0.0.1', ok));
  return { sock, port: sock.address().port };
}

function query(name: string): Query {
  return { id: 1, qname: name, name, qtype: TYPE.A, qclass: 1, rd: true, cd: false, edns: null, transport: 'udp', source: '127.0.0.1', sourcePort: 1, client: '127.0.0.1', site: '', unit: null, start: 0 };
}

describe('upstream stage', () => {
  it('fails over past a dead upstream, marks it down, and brings it back when the health check gets an answer', async () => {
    const free = await responder();
    const deadPort = free.port;
    free.sock.close();
    const live = await responder();
    const stage = new UpstreamStage({
      upstreams: [{ host: '127.0.0.1', port: deadPort, protocol: 'udp' }, { host: '127.0.0.1', port: live.port, protocol: 'udp' }],
      zones: [], timeoutMs: 200, downMs: 60_000, healthCheckMs: 0,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const a = await stage.resolve(query(`n${i}.example.test`), () => Promise.reject(new Error('no next')));
        expect(a).toMatchObject({ outcome: 'resolved', answers: [{ data: { address: '192.0.2.9' } }] });
      }
      expect(stage.health()[0]).toMatchObject({ up: false, failed: 3 });
      // Marked down: the next query goes straight to the live one; the dead one is not tried.
      await stage.resolve(query('fast.example.test'), () => Promise.reject(new Error('no next')));
      expect(stage.health()[0]).toMatchObject({ up: false, failed: 3 });
      expect(await stage.checkDown()).toBe(0);
      const revived = await responder(deadPort);
      try {
        expect(await stage.checkDown()).toBe(1);
        expect(stage.health()[0]).toMatchObject({ up: true });
      } finally {
        revived.sock.close();
      }
    } finally {
      stage.close();
      live.sock.close();
    }
  });
});
