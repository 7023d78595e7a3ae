import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PopularityGuard } from '../guard.ts';
import { normalizeDomain } from '../normalize.ts';
import { SEED_POOLS, SEED_SOURCE } from './pools.ts';
import type { SeedEntry } from './pools.ts';

/** The seed entry whose domain covers `host` the way the matcher does (itself or a parent). */
function coveringEntry(host: string): SeedEntry | undefined {
  return SEED_POOLS.find((e) => host === e.value || host.endsWith(`.${e.value}`));
}

describe('seed pool list', () => {
  it('is tagged with its own source name and has a useful size', () => {
    expect(SEED_SOURCE).toBe('minewarden-seed');
    expect(SEED_POOLS.length).toBeGreaterThanOrEqual(50);
    expect(SEED_POOLS.length).toBeLessThanOrEqual(150);
  });

  it('holds only canonical domain names', () => {
    for (const e of SEED_POOLS) expect(normalizeDomain(e.value), e.value).toBe(e.value);
  });

  it('has no duplicate values', () => {
    const values = SEED_POOLS.map((e) => e.value);
    expect(new Set(values).size).toBe(values.length);
  });

  it('has no entry already covered by a parent entry', () => {
    for (const e of SEED_POOLS) {
      const parent = SEED_POOLS.find((p) => p !== e && e.value.endsWith(`.${p.value}`));
      expect(parent?.value, `${e.value} is covered by ${parent?.value}`).toBeUndefined();
    }
  });

  it('cites an https page for every entry', () => {
    for (const e of SEED_POOLS) expect(new URL(e.source).protocol, e.value).toBe('https:');
  });

  it('uses the mining categories and a lower-case family', () => {
    for (const e of SEED_POOLS) {
      expect(['mining-pool', 'mining-proxy'], e.value).toContain(e.category);
      expect(e.family, e.value).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('explains every defunct pool in its note', () => {
    for (const value of ['minexmr.com', 'ethermine.org', 'flexpool.io']) {
      expect(SEED_POOLS.find((e) => e.value === value)?.note).toMatch(/defunct/);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(SEED_POOLS)).toBe(true);
    for (const e of SEED_POOLS) expect(Object.isFrozen(e), e.value).toBe(true);
  });

  it.each([
    ['pool.supportxmr.com', 'supportxmr.com'],
    ['pool-fr.supportxmr.com', 'supportxmr.com'],
    ['gulf.moneroocean.stream', 'moneroocean.stream'],
    ['pool.minexmr.com', 'minexmr.com'],
    ['xmr-eu1.nanopool.org', 'nanopool.org'],
    ['xmr.2miners.com', '2miners.com'],
    ['mine.c3pool.com', 'c3pool.com'],
    ['auto.c3pool.org', 'c3pool.org'],
    ['pool.hashvault.pro', 'hashvault.pro'],
    ['ca.monero.herominers.com', 'herominers.com'],
    ['xmr.kryptex.network', 'kryptex.network'],
    ['rx.unmineable.com', 'unmineable.com'],
    ['randomxmonero.auto.nicehash.com', 'nicehash.com'],
    ['btc.f2pool.com', 'f2pool.com'],
    ['eu.ss.btc.com', 'ss.btc.com'],
    ['ss.antpool.com', 'antpool.com'],
    ['btc.viabtc.io', 'viabtc.io'],
    ['btc.ss.poolin.com', 'poolin.com'],
    ['solo.stratum.braiins.com', 'stratum.braiins.com'],
    ['stratum.slushpool.com', 'slushpool.com'],
    ['sha256.poolbinance.com', 'poolbinance.com'],
    ['mine.ocean.xyz', 'ocean.xyz'],
    ['verushash.na.mine.zergpool.com', 'zergpool.com'],
    ['donate.v2.xmrig.com', 'donate.v2.xmrig.com'],
  ])('catches %s through %s', (host, entry) => {
    expect(coveringEntry(host)?.value).toBe(entry);
  });

  it.each(['btc.com', 'www.btc.com', 'binance.com', 'braiins.com', 'xmrig.com', 'github.com'])(
    'leaves the shared domain %s alone',
    (host) => {
      expect(coveringEntry(host)).toBeUndefined();
    },
  );

  it('contains no public suffix and no popular domain', () => {
    const guard = PopularityGuard.withBuiltInList();
    for (const e of SEED_POOLS) {
      expect(guard.check('domain', e.value), e.value).toEqual({ action: 'load' });
      expect(guard.isPopular(e.value), e.value).toBe(false);
    }
  });

  it('is documented entry by entry in the seed README', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const e of SEED_POOLS) expect(readme, e.value).toContain(`\`${e.value}\``);
  });
});
