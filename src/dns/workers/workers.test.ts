/**
 * DNS worker threads (dns.workers) on loopback: several threads answer one UDP port (the kernel
 * spreads clients over their SO_REUSEPORT sockets), every one blocks what the shared matcher
 * lists, their queries reach the one query log, their counters the gateway's totals, and a new
 * matcher reaches them without a restart.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.ts';
import { silentLogger } from '../../core/log.ts';
import { IntelMatcher, IntelMatcherBuilder } from '../../intel/matcher/index.ts';
import type { DnsEvent } from '../../model/events.ts';
import type { Unit } from '../../model/org.ts';
import type { EventBatch } from '../../store/index.ts';
import { Gateway, type ThreatLookup } from '../index.ts';
import { loadUdpBatch, udpBatchLoadError } from '../server/udp-batch.ts';
import { decode, encode, RCODE, TYPE } from '../wire/index.ts';
import type { SharedIntel } from './protocol.ts';

function matcherOf(domains: string[]): IntelMatcher {
  const b = new IntelMatcherBuilder();
  domains.forEach((value, ref) => b.add({ type: 'domain', value, category: 'mining-pool', family: '', source: 'test', confidence: 90, expiresAt: 0, ref }));
  return b.build();
}

/** One query from its own socket (its own source port), the rcode of the answer. */
async function ask(port: number, name: string): Promise<number> {
  const s = createSocket('udp4');
  try {
    const q = encode({ id: 7, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 }, questions: [{ name, type: TYPE.A, class: 1 }], answers: [], authorities: [], additionals: [], edns: null });
    const reply = new Promise<Buffer>((ok, fail) => {
      s.once('message', ok);
      setTimeout(() => fail(new Error(`no answer for ${name}`)), 3000);
    });
    s.send(q, port, '127.0.0.1');
    return decode(await reply).flags.rcode;
  } finally {
    s.close();
  }
}

const native = loadUdpBatch();

describe.skipIf(native === null)(`DNS worker threads${native === null ? ` (skipped: ${udpBatchLoadError()})` : ''}`, () => {
  let gw: Gateway;
  let port: number;
  let shared: SharedIntel;
  const batches: EventBatch[] = [];
  const matched: DnsEvent[] = [];

  beforeAll(async () => {
    let current = matcherOf(['pool.test']);
    shared = { matcher: current.sharedParts(), allow: matcherOf([]).sharedParts(), generation: 1 };
    current = new IntelMatcher(shared.matcher);
    const intel: ThreatLookup = {
      domain: (n) => {
        const id = new IntelMatcher(shared.matcher).matchDomain(n, 0);
        return id < 0 ? null : { value: 'listed', category: 'mining-pool', source: 'test' };
      },
      ip: () => null,
      size: () => current.size,
    };
    const units: Unit[] = [{ id: 'school', name: 'School', parentId: null, cidrs: ['127.0.0.0/8'], site: '', egress: [], contacts: [] }];
    gw = await Gateway.start({
      config: configSchema.parse({ dns: { listen: '127.0.0.1:0', workers: 3, upstreams: ['127.0.0.1:9'], timeout: 1 } }).dns,
      intel, org: { resolve: () => ({ unitId: 'school' }), lineage: (u) => [u] }, queryLog: null, log: silentLogger(),
      workers: {
        intel: () => shared,
        units: () => units,
        events: { write: (b) => batches.push(b) > 0, status: () => ({ pending: 0 }) },
        matched: (ev) => void matched.push(ev),
      },
    });
    port = gw.addresses.find((a) => a.proto === 'udp')!.port;
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('answers one port from several threads, each blocking what the shared matcher lists', async () => {
    expect(gw.workers?.size).toBe(2);
    const rcodes = await Promise.all(Array.from({ length: 120 }, (_, i) => ask(port, `w${i}.pool.test`)));
    expect(rcodes.every((r) => r === RCODE.NXDOMAIN)).toBe(true);
    await new Promise((r) => setTimeout(r, 1300)); // worker counters arrive every second
    const t = gw.totals();
    expect(t.threads).toBe(3);
    expect(t.queries).toBe(120);
    expect(t.byOutcome.get('blocked')).toBe(120);
    expect(t.latency.count).toBe(120);
    const byWorker = [...gw.workers!.stats.values()].map((s) => s.queries);
    expect(byWorker.some((n) => n > 0)).toBe(true); // 120 clients on random ports: the kernel gave workers some
  });

  it('sends the workers\' query log to the one writer as dns batches with the unit filled', () => {
    const rows = batches.filter((b) => b.kind === 'dns').reduce((n, b) => n + b.n, 0);
    const byWorker = [...gw.workers!.stats.values()].reduce((n, s) => n + s.queries, 0);
    expect(rows).toBe(byWorker);
    const names = batches.flatMap((b) => (b.cols['name'] as Array<string | null>).slice(0, b.n));
    expect(names.every((n) => n !== null && n.endsWith('.pool.test'))).toBe(true);
    const unitCol = batches.flatMap((b) => (b.cols['unit'] as Array<string | null>).slice(0, b.n));
    expect(unitCol.every((u) => u === 'school')).toBe(true);
    // Each matched query also reached the main thread whole, for the detectors.
    expect(matched).toHaveLength(byWorker);
    expect(matched.every((e) => e.outcome === 'blocked' && e.indicator === 'pool.test' && e.name.endsWith('.pool.test'))).toBe(true);
  });

  it('takes a new matcher within a couple of seconds, without a restart', async () => {
    shared = { ...shared, matcher: matcherOf(['pool.test', 'fresh.test']).sharedParts(), generation: 2 };
    await new Promise((r) => setTimeout(r, 1500));
    const rcodes = await Promise.all(Array.from({ length: 60 }, (_, i) => ask(port, `n${i}.fresh.test`)));
    expect(rcodes.every((r) => r === RCODE.NXDOMAIN)).toBe(true);
  });

  it('stops every worker and frees the port', async () => {
    await gw.close();
    const s = createSocket('udp4');
    await new Promise<void>((ok, fail) => {
      s.once('error', fail);
      s.bind(port, '127.0.0.1', () => ok());
    });
    s.close();
  });
});
