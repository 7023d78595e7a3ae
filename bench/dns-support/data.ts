/**
 * Deterministic data for bench/dns.ts: the blocked names (1M by default, 1–3 labels under common
 * TLDs, as a mining/malware feed looks), the good zone served by NSD, and the query files for
 * dnsperf.
 */

/** mulberry32: uniform in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TLDS = ['com', 'net', 'org', 'ru', 'cn', 'io', 'xyz', 'top', 'info', 'de', 'co.uk', 'com.br', 'pw', 'cc', 'biz', 'online', 'site', 'club'];
const WORDS = ['pool', 'xmr', 'mine', 'eu', 'us', 'asia', 'stratum', 'api', 'cdn', 'node', 'proxy', 'monero', 'eth', 'rx', 'gate'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function label(r: () => number): string {
  if (r() < 0.12) return WORDS[Math.floor(r() * WORDS.length)]!;
  const n = 4 + Math.floor(r() * 10);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[r() < 0.85 ? Math.floor(r() * 26) : Math.floor(r() * 36)];
  return s;
}

/** `count` distinct names of 2–4 labels plus TLD (60% one label before the TLD, 30% two, 10% three). */
export function blockedNames(count: number, seed = 42): string[] {
  const r = rng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    const x = r();
    const depth = x < 0.6 ? 1 : x < 0.9 ? 2 : 3;
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) parts.push(label(r));
    const name = `${parts.join('.')}.${TLDS[Math.floor(r() * TLDS.length)]!}`;
    if (!seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/** The authoritative zone for the good names (NSD), and the zone it lives in. */
export const GOOD_ZONE = 'corp-bench.test';
export const GOOD_TTL = 3600;

export function goodNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host${i}.${GOOD_ZONE}`);
}

export function goodZoneRecords(count: number): string {
  const lines = ['@ SOA ns1 hostmaster 1 3600 600 86400 300', '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (let i = 0; i < count; i++) lines.push(`host${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return lines.join('\n');
}

/** The RPZ zone (Unbound): every blocked name → NXDOMAIN (`CNAME .`). */
export function rpzZone(origin: string, names: readonly string[]): string {
  const head = [`$ORIGIN ${origin}.`, '$TTL 60', '@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60', '@ NS localhost.'];
  return `${head.join('\n')}\n${names.map((n) => `${n} CNAME .`).join('\n')}\n`;
}

/** A dnsperf data file: `name A` per line. */
export function queryFile(names: readonly string[]): string {
  return `${names.map((n) => `${n} A`).join('\n')}\n`;
}

/** `k` names drawn from `names` (with replacement), shuffled. */
export function sample(names: readonly string[], k: number, seed = 7): string[] {
  const r = rng(seed);
  return Array.from({ length: k }, () => names[Math.floor(r() * names.length)]!);
}
