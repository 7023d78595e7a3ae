/**
 * Built-in seed: well-known public mining-pool names, so that a fresh install blocks the common
 * pools before any feed is configured. Written by Minewarden from the pools' own public pages
 * (see README.md beside this file for sources, checks and what was left out).
 *
 * Rules for an entry:
 * - Prefer the registrable domain when the whole domain belongs to the pool: the matcher covers
 *   every subdomain, so `supportxmr.com` catches `pool.supportxmr.com`.
 * - On a shared domain (a block explorer, an exchange, a company site) list only the pool's
 *   hostnames: `ss.btc.com`, not `btc.com`.
 * - No entry may be covered by another entry, be a public suffix, or be a popular domain
 *   (pools.test.ts checks all three against the guard).
 * - Values are canonical (normalizeDomain leaves them unchanged); `source` is an https page of
 *   the pool's operator that documents the names.
 */
import type { KnownCategory } from '../../model/indicator.ts';

export type SeedCategory = Extract<KnownCategory, 'mining-pool' | 'mining-proxy'>;

export interface SeedEntry {
  /** Canonical domain; all subdomains match. */
  readonly value: string;
  readonly category: SeedCategory;
  /** Coin the pool mines, or `multi` for multi-coin pools. */
  readonly family: string;
  readonly note?: string;
  /** The operator's own page (or repository) that documents the names. */
  readonly source: string;
}

/** Value of `Indicator.source` for indicators that come from this list. */
export const SEED_SOURCE = 'minewarden-seed';

function pool(value: string, family: string, source: string, note?: string): SeedEntry {
  return Object.freeze(note === undefined ? { value, category: 'mining-pool', family, source } : { value, category: 'mining-pool', family, source, note });
}

function proxy(value: string, family: string, source: string, note: string): SeedEntry {
  return Object.freeze({ value, category: 'mining-proxy', family, source, note });
}

const DEFUNCT = 'The domain may change hands: review the entry if it starts serving unrelated content.';

export const SEED_POOLS: readonly SeedEntry[] = Object.freeze([
  // --- Monero (RandomX): the coin of most CPU cryptojacking -------------------------------------
  pool('supportxmr.com', 'monero', 'https://supportxmr.com/#/help/getting_started',
    'Stratum pool.supportxmr.com and regional pool-<region>.supportxmr.com.'),
  pool('moneroocean.stream', 'monero', 'https://github.com/MoneroOcean/xmrig_setup',
    'Algorithm-switching pool paying in XMR; stratum gulf.moneroocean.stream. Source is the operator\'s own miner-setup repository.'),
  pool('xmrpool.eu', 'monero', 'https://web.xmrpool.eu/', 'Web front end web.xmrpool.eu; stratum on the same domain.'),
  pool('minexmr.com', 'monero', 'https://minexmr.com/',
    `Closed in August 2022 (defunct); kept because pool.minexmr.com is still hard-coded in miner configs and malware. ${DEFUNCT}`),
  pool('minexmr2.com', 'monero', 'https://github.com/minexmr2',
    'Stratum on minexmr2.com itself (ports 4444, TLS 8443) per the operator\'s GitHub profile; not the defunct minexmr.com.'),
  pool('hashvault.pro', 'monero', 'https://hashvault.pro/', 'Stratum pool.hashvault.pro, monero.hashvault.pro and regional hosts.'),
  pool('c3pool.com', 'monero', 'https://c3pool.com/', 'Stratum mine.c3pool.com; common in Chinese networks.'),
  pool('c3pool.org', 'monero', 'https://c3pool.com/', 'C3Pool\'s auto-select stratum name auto.c3pool.org.'),
  pool('monerop.com', 'monero', 'https://github.com/jtgrassie/monero-pool', 'Reference mainnet pool named in the monero-pool README.'),
  pool('xmrpool.net', 'monero', 'https://github.com/Snipa22/nodejs-pool',
    'Reference deployment named in the nodejs-pool README; current status unknown.'),
  pool('p2pool.io', 'monero', 'https://p2pool.io/',
    'Home of the decentralised Monero P2Pool. Miners connect to their own local P2Pool node, so this catches only the download and documentation site.'),
  proxy('donate.v2.xmrig.com', 'monero', 'https://github.com/xmrig/xmrig/blob/master/src/net/strategies/DonateStrategy.cpp',
    'XMRig\'s built-in donation endpoint: stock XMRig connects here for its donation share, so a lookup means XMRig is running. Only this host is listed; xmrig.com is the project site.'),
  proxy('donate.ssl.xmrig.com', 'monero', 'https://github.com/xmrig/xmrig/blob/master/src/net/strategies/DonateStrategy.cpp',
    'TLS variant of XMRig\'s donation endpoint.'),

  // --- Multi-coin pools ------------------------------------------------------------------------
  pool('herominers.com', 'multi', 'https://herominers.com/', 'Per-coin pools <coin>.herominers.com with regional hosts, e.g. ca.monero.herominers.com.'),
  pool('nanopool.org', 'multi', 'https://xmr.nanopool.org/help', 'Stratum <coin>-<region>.nanopool.org, e.g. xmr-eu1.nanopool.org.'),
  pool('2miners.com', 'multi', 'https://2miners.com/xmr-mining-pool', 'Stratum <coin>.2miners.com and solo-<coin>.2miners.com.'),
  pool('f2pool.com', 'multi', 'https://f2pool.zendesk.com/hc/en-us', 'Stratum <coin>.f2pool.com (btc, ltc, xmr, …). Source is F2Pool\'s own help centre.'),
  pool('unmineable.com', 'multi', 'https://unmineable.com/', 'Pays out in a chosen token; stratum <algo>.unmineable.com, e.g. rx.unmineable.com.'),
  pool('kryptex.network', 'multi', 'https://pool.kryptex.com/', 'Kryptex Pool stratum names, e.g. xmr.kryptex.network, xmr-eu.kryptex.network.'),
  pool('kryptex.com', 'multi', 'https://pool.kryptex.com/',
    'Kryptex: a desktop mining app that pays its users, and the web side of Kryptex Pool (pool.kryptex.com); the whole domain is about mining.'),
  pool('woolypooly.com', 'multi', 'https://woolypooly.com/', 'Stratum pool.woolypooly.com, one port per coin.'),
  pool('k1pool.com', 'multi', 'https://k1pool.com/'),
  pool('zergpool.com', 'multi', 'https://zergpool.com/', 'Stratum <algo>.mine.zergpool.com and <algo>.<region>.mine.zergpool.com.'),
  pool('zpool.ca', 'multi', 'https://zpool.ca/', 'Stratum <algo>.mine.zpool.ca.'),
  pool('prohashing.com', 'multi', 'https://prohashing.com/'),
  pool('miningpoolhub.com', 'multi', 'https://miningpoolhub.com/', 'Hub hosts such as cryptonight-hub.miningpoolhub.com.'),
  pool('minergate.com', 'multi', 'https://minergate.com/', 'Stratum <coin>.pool.minergate.com; long used by miner malware.'),
  pool('rplant.xyz', 'multi', 'https://pool.rplant.xyz/', 'CPU-coin pool; web and stratum hosts under rplant.xyz.'),
  pool('suprnova.cc', 'multi', 'https://suprnova.cc/', 'Per-coin pools <coin>.suprnova.cc.'),
  pool('mining-dutch.nl', 'multi', 'https://www.mining-dutch.nl/'),
  pool('coinfoundry.org', 'multi', 'https://www.coinfoundry.org/faq'),
  pool('hashpool.com', 'multi', 'https://support.hashpool.com/article/hashpoolton/', 'HashPool web site and help centre.'),
  pool('hashpool.site', 'multi', 'https://support.hashpool.com/article/hashpoolton/', 'HashPool stratum domain, e.g. ton.stratum.hashpool.site.'),
  pool('solopool.org', 'multi', 'https://solopool.org/', 'Solo-mining pools for several coins.'),
  pool('sigmapool.com', 'multi', 'https://sigmapool.com/'),
  pool('emcd.io', 'multi', 'https://emcd.io/'),
  pool('nicehash.com', 'multi', 'https://www.nicehash.com/help/how-does-nicehash-work',
    'Hash-power marketplace and a legitimate business: sellers\' rigs connect to NiceHash stratum servers (<algo>.auto.nicehash.com, <algo>.eu.nicehash.com, …) and the power is resold to pools. Listed whole: a protected network has no reason to reach it, and its miner is a common cryptojacking payload.'),
  proxy('miningrigrentals.com', 'multi', 'https://www.miningrigrentals.com/',
    'Hash-power rental marketplace: rented rigs connect to its stratum proxies, which forward to the renter\'s pool.'),

  // --- Bitcoin and Litecoin (SHA-256, Scrypt) ----------------------------------------------------
  pool('antpool.com', 'bitcoin', 'https://www.antpool.com/', 'Bitmain\'s pool; stratum ss.antpool.com, stratum.antpool.com.'),
  pool('viabtc.com', 'bitcoin', 'https://www.viabtc.com/', 'Pool site; older stratum names <coin>.viabtc.com.'),
  pool('viabtc.io', 'bitcoin', 'https://www.viabtc.com/', 'ViaBTC stratum domain, e.g. btc.viabtc.io.'),
  pool('poolin.com', 'bitcoin', 'https://www.poolin.com/', 'Stratum <coin>.ss.poolin.com.'),
  pool('poolin.me', 'bitcoin', 'https://www.poolin.com/', 'Poolin\'s alternative stratum domain, <coin>.ss.poolin.me.'),
  pool('ss.btc.com', 'bitcoin', 'https://pool.btc.com/',
    'BTC.com pool stratum names <region>.ss.btc.com. btc.com itself is a block explorer and wallet site and is not listed.'),
  pool('pool.btc.com', 'bitcoin', 'https://pool.btc.com/', 'BTC.com pool dashboard, also used as a stratum name.'),
  pool('stratum.braiins.com', 'bitcoin', 'https://braiins.com/pool',
    'Braiins Pool (formerly Slush Pool) stratum, incl. <region>.stratum.braiins.com and solo.stratum.braiins.com. braiins.com also hosts firmware and company pages and is not listed.'),
  pool('pool.braiins.com', 'bitcoin', 'https://braiins.com/pool', 'Braiins Pool web dashboard.'),
  pool('slushpool.com', 'bitcoin', 'https://braiins.com/pool',
    'Former domain of Slush Pool, renamed Braiins Pool in 2022; stratum.slushpool.com is still in old configs.'),
  pool('poolbinance.com', 'bitcoin', 'https://pool.binance.com/',
    'Binance Pool stratum domain (btc.poolbinance.com, sha256.poolbinance.com, bs.poolbinance.com). The exchange binance.com is not listed.'),
  pool('ckpool.org', 'bitcoin', 'https://solo.ckpool.org/', 'ckpool solo-mining pool; stratum solo.ckpool.org.'),
  pool('public-pool.io', 'bitcoin', 'https://web.public-pool.io/', 'Open-source solo pool popular with home miners; stratum public-pool.io:21496.'),
  pool('ocean.xyz', 'bitcoin', 'https://ocean.xyz/', 'OCEAN pool; stratum mine.ocean.xyz.'),
  pool('dxpool.com', 'bitcoin', 'https://www.dxpool.com/', 'DxPool web site.'),
  pool('dxpool.net', 'bitcoin', 'https://www.dxpool.com/', 'DxPool stratum domain, <coin>.ss.dxpool.net.'),
  pool('litecoinpool.org', 'litecoin', 'https://www.litecoinpool.org/help'),

  // --- Other coins ---------------------------------------------------------------------------------
  pool('ethermine.org', 'ethereum', 'https://ethermine.org/',
    `Ethereum pool by Bitfly; Ethereum mining ended with the Merge (September 2022) and the pool has closed (defunct). Kept for old configs (eu1.ethermine.org, …). ${DEFUNCT}`),
  pool('flexpool.io', 'multi', 'https://flexpool.io/',
    `Reported closed in 2023 (defunct); kept for old configs (eth-hke.flexpool.io, …). ${DEFUNCT}`),
  pool('luckpool.net', 'verus', 'https://luckpool.net/verus/', 'Verus (VRSC) CPU pool; stratum <region>.luckpool.net. Common in Linux cryptojacking.'),
  pool('mintpond.com', 'firo', 'https://mintpond.com/getting-started-zcoin', 'Stratum firo.mintpond.com and firo-<region>.mintpond.com.'),
]);
