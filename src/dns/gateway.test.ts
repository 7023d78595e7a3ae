/**
 * The gateway on loopback with a real authoritative upstream (NSD, test/support) and real clients
 * (dig): resolution and the cache, negative caching, blocks by name and by CNAME target with
 * their EDE, the sinkhole action, TCP and truncation, forwarder identity, serve-stale when the
 * upstream dies, malformed packets, and the chain order.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsEvent } from '../model/events.ts';
import { configSchema } from '../config/index.ts';
import { createLogger } from '../core/log.ts';
import { hasNsd, NO_NSD_REASON, startAuthoritative, TEST_ZONE, type Authoritative } from '../../test/support/authoritative.ts';
import { Forwarder, Gateway, writeOdns, type ThreatLookup } from './index.ts';
import { decode, encode, OPTION, TYPE } from './wire/index.ts';

const run = promisify(execFile);
const log = createLogger({ level: 'silent', format: 'json' });

/** Indicators as the intel engine would give them (the adapter over IntelEngine is tested through serve). */
const INTEL: ThreatLookup = {
  domain: (n) => (n === 'pool.test' || n.endsWith('.pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'test-feed' } : null),
  ip: (a) => (a === '192.0.2.25' ? { value: '192.0.2.25', category: 'botnet-c2', source: 'test-feed' } : null),
  size: () => 2,
};

async function dig(port: number, ...args: string[]): Promise<string> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...args]);
  return r.stdout;
}

function gatewayConfig(upstreamPort: number, extra: Record<string, unknown> = {}) {
  return configSchema.parse({ dns: { listen: '127.0.0.1:0', upstreams: [`127.0.0.1:${upstreamPort}`], timeout: 1, ...extra } }).dns;
}

const describeNsd = hasNsd() ? describe : describe.skip;

describeNsd(`gateway with NSD upstream${hasNsd() ? '' : ` (skipped: ${NO_NSD_REASON})`}`, () => {
  let auth: Authoritative;
  let gw: Gateway;
  let port: number;
  const events: DnsEvent[] = [];
  const units = { resolve: (ip: string, site?: string) => (site === 'east-2' && ip.startsWith('192.168.1.') ? { unitId: 's-east-2' } : null), lineage: (u: string) => [u] };

  beforeAll(async () => {
    auth = await startAuthoritative([...TEST_ZONE, { origin: 'flash.test', records: '@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\nonce 1 A 192.0.2.77' }]);
    gw = await Gateway.start({
      config: gatewayConfig(auth.port, { forwarders: [{ from: '127.0.0.1/32', site: 'east-2' }], cache: { stale: 3600 } }),
      intel: INTEL, org: units, queryLog: { record: (e) => events.push(e) > 0 }, log,
    });
    port = gw.addresses[0]!.port;
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await auth?.stop();
  });

  const last = (name: string): DnsEvent => [...events].reverse().find((e) => e.name === name)!;

  it('runs the stages in the documented order', () => {
    expect(gw.chain.names()).toEqual(['identity', 'access', 'policy', 'intel', 'cache', 'upstream']);
  });

  it('resolves through the upstream, then answers from the cache with the TTL counted down', async () => {
    const first = await dig(port, 'www.example.test', 'A');
    expect(first).toMatch(/status: NOERROR/);
    expect(first).toMatch(/^www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.10$/m);
    expect(last('www.example.test')).toMatchObject({ outcome: 'resolved', client: '127.0.0.1', qtype: 1, rcode: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    const again = await dig(port, 'WWW.Example.TEST', 'A');
    const ttl = Number(/^WWW\.Example\.TEST\.\s+(\d+)\s+IN\s+A/m.exec(again)?.[1]);
    expect(ttl).toBeLessThan(300);
    expect(ttl).toBeGreaterThan(290);
    expect(last('www.example.test')).toMatchObject({ outcome: 'cached' });
  });

  it('answers cache hits of each shape (no EDNS, EDNS, DO) from the entry\'s encoded response, patched per client', async () => {
    await dig(port, 'deep.ent.example.test', 'A');
    const plain = await dig(port, '+noedns', '+norecurse', 'DEEP.ENT.example.test', 'A');
    expect(plain).not.toMatch(/OPT PSEUDOSECTION/);
    expect(plain).toMatch(/flags: qr ra;/);
    expect(plain).toMatch(/^DEEP\.ENT\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.60$/m);
    const dnssec = await dig(port, '+dnssec', 'deep.ent.example.test', 'A');
    expect(dnssec).toMatch(/EDNS: version: 0, flags: do; udp: 1232/);
    expect(dnssec).toMatch(/flags: qr rd ra;/);
    const again = await dig(port, 'deep.ent.example.test', 'A');
    expect(again).toMatch(/^deep\.ent\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.60$/m);
    expect(last('deep.ent.example.test').outcome).toBe('cached');
  });

  it('caches a negative answer for the SOA minimum (RFC 2308)', async () => {
    expect(await dig(port, 'nothing.example.test', 'A')).toMatch(/status: NXDOMAIN/);
    const second = await dig(port, 'nothing.example.test', 'A');
    expect(second).toMatch(/status: NXDOMAIN/);
    expect(second).toMatch(/^example\.test\.\s+(60|59)\s+IN\s+SOA/m);
    expect(last('nothing.example.test')).toMatchObject({ outcome: 'cached', rcode: 3 });
  });

  it('blocks an indicator and every name under it, with an Extended DNS Error saying why', async () => {
    const out = await dig(port, 'xmr.pool.test', 'A');
    expect(out).toMatch(/status: NXDOMAIN/);
    expect(out).toMatch(/EDE: 15 \(Blocked\): \(mining-pool: pool\.test \[test-feed\]\)/);
    expect(last('xmr.pool.test')).toMatchObject({ outcome: 'blocked', reason: 'indicator', indicator: 'pool.test', category: 'mining-pool', rcode: 3 });
  });

  it('blocks a name whose CNAME leads to an indicator, and an answer address that is one', async () => {
    expect(await dig(port, 'outside.example.test', 'A')).toMatch(/EDE: 15 \(Blocked\): \(mining-pool: pool\.test \(CNAME target\)/);
    expect(last('outside.example.test')).toMatchObject({ outcome: 'blocked', reason: 'indicator:cname' });
    expect(await dig(port, 'mail.example.test', 'A')).toMatch(/EDE: 15 \(Blocked\): \(botnet-c2: 192\.0\.2\.25 \(answer address\)/);
  });

  it('sets TC for a UDP client with a small buffer, and answers in full over TCP', async () => {
    const udp = await dig(port, '+ignore', '+bufsize=512', 'big.example.test', 'TXT');
    expect(udp).toMatch(/flags: qr tc/);
    const tcp = await dig(port, '+tcp', 'big.example.test', 'TXT');
    expect(tcp.match(/^big\.example\.test\.\s+\d+\s+IN\s+TXT/gm)).toHaveLength(8);
  });

  it('takes the real client from a trusted forwarder (ODNS option) and keeps it from the upstream', async () => {
    const q = encode({
      id: 4242, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
      questions: [{ name: 'v6.example.test', type: TYPE.AAAA, class: 1 }], answers: [], authorities: [], additionals: [],
      edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [{ code: OPTION.ODNS, data: writeOdns('192.168.1.23') }] },
    });
    const reply = await new Promise<Buffer>((resolve) => {
      const s = createSocket('udp4');
      s.on('message', (m) => {
        s.close();
        resolve(m);
      });
      s.send(q, port, '127.0.0.1');
    });
    const m = decode(reply);
    expect(m.id).toBe(4242);
    expect(m.answers[0]?.data).toEqual({ kind: 'aaaa', address: '2001:db8::10' });
    expect(last('v6.example.test')).toMatchObject({ client: '192.168.1.23', site: 'east-2', unit: 's-east-2', via: '127.0.0.1', outcome: 'resolved' });
  });

  it('a site forwarder names each client to the gateway, which logs the host, not the forwarder', async () => {
    const fwd = await Forwarder.start({ listen: ['127.0.0.1:0'], upstreams: [`127.0.0.1:${port}`], allow: [], timeout: 2 }, log);
    try {
      const fport = fwd.addresses[0]!.port;
      const out = (await run('dig', ['-b', '127.0.0.2', '@127.0.0.1', '-p', String(fport), '+time=3', '+tries=1', 'alias.example.test', 'A'])).stdout;
      expect(out).toMatch(/^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10$/m);
      expect(last('alias.example.test')).toMatchObject({ client: '127.0.0.2', via: '127.0.0.1', site: 'east-2', outcome: 'resolved' });
      // Blocks reach the site's clients through the forwarder, with the EDE.
      const blocked = (await run('dig', ['-b', '127.0.0.3', '@127.0.0.1', '-p', String(fport), '+time=3', '+tries=1', 'eu.pool.test', 'A'])).stdout;
      expect(blocked).toMatch(/EDE: 15 \(Blocked\)/);
      expect(last('eu.pool.test')).toMatchObject({ client: '127.0.0.3', outcome: 'blocked' });
    } finally {
      await fwd.close();
    }
  });

  it('answers FORMERR to a malformed query, ignores garbage and responses, and keeps serving', async () => {
    const s = createSocket('udp4');
    const replies: Buffer[] = [];
    s.on('message', (m) => replies.push(m));
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
    // A header that promises a question that is not there.
    s.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61]), port, '127.0.0.1');
    for (let i = 0; i < 200; i++) s.send(Buffer.from(Array.from({ length: 1 + (i % 60) }, (_v, k) => (i * 31 + k * 7) & 255)), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    const formerr = replies.find((r) => r[0] === 0x12 && r[1] === 0x34);
    expect(formerr).toBeDefined();
    expect(formerr![3]! & 15).toBe(1);
    expect(await dig(port, 'www.example.test', 'AAAA')).toMatch(/status: NOERROR/);
    expect(gw.handler.stats.malformed).toBeGreaterThan(0);
  });

  it('serves a stale answer (RFC 8767) when the upstream is gone', async () => {
    expect(await dig(port, 'once.flash.test', 'A')).toMatch(/^once\.flash\.test\.\s+1\s+IN\s+A\s+192\.0\.2\.77$/m);
    await auth.stop();
    await new Promise((r) => setTimeout(r, 1500));
    const out = await dig(port, 'once.flash.test', 'A');
    expect(out).toMatch(/^once\.flash\.test\.\s+30\s+IN\s+A\s+192\.0\.2\.77$/m);
    expect(out).toMatch(/EDE: 3 \(Stale Answer\)/);
    expect(last('once.flash.test')).toMatchObject({ outcome: 'stale' });
    expect(await dig(port, 'never-seen.example.test', 'A')).toMatch(/status: SERVFAIL/);
    expect(last('never-seen.example.test')).toMatchObject({ outcome: 'servfail', reason: 'upstream-timeout' });
  }, 20_000);
});

describeNsd('gateway reload', () => {
  it('takes a new policy without a restart and without losing queries, keeping the cache', async () => {
    const auth = await startAuthoritative(TEST_ZONE);
    const events: DnsEvent[] = [];
    const deps = { intel: INTEL, org: { resolve: () => null, lineage: (u: string) => [u] }, queryLog: { record: (e: DnsEvent) => events.push(e) > 0 }, log };
    const gw = await Gateway.start({ ...deps, config: gatewayConfig(auth.port) });
    try {
      const port = gw.addresses[0]!.port;
      expect(await dig(port, 'www.example.test', 'A')).toMatch(/status: NOERROR/);
      // Queries keep flowing while the policy changes under them.
      const during = Promise.all(Array.from({ length: 30 }, (_v, i) => dig(port, i % 2 === 0 ? 'www.example.test' : 'mail.example.test', 'A')));
      gw.reload(gatewayConfig(auth.port, { policy: { deny: ['www.example.test'] } }));
      const answers = await during;
      expect(answers.every((a) => /status: (NOERROR|NXDOMAIN)/.test(a))).toBe(true);
      const after = await dig(port, 'www.example.test', 'A');
      expect(after).toMatch(/status: NXDOMAIN/);
      expect(after).toMatch(/EDE: 17 \(Filtered\): \(deny list: www\.example\.test\)/);
      expect(gw.stages.cache.size).toBeGreaterThan(0);
      expect(gw.chain.names()).toEqual(['identity', 'access', 'policy', 'intel', 'cache', 'upstream']);
    } finally {
      await gw.close();
      await auth.stop();
    }
  }, 30_000);
});
