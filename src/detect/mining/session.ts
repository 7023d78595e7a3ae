/**
 * One flow's mining conversation, both directions in order, folded into a verdict: what is mined
 * (coin, algorithm), by whom (wallet, worker, agent) and how far it got. How far is what the
 * confidence rests on — a login alone could be a probe or a misconfigured tool; a pool that
 * answers with work has accepted the miner; shares submitted and accepted are mining, done.
 * A port is never looked at.
 */
import type { Alert } from '../../model/detect.ts';
import { algorithmInfo, coinName, coinOfWallet, type Coin } from './coins.ts';
import { parseMiningLine, type MiningDirection, type MiningJob, type MiningKind, type MiningMessage, type MiningProtocol } from './stratum.ts';

/** What the pcap reader hands out per JSON-RPC line (sensors' PayloadMessage fits). */
export interface MiningLine {
  ts: number;
  /** Sent by the connection's initiator (the miner). */
  fromClient: boolean;
  text: string;
}

export interface MiningVerdict {
  protocol: MiningProtocol;
  coin: Coin;
  /** What named the coin: the algorithm, the wallet's format, or nothing. */
  coinFrom: 'algorithm' | 'wallet' | 'none';
  /** As the pool or miner named it (rx/0, kawpow, …) and its family (RandomX, KawPow, …). */
  algorithm: string | null;
  family: string | null;
  wallet: string | null;
  worker: string | null;
  agent: string | null;
  /** Pool side: jobs received, the last difficulty and block height it set. */
  jobs: number;
  difficulty: number | null;
  height: number | null;
  /** True when the pool answered the login without an error. */
  loginAccepted: boolean;
  shares: { submitted: number; accepted: number; rejected: number };
  confidence: number;
  messages: { toPool: number; fromPool: number; byKind: Partial<Record<MiningKind, number>> };
  firstTs: number;
  lastTs: number;
}

/** Requests awaiting a reply are remembered up to this many (a flood of ids cannot grow memory). */
const MAX_PENDING = 256;
const other = (d: MiningDirection): MiningDirection => (d === 'to-pool' ? 'from-pool' : 'to-pool');

export class MiningSession {
  private readonly pending = new Map<string, MiningKind>();
  private readonly byKind: Partial<Record<MiningKind, number>> = {};
  private protocol: MiningProtocol | null = null;
  private ethStratum = false;
  private loginProtocol: MiningProtocol | null = null;
  private wallet: string | null = null;
  private worker: string | null = null;
  private agent: string | null = null;
  private offered: string[] = [];
  private jobAlgo: string | null = null;
  private submitAlgo: string | null = null;
  private jobs = 0;
  private difficulty: number | null = null;
  private height: number | null = null;
  private loginAccepted = false;
  private readonly shares = { submitted: 0, accepted: 0, rejected: 0 };
  private toPool = 0;
  private fromPool = 0;
  private firstTs = 0;
  private lastTs = 0;

  /** Feeds one line; returns the record when it was a mining message that counted. */
  add(line: MiningLine): MiningMessage | null {
    const m = parseMiningLine(line.text, line.fromClient);
    if (m === null || !this.take(m)) return null;
    if (this.toPool + this.fromPool === 0) this.firstTs = line.ts;
    this.lastTs = Math.max(this.lastTs, line.ts);
    if (m.direction === 'to-pool') this.toPool++;
    else this.fromPool++;
    this.byKind[m.kind] = (this.byKind[m.kind] ?? 0) + 1;
    this.protocol ??= m.protocol;
    return m;
  }

  /** Folds a message in; false for a reply that answers nothing we saw and carries no work. */
  private take(m: MiningMessage): boolean {
    if (m.kind === 'result') return this.reply(m);
    if (m.id !== null && this.pending.size < MAX_PENDING) this.pending.set(`${m.direction}:${m.id}`, m.kind);
    switch (m.kind) {
      case 'subscribe':
        this.agent ??= m.agent;
        if (m.protocol === 'ethstratum') this.ethStratum = true;
        break;
      case 'login':
        if (this.loginProtocol === null) {
          this.loginProtocol = m.protocol;
          this.wallet = m.wallet;
          this.worker = m.worker;
          this.agent = m.agent ?? this.agent;
          this.offered = m.algo;
        }
        break;
      case 'job':
        this.job(m.job);
        if (m.protocol === 'ethstratum') this.ethStratum = true;
        break;
      case 'submit':
        this.shares.submitted++;
        this.submitAlgo = m.algo ?? this.submitAlgo;
        break;
      case 'difficulty':
        this.difficulty = m.difficulty ?? this.difficulty;
        break;
      case 'getwork':
        this.wallet ??= m.wallet;
        break;
      case 'extranonce': case 'configure': case 'keepalive': case 'hashrate': case 'reconnect':
        break;
    }
    return true;
  }

  private reply(m: MiningMessage & { kind: 'result' }): boolean {
    const key = `${other(m.direction)}:${String(m.id)}`;
    const asked = m.id === null ? undefined : this.pending.get(key);
    if (asked !== undefined) this.pending.delete(key);
    if (m.job !== null) this.job(m.job);
    if (asked === 'login' && m.ok) this.loginAccepted = true;
    if (asked === 'submit') {
      if (m.ok) this.shares.accepted++;
      else this.shares.rejected++;
    }
    return asked !== undefined || m.job !== null;
  }

  private job(j: MiningJob): void {
    this.jobs++;
    this.jobAlgo = j.algo ?? this.jobAlgo;
    this.difficulty = j.difficulty ?? this.difficulty;
    this.height = j.height ?? this.height;
  }

  /** What the flow shows so far; null when nothing in it was mining. */
  verdict(): MiningVerdict | null {
    if (this.toPool + this.fromPool === 0 || this.protocol === null) return null;
    // The pool's word on the algorithm first, then the miner's share, then a login offering one only.
    const algorithm = this.jobAlgo ?? this.submitAlgo ?? (this.offered.length === 1 ? this.offered[0]! : null);
    const info = algorithmInfo(algorithm);
    const walletCoin = coinOfWallet(this.wallet);
    const coinFrom = info !== null && info.coin !== 'unknown' ? 'algorithm' : walletCoin !== 'unknown' ? 'wallet' : 'none';
    const coin = coinFrom === 'algorithm' ? info!.coin : walletCoin;
    return {
      protocol: this.ethStratum ? 'ethstratum' : this.loginProtocol ?? this.protocol,
      coin, coinFrom, algorithm, family: info?.family ?? null,
      wallet: this.wallet, worker: this.worker, agent: this.agent,
      jobs: this.jobs, difficulty: this.difficulty, height: this.height, loginAccepted: this.loginAccepted,
      shares: { ...this.shares },
      confidence: this.confidence(walletCoin !== 'unknown'),
      messages: { toPool: this.toPool, fromPool: this.fromPool, byKind: { ...this.byKind } },
      firstTs: this.firstTs, lastTs: this.lastTs,
    };
  }

  /**
   * Stages, each above the last: any mining request 30; a login 45 (55 with a coin-shaped wallet
   * or an agent); the pool sent work or accepted the login 75; shares submitted against that work
   * 85; shares accepted 92 plus one per accepted share up to 95.
   */
  private confidence(coinWallet: boolean): number {
    let c = 30;
    if (this.loginProtocol !== null) c = 45 + (coinWallet || this.agent !== null ? 10 : 0);
    const poolAnswered = this.jobs > 0 || this.loginAccepted || this.difficulty !== null;
    if (poolAnswered) c = 75;
    if (this.shares.submitted > 0) c = poolAnswered ? 85 : Math.max(c, 60);
    if (this.shares.accepted > 0) c = 91 + Math.min(this.shares.accepted, 4);
    return c;
  }
}

/** Every line of one flow → its verdict (a convenience over MiningSession). */
export function miningVerdict(lines: Iterable<MiningLine>): MiningVerdict | null {
  const s = new MiningSession();
  for (const l of lines) s.add(l);
  return s.verdict();
}

export interface AlertHost {
  client: string;
  site: string;
  unit?: string | null;
}

export interface AlertFlow {
  dst: string;
  dstPort: number;
}

/** `[2001:db8::1]:3333` for IPv6, `203.0.113.7:3333` otherwise. */
const endpoint = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

/** The verdict as an alert on the host: "Monero mining (XMRig/6.26.0) to 203.0.113.7:3333". */
export function toAlert(v: MiningVerdict, host: AlertHost, flow: AlertFlow): Alert {
  const controller = endpoint(flow.dst, flow.dstPort);
  const agent = v.agent?.split(/\s+/)[0] ?? null;
  return {
    detector: 'mining-protocol', ts: v.firstTs, client: host.client, site: host.site, unit: host.unit ?? null,
    severity: 'high', confidence: v.confidence, stage: 'mining', threat: `mining:${v.coin}`,
    title: `${coinName(v.coin)} mining${agent !== null ? ` (${agent})` : ''} to ${controller}`,
    indicator: v.wallet, controller,
    evidence: {
      protocol: v.protocol, coin: v.coin, coinFrom: v.coinFrom, wallet: v.wallet, worker: v.worker, agent: v.agent,
      algorithm: v.algorithm, family: v.family, jobs: v.jobs, difficulty: v.difficulty, height: v.height,
      shares: v.shares, messages: v.messages.toPool + v.messages.fromPool, firstTs: v.firstTs, lastTs: v.lastTs,
    },
  };
}
