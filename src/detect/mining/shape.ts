/**
 * Mining seen from outside, when the payload cannot be read (Stratum over TLS, Stratum v2's
 * encrypted Noise channel): a flow record's shape plus the names around it. A miner holds one
 * connection for hours and trades small messages both ways at an even pace — a share every few
 * seconds up, a job every block or difficulty change down, each a few hundred bytes at most
 * (the XMRig capture in ../shared/testdata: 2047 bytes in 15 packets up, 2273 in 10 down, 25 s).
 * Streaming, downloads and page loads are short or lopsided or carry full-size packets.
 * Each reason adds to the score; a port adds little and never decides alone.
 */
import type { FlowEvent } from '../../model/events.ts';

export type ShapeReason = 'long-session' | 'steady-small-packets' | 'pool-like-name' | 'known-pool-address' | 'pool-like-port' | 'symmetric-small-bytes';

export interface ShapeEvidence {
  reason: ShapeReason;
  detail: string;
}

export interface ShapeScore {
  /** 0–100. */
  score: number;
  evidence: ShapeEvidence[];
}

export interface ShapeContext {
  /** The TLS server name, when there was a ClientHello. */
  sni?: string | null;
  /** DNS names that resolved to the flow's destination. */
  names?: string[];
  /** Threat intel lists the destination address as a pool. */
  knownPool?: boolean;
  /**
   * Interim records of the same flow (NetFlow/IPFIX active-timeout slices, Zeek long-conn
   * updates), to tell a steady rate from bursts; without them only the average rate is known.
   */
  slices?: FlowEvent[];
}

/**
 * Pool brands, matched anywhere in a name. From the pools' own pages as listed in the intel seed
 * (src/intel/seed/pools.ts, each entry cites its operator) and maltrail's
 * trails/static/suspicious/crypto_mining.txt.
 */
export const POOL_BRANDS: readonly string[] = [
  'supportxmr', 'moneroocean', 'xmrpool', 'minexmr', 'hashvault', 'c3pool', 'herominers', 'nanopool',
  '2miners', 'f2pool', 'unmineable', 'kryptex', 'woolypooly', 'zergpool', 'prohashing', 'miningpoolhub',
  'minergate', 'nicehash', 'ethermine', 'flexpool', 'antpool', 'viabtc', 'poolin', 'braiins', 'slushpool',
  'poolbinance', 'ckpool', 'luckpool', 'mintpond', 'p2pool', 'rplant', 'suprnova', 'sigmapool', 'emcd',
  'litecoinpool', 'dxpool', 'k1pool', 'solopool', 'monerohash', 'xmrfast', 'moneropool',
];

/**
 * Generic words that name a pool when they are a whole label or a dash-separated part of one
 * (`pool.example`, `xmr-eu1.example`), never a substring (`carpool`, `spoolsv`).
 */
export const POOL_WORDS: readonly string[] = ['pool', 'pools', 'xmr', 'monero', 'stratum', 'mining', 'miner', 'mine', 'xmrig', 'randomx', 'eth', 'rvn', 'kawpow', 'ethash'];

/** Well-known non-pool names that the words would catch: the NTP pool is the classic one. */
const NOT_POOLS: readonly string[] = ['pool.ntp.org', 'ntppool.org'];

/** Ports pool operators document for Stratum (maltrail's crypto_mining trails, pool docs). */
const POOL_PORTS = new Set([3333, 4444, 5555, 6666, 7777, 8888, 9999, 14433, 14444, 45560, 45700, 10128, 10300, 20535]);

/** How a name looks like a pool, or null. Accepts a bare name or a `stratum+tcp://host:port` URL. */
export function poolLikeName(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  const scheme = /^stratum\d?\+(?:tcp|ssl|tls):\/\//.exec(s);
  if (scheme !== null) return `stratum URL ${s.slice(0, 80)}`;
  const host = s.replace(/^[a-z0-9+.-]+:\/\//, '').split(/[/:]/)[0]!.replace(/\.$/, '');
  if (host === '' || NOT_POOLS.some((n) => host === n || host.endsWith(`.${n}`))) return null;
  const brand = POOL_BRANDS.find((b) => host.includes(b));
  if (brand !== undefined) return `${host} (pool brand ${brand})`;
  const labels = host.split('.').slice(0, -1); // not the TLD: .mine or .rx would say nothing
  const word = POOL_WORDS.find((w) => labels.some((l) => l.split('-').includes(w)));
  return word !== undefined ? `${host} (label ${word})` : null;
}

const MIN = 60_000;
/** A packet of a pool message is well under this (jobs with a 76-byte blob, shares, keepalives). */
const SMALL_PACKET = 300;
/** Packets per minute each way a miner's session sits in: a share or job every 1–60 s plus ACKs. */
const RATE = { min: 0.5, max: 240 };

/** Coefficient of variation of packets per minute across slices; null with fewer than 3. */
function rateVariation(slices: FlowEvent[]): number | null {
  const rates = slices.filter((f) => f.end > f.ts).map((f) => ((f.pktsOut + f.pktsIn) * MIN) / (f.end - f.ts));
  if (rates.length < 3) return null;
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  if (mean === 0) return null;
  const sd = Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / rates.length);
  return sd / mean;
}

/** Scores how much a flow looks like mining without reading it. */
export function scoreMiningShape(flow: FlowEvent, ctx: ShapeContext = {}): ShapeScore {
  const evidence: ShapeEvidence[] = [];
  let score = 0;
  const add = (reason: ShapeReason, points: number, detail: string): void => {
    score += points;
    evidence.push({ reason, detail });
  };
  const mins = Math.max(0, flow.end - flow.ts) / MIN;
  const long = mins >= 5;
  if (long) add('long-session', mins >= 30 ? 25 : 20, `${mins.toFixed(1)} min`);

  const bppOut = flow.pktsOut > 0 ? flow.bytesOut / flow.pktsOut : 0;
  const bppIn = flow.pktsIn > 0 ? flow.bytesIn / flow.pktsIn : 0;
  const small = flow.pktsOut > 0 && flow.pktsIn > 0 && bppOut < SMALL_PACKET && bppIn < SMALL_PACKET;
  if (long && small) {
    const perMin = (flow.pktsOut + flow.pktsIn) / mins;
    const cv = ctx.slices !== undefined ? rateVariation(ctx.slices) : null;
    // Steady: the average rate in a miner's band and, when slices say, a spread under half the mean.
    if (perMin >= RATE.min && perMin <= RATE.max && (cv === null || cv < 0.5)) {
      const spread = cv === null ? 'average rate only' : `rate varies ±${Math.round(cv * 100)}%`;
      add('steady-small-packets', 30, `${Math.round(bppOut)}/${Math.round(bppIn)} bytes per packet out/in, ${perMin.toFixed(1)} packets/min, ${spread}`);
    }
  }
  // Shares up and jobs down are about the same size: neither side dominates, and little is moved.
  const ratio = flow.bytesIn > 0 ? flow.bytesOut / flow.bytesIn : Infinity;
  const perMinBytes = mins > 0 ? (flow.bytesOut + flow.bytesIn) / mins : Infinity;
  if (long && ratio >= 0.25 && ratio <= 4 && perMinBytes < 64 * 1024) {
    add('symmetric-small-bytes', 10, `out/in ${ratio.toFixed(2)}, ${Math.round(perMinBytes)} bytes/min`);
  }

  const names = [...(ctx.sni ? [ctx.sni] : []), ...(ctx.names ?? [])];
  const named = names.map(poolLikeName).find((d) => d !== null);
  if (named !== undefined) add('pool-like-name', named.includes('brand') || named.startsWith('stratum') ? 30 : 15, named);
  if (ctx.knownPool === true) add('known-pool-address', 40, `${flow.dst} is listed as a pool`);
  if (POOL_PORTS.has(flow.dstPort)) add('pool-like-port', 5, `port ${flow.dstPort}`);
  return { score: Math.min(100, score), evidence };
}
