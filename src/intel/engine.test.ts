import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { silentLogger } from '../core/log.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { decayPolicy } from './decay.ts';
import { IntelEngine } from './engine.ts';
import { PopularityGuard } from './guard.ts';
import { lookup } from './lookup.ts';
import { SEED_SOURCE } from './seed/index.ts';

const TESTDATA = new URL('../../../shared/testdata/intel/', import.meta.url);
const DAY = 86_400;

async function engineWith(opts: { now?: () => number; guard?: boolean } = {}): Promise<{ engine: IntelEngine; store: Store }> {
  const store = await openMemoryStore();
  const engine = new IntelEngine({
    store: store.intel,
    log: silentLogger(),
    decay: decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} }),
    guard: opts.guard === false ? null : PopularityGuard.withBuiltInList(),
    ...(opts.now ? { clock: opts.now } : {}),
  });
  await engine.start({ seed: false });
  return { engine, store };
}

describe('IntelEngine', () => {
  it('blocks common pools from the built-in seed with no feed configured', async () => {
    const { engine, store } = await engineWith();
    await engine.start({ seed: true });
    const r = await lookup(engine, 'pool.supportxmr.com');
    expect(r.verdict).toBe('match');
    expect(r.hit?.source).toBe(SEED_SOURCE);
    expect(r.hit?.category).toBe('mining-pool');
    await store.close();
  });

  it('imports the real maltrail mining list and matches subdomains of listed pools', async () => {
    const { engine, store } = await engineWith();
    const text = readFileSync(new URL('maltrail/crypto_mining.txt', TESTDATA), 'utf8');
    const report = await engine.importText({ text, source: 'maltrail', fileName: 'crypto_mining.txt' });
    expect(report.format).toBe('maltrail');
    expect(report.stored).toBeGreaterThan(1000);
    const now = engine.now();
    for (const name of ['pool.supportxmr.com', 'eu1.moneroocean.stream', 'xmr-eu1.nanopool.org', 'suprnova.cc']) {
      const id = engine.matchDomain(name, now);
      expect(id, name).toBeGreaterThanOrEqual(0);
      expect(engine.hit(id, name).category).toBe('mining-pool');
    }
    expect(engine.matchDomain('en.wikipedia.org', now)).toBe(-1);
    await store.close();
  });

  it('never empties the loaded set when a refresh yields nothing usable', async () => {
    const { engine, store } = await engineWith();
    await engine.importText({ text: 'bad-pool.example\nother-pool.example\n', source: 'f', format: 'plain' });
    await expect(engine.importText({ text: '', source: 'f', format: 'plain' })).rejects.toThrow(/previous set is kept/);
    await expect(engine.importText({ text: 'not a domain!!\n', source: 'f', format: 'plain' })).rejects.toThrow(/rejected/);
    expect(engine.matchDomain('x.bad-pool.example', engine.now())).toBeGreaterThanOrEqual(0);
    await store.close();
  });

  it('holds popular domains and public suffixes for review, and releases them on request', async () => {
    const { engine, store } = await engineWith();
    const report = await engine.importText({ text: 'google.com\ncom\nevil-pool.example\n', source: 'f', format: 'plain' });
    expect(report.held).toBe(2);
    const g = await lookup(engine, 'www.google.com');
    expect(g.verdict).toBe('held');
    expect(g.reason).toMatch(/popular/);
    expect(engine.matchDomain('mail.google.com', engine.now())).toBe(-1);
    await engine.release('domain', 'google.com');
    expect(engine.matchDomain('mail.google.com', engine.now())).toBeGreaterThanOrEqual(0);
    // A later refresh of the same source does not hold it again.
    await engine.importText({ text: 'google.com\nevil-pool.example\n', source: 'f', format: 'plain' });
    expect((await lookup(engine, 'google.com')).verdict).toBe('match');
    await store.close();
  });

  it('lets the allowlist win over every source, subdomains included', async () => {
    const { engine, store } = await engineWith();
    await engine.importText({ text: 'cdn.partner.example\n', source: 'f', format: 'plain' });
    await engine.addAllow({ type: 'domain', value: 'partner.example', comment: 'ours', addedAt: 0 });
    expect(engine.matchDomain('a.cdn.partner.example', engine.now())).toBe(-1);
    expect((await lookup(engine, 'a.cdn.partner.example')).verdict).toBe('allowlisted');
    await engine.removeAllow('domain', 'partner.example');
    expect(engine.matchDomain('a.cdn.partner.example', engine.now())).toBeGreaterThanOrEqual(0);
    await store.close();
  });

  it('stops matching decayed and expired indicators, and re-listing does not reset decay', async () => {
    let clock = 1_000_000_000;
    const { engine, store } = await engineWith({ now: () => clock });
    await engine.importText({ text: '45.9.148.21\n', source: 'f', format: 'plain', confidence: 80 });
    expect(engine.matchIp('45.9.148.21', clock)).toBeGreaterThanOrEqual(0);
    clock += 29 * DAY;
    // The feed lists it again, unchanged: the decay clock keeps running from the first sighting.
    await engine.importText({ text: '45.9.148.21\n', source: 'f', format: 'plain', confidence: 80 });
    expect(engine.matchIp('45.9.148.21', clock)).toBe(-1);
    const r = await lookup(engine, '45.9.148.21');
    expect(r.verdict).toBe('decayed');
    await store.close();
  });

  it('matches ip:port, CIDR and URL indicators from real feeds', async () => {
    const { engine, store } = await engineWith();
    const feodo = readFileSync(new URL('abusech/feodotracker_ipblocklist_2024-04-04.csv', TESTDATA), 'utf8');
    const r = await engine.importText({ text: feodo, source: 'feodo', format: 'csv', category: 'botnet-c2' });
    expect(r.stored).toBe(28);
    const rec = (await store.intel.query({ source: 'feodo', limit: 1 }))[0];
    expect(rec?.type).toBe('ip:port');
    const [ip, port] = (rec?.value ?? '').split(':');
    // Feodo's dates are from 2024: they would have decayed long ago; lookup says so.
    const l = await lookup(engine, `${ip}:${port}`);
    expect(['match', 'decayed']).toContain(l.verdict);
    await engine.importText({ text: '91.121.0.0/16\nhttp://bad.example/x.sh\n', source: 'g', format: 'plain' });
    expect(engine.matchIp('91.121.77.3', engine.now())).toBeGreaterThanOrEqual(0);
    expect(engine.matcher.matchUrl('http://bad.example/x.sh', engine.now())).toBeGreaterThanOrEqual(0);
    await store.close();
  });

  it('keeps answering lookups from the old snapshot while a rebuild runs', async () => {
    const { engine, store } = await engineWith();
    await engine.importText({ text: 'old-pool.example\n', source: 'a', format: 'plain' });
    const before = engine.matcher;
    const pending = engine.importText({ text: Array.from({ length: 20_000 }, (_, i) => `p${i}.new-pool.example`).join('\n'), source: 'b', format: 'plain' });
    expect(before.matchDomain('old-pool.example', engine.now())).toBeGreaterThanOrEqual(0);
    await pending;
    expect(engine.matcher).not.toBe(before);
    expect(engine.matchDomain('p19999.new-pool.example', engine.now())).toBeGreaterThanOrEqual(0);
    await store.close();
  });
});
