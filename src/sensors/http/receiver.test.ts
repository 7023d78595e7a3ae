/**
 * HTTP ingest on loopback with a real client (fetch): the token is required, JSON lines become
 * events, a bad line is reported with its number and the others are taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinewardenEvent } from '../../model/events.ts';
import { HttpIngest } from './receiver.ts';

const TOKEN = 'a-long-enough-test-token';

describe('HTTP ingest', () => {
  const events: MinewardenEvent[] = [];
  const ingest = new HttpIngest({ listen: '127.0.0.1:0', token: TOKEN }, {
    record: (e) => events.push(e) > 0, noteHostName: () => undefined, drained: () => Promise.resolve(),
  });
  let url = '';

  beforeAll(async () => {
    await ingest.start();
    url = ingest.address;
  });
  afterAll(() => ingest.stop());

  it('refuses a request without the token, or with a wrong one, and counts it', async () => {
    expect((await fetch(`${url}/ingest`, { method: 'POST', body: '{}' })).status).toBe(401);
    const wrong = await fetch(`${url}/ingest`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope', 'content-type': 'application/x-ndjson' } });
    expect(wrong.status).toBe(401);
    expect(ingest.health().errors).toBe(2);
    expect(events).toHaveLength(0);
  });

  it('takes JSON lines as events and reports the bad line by number', async () => {
    const body = [
      JSON.stringify({ kind: 'dns', ts: 1_700_000_000_000, client: '10.1.2.3', name: 'pool.example', qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 120 }),
      '{"kind":"flow","ts":"yesterday"}',
      '',
      JSON.stringify({ kind: 'flow', ts: 1_700_000_000_000, end: 1_700_000_060_000, client: '10.1.2.3', src: '10.1.2.3', srcPort: 40000, dst: '203.0.113.9', dstPort: 3333, proto: 6, bytesOut: 900, pktsOut: 9, bytesIn: 700, pktsIn: 7, sensor: 'fw-1' }),
    ].join('\n');
    const res = await fetch(`${url}/ingest`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const reply = await res.json() as { accepted: number; rejected: number; errors: Array<{ line: number; error: string }> };
    expect(reply).toMatchObject({ accepted: 2, rejected: 1 });
    expect(reply.errors[0]).toMatchObject({ line: 2 });
    expect(events.map((e) => e.kind)).toEqual(['dns', 'flow']);
    expect(ingest.health()).toMatchObject({ events: 2, kind: 'http' });
  });

  it('answers /healthz without a token', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
  });
});
