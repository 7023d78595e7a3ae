/**
 * What coin a mining conversation is for, from the two things it names: the algorithm (a pool's
 * job says it; XMRig's names are the reference, xmrig src/base/crypto/Algorithm.cpp) and the
 * wallet's address format. The algorithm decides first — NiceHash pays a Bitcoin address for
 * RandomX hashing, and the coin being mined is then Monero — and the wallet only when no
 * algorithm was said or it names no single coin (cn/*, argon2 families).
 */

export type Coin =
  | 'monero' | 'ethereum' | 'ethereum-classic' | 'bitcoin' | 'bitcoin-cash' | 'litecoin' | 'dogecoin'
  | 'ravencoin' | 'zcash' | 'ergo' | 'kaspa' | 'raptoreum' | 'wownero' | 'haven' | 'conceal'
  | 'turtlecoin' | 'dero' | 'verus' | 'firo' | 'unknown';

export interface AlgorithmInfo {
  /** Family as people call it: RandomX, CryptoNight, Ethash, KawPow, SHA-256d, … */
  family: string;
  /** The coin when the algorithm names one, else 'unknown'. */
  coin: Coin;
}

/**
 * Exact algorithm names (XMRig's, plus the names cgminer/ethminer/NiceHash pools use). etchash is
 * Ethereum Classic's Ethash variant (ECIP-1099), so it maps there rather than to Ethereum.
 */
const ALGORITHMS: Readonly<Record<string, AlgorithmInfo>> = {
  'rx/0': { family: 'RandomX', coin: 'monero' },
  randomx: { family: 'RandomX', coin: 'monero' },
  'rx/wow': { family: 'RandomX', coin: 'wownero' },
  'rx/arq': { family: 'RandomX', coin: 'unknown' },
  'cn-heavy/xhv': { family: 'CryptoNight', coin: 'haven' },
  'cn/ccx': { family: 'CryptoNight', coin: 'conceal' },
  'argon2/chukwa': { family: 'Argon2', coin: 'turtlecoin' },
  'argon2/chukwav2': { family: 'Argon2', coin: 'turtlecoin' },
  'astrobwt/v2': { family: 'AstroBWT', coin: 'dero' },
  ghostrider: { family: 'GhostRider', coin: 'raptoreum' },
  kawpow: { family: 'KawPow', coin: 'ravencoin' },
  ethash: { family: 'Ethash', coin: 'ethereum' },
  etchash: { family: 'Ethash', coin: 'ethereum-classic' },
  autolykos2: { family: 'Autolykos', coin: 'ergo' },
  kheavyhash: { family: 'kHeavyHash', coin: 'kaspa' },
  sha256d: { family: 'SHA-256d', coin: 'bitcoin' },
  sha256: { family: 'SHA-256d', coin: 'bitcoin' },
  scrypt: { family: 'Scrypt', coin: 'litecoin' },
  equihash: { family: 'Equihash', coin: 'zcash' },
  verushash: { family: 'VerusHash', coin: 'verus' },
  firopow: { family: 'FiroPoW', coin: 'firo' },
};

/** Families by prefix, for the many variants that name no single coin (cn/r, cn-lite/1, rx/sfx, …). */
const FAMILIES: readonly [string, string][] = [
  ['rx/', 'RandomX'], ['cn-pico', 'CryptoNight'], ['cn-lite/', 'CryptoNight'], ['cn-heavy/', 'CryptoNight'],
  ['cn/', 'CryptoNight'], ['cryptonight', 'CryptoNight'], ['argon2/', 'Argon2'], ['astrobwt', 'AstroBWT'],
];

/** The family and coin of an algorithm name (case-insensitive); null when the name is not one. */
export function algorithmInfo(algo: string | null): AlgorithmInfo | null {
  if (algo === null) return null;
  const a = algo.trim().toLowerCase();
  const exact = ALGORITHMS[a];
  if (exact !== undefined) return exact;
  for (const [prefix, family] of FAMILIES) if (a.startsWith(prefix)) return { family, coin: 'unknown' };
  return null;
}

// Base58 as Bitcoin and Monero use it (no 0, O, I, l).
const B58 = '[1-9A-HJ-NP-Za-km-z]';
const WALLETS: readonly [RegExp, Coin][] = [
  // Monero: standard address 95 chars starting 4 (second char 0-9, A or B: network byte 18),
  // subaddress 95 chars starting 8 (network byte 42), integrated address 106 chars starting 4.
  // Source: Monero docs, "Addresses" (docs.getmonero.org/public-address/standard-address/).
  [new RegExp(`^4[0-9AB]${B58}{93}$`), 'monero'],
  [new RegExp(`^8${B58}{94}$`), 'monero'],
  [new RegExp(`^4${B58}{105}$`), 'monero'],
  // Ethereum: 0x and 20 bytes of hex (EIP-55 mixes case as a checksum).
  [/^0x[0-9a-fA-F]{40}$/, 'ethereum'],
  // Bitcoin: P2PKH 1…, P2SH 3… (base58check, 26–35 chars), bech32/bech32m bc1… (BIP 173/350).
  [new RegExp(`^[13]${B58}{25,34}$`), 'bitcoin'],
  [/^bc1[02-9ac-hj-np-z]{11,87}$/, 'bitcoin'],
  // Ravencoin: version byte 60 gives R…, 34 chars.
  [new RegExp(`^R${B58}{33}$`), 'ravencoin'],
  // Litecoin: L… / M… (34 chars) and ltc1…; Dogecoin: D… (34 chars).
  [new RegExp(`^[LM]${B58}{33}$`), 'litecoin'],
  [/^ltc1[02-9ac-hj-np-z]{11,87}$/, 'litecoin'],
  [new RegExp(`^D${B58}{33}$`), 'dogecoin'],
  // Zcash transparent addresses t1…/t3… (35 chars).
  [new RegExp(`^t[13]${B58}{33}$`), 'zcash'],
  // Kaspa: kaspa:q… (bech32-like).
  [/^kaspa:[0-9a-z]{61,63}$/, 'kaspa'],
];

/** The coin a wallet address belongs to by its format; 'unknown' for anything else (a user name, an email). */
export function coinOfWallet(wallet: string | null): Coin {
  if (wallet === null) return 'unknown';
  for (const [re, coin] of WALLETS) if (re.test(wallet)) return coin;
  return 'unknown';
}

const NAMES: Readonly<Record<Coin, string>> = {
  monero: 'Monero', ethereum: 'Ethereum', 'ethereum-classic': 'Ethereum Classic', bitcoin: 'Bitcoin',
  'bitcoin-cash': 'Bitcoin Cash', litecoin: 'Litecoin', dogecoin: 'Dogecoin', ravencoin: 'Ravencoin',
  zcash: 'Zcash', ergo: 'Ergo', kaspa: 'Kaspa', raptoreum: 'Raptoreum', wownero: 'Wownero', haven: 'Haven',
  conceal: 'Conceal', turtlecoin: 'TurtleCoin', dero: 'Dero', verus: 'Verus', firo: 'Firo',
  unknown: 'Cryptocurrency',
};

/** The coin's name for titles ("Monero"); 'Cryptocurrency' when unknown. */
export function coinName(coin: Coin): string {
  return NAMES[coin];
}

/**
 * Difficulty from a pool's share target. CryptoNote pools send the target as little-endian hex,
 * 4 bytes (difficulty = 0xFFFFFFFF / t) or 8 bytes (2^64 / t), as XMRig's Job::setTarget reads it;
 * Ethereum's boundary is 0x + 32 bytes big-endian (difficulty = 2^256 / boundary, per ethash).
 */
export function difficultyOfTarget(target: string | null): number | null {
  if (target === null) return null;
  if (/^0x[0-9a-f]{1,64}$/i.test(target)) {
    const b = BigInt(target);
    return b === 0n ? null : Number((1n << 256n) / b);
  }
  if (!/^(?:[0-9a-f]{8}|[0-9a-f]{16})$/i.test(target)) return null;
  let le = 0n;
  for (let i = target.length - 2; i >= 0; i -= 2) le = (le << 8n) | BigInt(parseInt(target.slice(i, i + 2), 16));
  if (le === 0n) return null;
  return target.length === 8 ? Math.floor(0xffffffff / Number(le)) : Number((1n << 64n) / le);
}
