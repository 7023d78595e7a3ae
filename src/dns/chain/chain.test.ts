/**
 * The stages on their own, with queries built in memory: access control and the per-client rate
 * limit, unit policies (deny and allow lists, category actions up the tree), the identity options
 * (ODNS and ECS) and their removal, and the block actions.
 */
import { describe, expect, it } from 'vitest';
import { NetSet } from '../netset.ts';
import { OPTION, RCODE, TYPE } from '../wire/index.ts';
import { AccessStage } from './access.ts';
import { CacheStage } from './cache.ts';
import type { BlockOptions } from './block.ts';
import { Chain } from './chain.ts';
import { IdentityStage, readEcs, readOdns, writeOdns } from './identity.ts';
import { IntelStage } from './intel.ts';
import { PolicyStage, listed } from './policy.ts';
import { answer, type Answer, type Query, type Stage } from './types.ts';

function query(name: string, extra: Partial<Query> = {}): Query {
  return {
    id: 1, qname: name, name: name.toLowerCase(), qtype: TYPE.A, qclass: 1, rd: true, cd: false, edns: null, transport: 'udp',
    source: '10.1.1.5', sourcePort: 5000, client: '10.1.1.5', site: '', unit: null, start: 0, ...extra,
  };
}

/** The end of the chain: answers every query with one address, as an upstream would. */
const upstream: Stage = {
  name: 'fake-upstream', describe: () => 'answers 192.0.2.1',
  resolve: (q) => Promise.resolve(answer('resolved', 'upstream', RCODE.NOERROR, { answers: [{ name: q.qname, type: TYPE.A, class: 1, ttl: 60, data: { kind: 'a', address: '192.0.2.1' } }] })),
};
const block: BlockOptions = { action: 'nxdomain', ttl: 60, sinkholeV4: '192.0.2.253', sinkholeV6: '2001:db8::253' };

describe('access stage', () => {
  it('refuses sources outside the allowed networks', async () => {
    const chain = new Chain([new AccessStage({ allowed: new NetSet(['10.1.0.0/16']), rate: 0, burst: 1 }), upstream]);
    expect((await chain.resolve(query('a.example'))).outcome).toBe('resolved');
    const r = await chain.resolve(query('a.example', { source: '203.0.113.9', client: '203.0.113.9' }));
    expect(r).toMatchObject({ outcome: 'refused', reason: 'acl', rcode: RCODE.REFUSED });
  });

  it('answers ANY over UDP with the RFC 8482 HINFO and nothing else, and passes ANY over TCP on', async () => {
    const chain = new Chain([new AccessStage({ allowed: new NetSet(['0.0.0.0/0']), rate: 0, burst: 1 }), upstream]);
    const udp = await chain.resolve(query('big.example', { qtype: TYPE.ANY }));
    expect(udp).toMatchObject({ outcome: 'refused', reason: 'rfc8482-any', rcode: RCODE.NOERROR });
    expect(udp.answers).toHaveLength(1);
    expect(udp.answers[0]!.type).toBe(13);
    expect((await chain.resolve(query('big.example', { qtype: TYPE.ANY, transport: 'tcp' }))).outcome).toBe('resolved');
  });

  it('limits each client on its own: one client at its limit does not throttle another behind the same source', async () => {
    let t = 0;
    const chain = new Chain([new AccessStage({ allowed: new NetSet(['0.0.0.0/0']), rate: 10, burst: 5, now: () => t }), upstream]);
    const ask = async (client: string): Promise<Answer> => chain.resolve(query('a.example', { source: '198.51.100.11', client, site: 'east-2' }));
    const first = await Promise.all(Array.from({ length: 8 }, () => ask('192.168.1.5')));
    expect(first.map((a) => a.outcome)).toEqual([...Array<string>(5).fill('resolved'), 'ratelimited', 'ratelimited', 'ratelimited']);
    expect((await ask('192.168.1.6')).outcome).toBe('resolved');
    t += 200; // 2 tokens back at 10 q/s
    expect((await ask('192.168.1.5')).outcome).toBe('resolved');
    // Past twice the burst of refusals in a row, a flood is dropped without an answer.
    const flood = await Promise.all(Array.from({ length: 20 }, () => ask('192.168.1.5')));
    expect(flood.some((a) => a.drop === true)).toBe(true);
  });
});

describe('policy stage', () => {
  const lineage = (u: string): string[] => (u === 's-east-2' ? ['s-east-2', 'd-east', 'edu'] : u === 'd-west' ? ['d-west', 'edu'] : [u]);
  const intel = new IntelStage({ domain: (n) => (n.endsWith('pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'f' } : n.endsWith('tunnel.test') ? { value: 'tunnel.test', category: 'suspicious', source: 'f' } : null), ip: () => null, size: () => 2 }, block);
  const chain = new Chain([
    new PolicyStage({
      global: { deny: ['casino.test'], categories: { suspicious: 'monitor' } },
      units: { 'd-east': { allow: ['lab.pool.test'], categories: { suspicious: 'block' } }, edu: { deny: ['games.test'] } },
      lineage, block,
    }),
    intel, upstream,
  ]);

  it('finds a name or its parents in a list', () => {
    expect(listed(new Set(['pool.test']), 'a.b.pool.test')).toBe('pool.test');
    expect(listed(new Set(['pool.test']), 'xpool.test')).toBeNull();
  });

  it('blocks deny-listed names with EDE Filtered, the global list and the lists of every unit above', async () => {
    expect(await chain.resolve(query('www.casino.test'))).toMatchObject({ outcome: 'blocked', reason: 'policy:deny-list', rcode: RCODE.NXDOMAIN, ede: { code: 17 } });
    expect((await chain.resolve(query('games.test', { unit: 's-east-2' }))).outcome).toBe('blocked');
    expect((await chain.resolve(query('games.test', { unit: null }))).outcome).toBe('resolved');
  });

  it('lets a unit allow a name that intelligence would block, below that unit only', async () => {
    expect((await chain.resolve(query('lab.pool.test', { unit: 's-east-2' }))).outcome).toBe('resolved');
    expect((await chain.resolve(query('lab.pool.test', { unit: 'd-west' }))).outcome).toBe('blocked');
  });

  it('applies the nearest category action: monitor answers and marks, block blocks', async () => {
    expect(await chain.resolve(query('x.tunnel.test', { unit: 'd-west' }))).toMatchObject({ outcome: 'monitored', indicator: 'tunnel.test', category: 'suspicious', answers: [{ data: { address: '192.0.2.1' } }] });
    expect((await chain.resolve(query('x.tunnel.test', { unit: 's-east-2' }))).outcome).toBe('blocked');
  });

  it('answers a block with the configured action', async () => {
    const sink = new Chain([new IntelStage({ domain: (n) => (n.endsWith('pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'f' } : null), ip: () => null, size: () => 1 }, { ...block, action: 'sinkhole' }), upstream]);
    expect((await sink.resolve(query('xmr.pool.test'))).answers[0]?.data).toEqual({ kind: 'a', address: '192.0.2.253' });
    expect((await sink.resolve(query('xmr.pool.test', { qtype: TYPE.AAAA }))).answers[0]?.data).toEqual({ kind: 'aaaa', address: '2001:db8::253' });
    expect(await sink.resolve(query('xmr.pool.test', { qtype: TYPE.TXT }))).toMatchObject({ rcode: RCODE.NOERROR, answers: [] });
  });
});

describe('per-unit block action', () => {
  const lineage = (u: string): string[] => (u === 's-east-2' ? ['s-east-2', 'd-east', 'edu'] : u === 'd-west' ? ['d-west', 'edu'] : [u]);
  const build = (global: { blockAction?: 'nxdomain' | 'nodata' | 'refused' | 'sinkhole' } = {}): Chain => new Chain([
    new PolicyStage({
      global: { deny: ['casino.test'], ...global },
      units: { 'd-east': { blockAction: 'refused' }, 's-east-2': {}, edu: { blockAction: 'sinkhole' }, lab: { blockAction: 'nodata' } },
      lineage, block,
    }),
    new IntelStage({ domain: (n) => (n.endsWith('pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'f' } : null), ip: () => null, size: () => 1 }, block),
    upstream,
  ]);

  it('answers deny-list and intelligence blocks with the nearest unit action up the tree', async () => {
    const chain = build();
    for (const name of ['casino.test', 'xmr.pool.test']) {
      expect(await chain.resolve(query(name, { unit: 's-east-2' }))).toMatchObject({ outcome: 'blocked', rcode: RCODE.REFUSED, answers: [], blockShape: 'refused||60' });
      expect(await chain.resolve(query(name, { unit: 'd-west' }))).toMatchObject({ outcome: 'blocked', rcode: RCODE.NOERROR, answers: [{ data: { kind: 'a', address: '192.0.2.253' } }] });
      expect(await chain.resolve(query(name, { unit: 'lab' }))).toMatchObject({ outcome: 'blocked', rcode: RCODE.NOERROR, answers: [], authorities: [{ type: TYPE.SOA }] });
    }
  });

  it('falls back to the global policy, then to dns.block.action', async () => {
    expect(await build().resolve(query('xmr.pool.test', { unit: 'elsewhere' }))).toMatchObject({ rcode: RCODE.NXDOMAIN, blockShape: 'nxdomain||60' });
    expect(await build().resolve(query('xmr.pool.test'))).toMatchObject({ rcode: RCODE.NXDOMAIN });
    expect(await build({ blockAction: 'refused' }).resolve(query('xmr.pool.test', { unit: 'elsewhere' }))).toMatchObject({ rcode: RCODE.REFUSED });
    expect(await build({ blockAction: 'refused' }).resolve(query('xmr.pool.test', { unit: 'lab' }))).toMatchObject({ rcode: RCODE.NOERROR, answers: [] });
  });

  it('names the action in the block shape, so encoded block templates are never shared across actions', async () => {
    const chain = build();
    const shapes = new Set<string | undefined>();
    for (const unit of ['s-east-2', 'd-west', 'lab', 'elsewhere']) shapes.add((await chain.resolve(query('casino.test', { unit }))).blockShape);
    expect(shapes.size).toBe(4);
  });
});

describe('intel stage over a cache', () => {
  it('answers hits synchronously, remembers the record verdict per generation, and re-checks when the intelligence changes', async () => {
    const bad = new Set<string>();
    let generation = 1;
    let ipLookups = 0;
    const intel = new IntelStage({
      domain: () => null,
      ip: (a) => {
        ipLookups++;
        return bad.has(a) ? { value: a, category: 'mining-pool', source: 'f' } : null;
      },
      size: () => bad.size,
      generation: () => generation,
    }, block);
    const chain = new Chain([intel, new CacheStage({ maxEntries: 10, maxTtl: 3600, staleSeconds: 0, prefetchHits: 0 }), upstream]);
    expect((await chain.resolve(query('a.example'))).outcome).toBe('resolved');
    const hit = chain.resolve(query('a.example'));
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as Answer).outcome).toBe('cached');
    const before = ipLookups;
    void chain.resolve(query('a.example'));
    expect(ipLookups).toBe(before); // same generation: the verdict kept with the entry
    bad.add('192.0.2.1');
    generation++;
    expect(chain.resolve(query('a.example'))).toMatchObject({ outcome: 'blocked', reason: 'indicator:answer-ip', indicator: '192.0.2.1' });
  });
});

describe('identity stage', () => {
  it('reads ODNS (v4 and v6, with the appliance id) and ECS /32 /128, and nothing shorter', () => {
    expect(readOdns(writeOdns('192.168.1.23', 1001))).toEqual({ client: '192.168.1.23', applianceId: 1001 });
    expect(readOdns(writeOdns('2001:db8::23'))).toEqual({ client: '2001:db8::23' });
    expect(readOdns(Uint8Array.from([1, 2, 3, 4, 0, 0, 0x10, 1, 2, 3, 4]))).toBeNull();
    expect(readEcs(Uint8Array.from([0, 1, 32, 0, 192, 168, 1, 23]))).toEqual({ client: '192.168.1.23' });
    expect(readEcs(Uint8Array.from([0, 1, 24, 0, 192, 168, 1]))).toBeNull();
  });

  it('believes the option only from a trusted forwarder, and strips it from every query', async () => {
    const stage = new IdentityStage([{ from: new NetSet(['198.51.100.11']), site: 'east-2' }], { resolve: (ip, site) => (site === 'east-2' && ip === '192.168.1.23' ? { unitId: 's-east-2' } : null) });
    let seen: Query | null = null;
    const chain = new Chain([stage, { name: 'spy', describe: () => '', resolve: (q) => { seen = q; return Promise.resolve(answer('resolved', 'x', 0)); } }]);
    const edns = { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [{ code: OPTION.ODNS, data: writeOdns('192.168.1.23') }, { code: OPTION.COOKIE, data: new Uint8Array(8) }] };
    await chain.resolve(query('a.example', { source: '198.51.100.11', client: '198.51.100.11', edns }));
    expect(seen).toMatchObject({ client: '192.168.1.23', site: 'east-2', unit: 's-east-2' });
    expect(seen!.edns!.options.map((o) => o.code)).toEqual([OPTION.COOKIE]);
    await chain.resolve(query('a.example', { source: '203.0.113.7', client: '203.0.113.7', edns }));
    expect(seen).toMatchObject({ client: '203.0.113.7', site: '' });
    expect(seen!.edns!.options.map((o) => o.code)).toEqual([OPTION.COOKIE]);
  });
});
