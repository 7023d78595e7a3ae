/**
 * Central policies reach a running gateway: a real gateway on loopback with a local authoritative
 * upstream (NSD), the applier over a memory store, changes made through PolicyService, and real
 * UDP queries (dig) that see the change within seconds — a deny list, its rollback, a per-unit
 * block action — and the gateway's heartbeat naming the revision it applied.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.ts';
import { createLogger } from '../src/core/log.ts';
import { Gateway, type ThreatLookup } from '../src/dns/index.ts';
import { PolicyService } from '../src/policy/index.ts';
import { openMemoryStore, type Store } from '../src/store/index.ts';
import { PolicyApplier } from '../src/cli/policy-apply.ts';
import { hasNsd, NO_NSD_REASON, startAuthoritative, TEST_ZONE, type Authoritative } from './support/authoritative.ts';

const run = promisify(execFile);
const log = createLogger({ level: 'silent', format: 'json' });

const INTEL: ThreatLookup = {
  domain: (n) => (n === 'pool.test' || n.endsWith('.pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'test-feed' } : null),
  ip: () => null,
  size: () => 1,
};

/** The answer's status word (NOERROR, NXDOMAIN, REFUSED, …). */
async function status(port: number, name: string): Promise<string> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', name, 'A']);
  return /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? `no answer: ${r.stdout}`;
}

/** Asks until the status is `want` or `ms` pass; returns the last status. */
async function until(port: number, name: string, want: string, ms = 3000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = await status(port, name);
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

const describeNsd = hasNsd() ? describe : describe.skip;

describeNsd(`central policies applied to a running gateway${hasNsd() ? '' : ` (skipped: ${NO_NSD_REASON})`}`, () => {
  let auth: Authoritative;
  let store: Store;
  let gw: Gateway;
  let applier: PolicyApplier;
  let policy: PolicyService;
  let port: number;

  beforeAll(async () => {
    auth = await startAuthoritative([...TEST_ZONE]);
    store = await openMemoryStore();
    // 127.0.0.1 is a client of unit "lab", below "edu".
    const org = { resolve: (ip: string) => (ip === '127.0.0.1' ? { unitId: 'lab' } : null), lineage: (u: string) => (u === 'lab' ? ['lab', 'edu'] : [u]) };
    policy = new PolicyService({ store: store.policy, unitExists: (id) => id === 'lab' || id === 'edu' });
    const dns = configSchema.parse({ dns: { listen: '127.0.0.1:0', upstreams: [`127.0.0.1:${auth.port}`], timeout: 1 } }).dns;
    gw = await Gateway.start({ config: dns, intel: INTEL, org, queryLog: null, log });
    port = gw.addresses.find((a) => a.proto === 'udp')!.port;
    // A long poll: the changes below must arrive through onChange, not the timer.
    applier = await PolicyApplier.start({ store: store.policy, service: policy, dns, gateway: gw, log, pollSeconds: 60, id: 'gw-test', hostname: 'test-host' });
  }, 30_000);

  afterAll(async () => {
    await applier?.stop();
    await gw?.close();
    await store?.close();
    await auth?.stop();
  });

  it('reports itself on start with the revision it applied', async () => {
    const [g] = await store.policy.gateways(0);
    expect(g).toMatchObject({ id: 'gw-test', hostname: 'test-host', policyRevision: await store.policy.revision() });
    expect(g?.appliedAt).not.toBeNull();
  });

  it('blocks a name denied for the unit within 3 s, and resolves it again after a rollback', async () => {
    expect(await status(port, 'www.example.test')).toBe('NOERROR');
    await policy.set('unit:lab', { deny: ['example.test'] }, 'test', 'deny');
    expect(await until(port, 'www.example.test', 'NXDOMAIN')).toBe('NXDOMAIN');
    await policy.set('unit:lab', { deny: ['other.test'] }, 'test');
    expect(await until(port, 'www.example.test', 'NOERROR')).toBe('NOERROR');
    await policy.rollback('unit:lab', 1, 'test');
    expect(await until(port, 'www.example.test', 'NXDOMAIN')).toBe('NXDOMAIN');
    await policy.clear('unit:lab', 'test');
    expect(await until(port, 'www.example.test', 'NOERROR')).toBe('NOERROR');
  });

  it('answers blocks with the block action of the unit (set on its parent)', async () => {
    expect(await status(port, 'xmr.pool.test')).toBe('NXDOMAIN');
    await policy.set('unit:edu', { blockAction: 'refused' }, 'test');
    expect(await until(port, 'xmr.pool.test', 'REFUSED')).toBe('REFUSED');
    await policy.set('unit:lab', { categories: { 'mining-pool': 'monitor' } }, 'test');
    expect(await until(port, 'xmr.pool.test', 'NOERROR')).toBe('NOERROR');
  });

  it('picks up a change made elsewhere (another process) on its poll, and heartbeats the revision it applied', async () => {
    // Straight into the store, as another process would: no onChange here.
    await store.policy.append({ scope: 'global', document: { categories: {}, allow: [], deny: ['example.test'], blockAction: 'refused' }, author: 'other', createdAt: Date.now(), comment: '', rolledBackFrom: null });
    const revision = await store.policy.revision();
    await applier.check();
    expect(await status(port, 'www.example.test')).toBe('REFUSED');
    const [g] = await store.policy.gateways(0);
    expect(g?.policyRevision).toBe(revision);
    expect(applier.gateway().policyRevision).toBe(revision);
  });

  it('polls the store every api.policyPoll seconds', async () => {
    const reloads: Array<readonly string[]> = [];
    const polled = await PolicyApplier.start({
      store: store.policy, dns: configSchema.parse({}).dns, log, pollSeconds: 0.1, id: 'gw-poll',
      gateway: { reload: (c) => reloads.push(c.policy.deny) },
    });
    try {
      expect(reloads).toHaveLength(1);
      await store.policy.append({ scope: 'global', document: { categories: {}, allow: [], deny: ['polled.test'] }, author: 'other', createdAt: Date.now(), comment: '', rolledBackFrom: null });
      const end = Date.now() + 3000;
      while (reloads.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(reloads[1]).toEqual(['polled.test']);
      expect((await store.policy.gateways(0)).find((g) => g.id === 'gw-poll')?.policyRevision).toBe(await store.policy.revision());
    } finally {
      await polled.stop();
    }
  });

  it('keeps the previous policy when a revision cannot be applied', async () => {
    const before = applier.gateway().policyRevision;
    const broken = await PolicyApplier.start({
      store: store.policy, dns: configSchema.parse({}).dns, log, pollSeconds: 60, id: 'gw-broken',
      gateway: { reload: () => { throw new Error('boom'); } },
    });
    expect(broken.gateway()).toMatchObject({ appliedAt: null, policyRevision: 0 });
    await broken.stop();
    expect(applier.gateway().policyRevision).toBe(before);
  });
});
