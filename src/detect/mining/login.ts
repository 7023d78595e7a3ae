/**
 * A miner's login from the first bytes it sent (what the sinkhole reads before it answers): the
 * client-side lines of stratum.ts folded into one record — wallet, worker, agent, algorithms — and
 * how far the conversation got (subscribe only, or a login). Pure; null when the bytes are not
 * mining JSON-RPC.
 */
import { parseMiningLine, type MiningMessage } from './stratum.ts';

/** The line dialects a miner opens with (HTTP getwork/getblocktemplate is the sinkhole's HTTP sniffer's). */
export type StratumProtocol = 'stratum' | 'ethstratum' | 'xmrig' | 'ethproxy';

export interface MiningLogin {
  protocol: StratumProtocol;
  /** The method that carried the login (or `mining.subscribe` when only that arrived). */
  method: string;
  /** JSON-RPC id of that request (the reply must carry it); 1 when absent. */
  id: number | string;
  wallet: string | null;
  worker: string | null;
  agent: string | null;
  /** Algorithms offered (XMRig's `algo`), in the client's order. */
  algo: string[];
  /** True once a login (authorize, login, eth_submitLogin) arrived, not only a subscribe. */
  loggedIn: boolean;
}

const LINE_PROTOCOLS = new Set<string>(['stratum', 'ethstratum', 'xmrig', 'ethproxy']);

/** The mining requests among a client's first lines (8 KB, 16 lines; a cut-off last line is tried too). */
function clientMessages(b: Uint8Array): MiningMessage[] {
  const head = b.subarray(0, 8192);
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  const out: MiningMessage[] = [];
  for (const line of text.split('\n').slice(0, 16)) {
    const m = parseMiningLine(line, true);
    if (m !== null && m.kind !== 'result' && LINE_PROTOCOLS.has(m.protocol)) out.push(m);
  }
  return out;
}

/** Reads a mining login from the first lines a client sent; null when they are not mining JSON-RPC. */
export function parseStratum(b: Uint8Array): MiningLogin | null {
  const msgs = clientMessages(b);
  const first = msgs[0];
  if (first === undefined) return null;
  const out: MiningLogin = { protocol: 'stratum', method: first.method ?? '', id: first.id ?? 1, wallet: null, worker: null, agent: null, algo: [], loggedIn: false };
  for (const m of msgs) {
    if (m.kind === 'subscribe') {
      out.agent ??= m.agent;
      if (m.protocol === 'ethstratum') out.protocol = 'ethstratum';
    } else if (m.kind === 'login' && !out.loggedIn) {
      out.wallet = m.wallet;
      out.worker = m.worker;
      out.agent = m.agent ?? out.agent;
      if (m.algo.length > 0) out.algo = m.algo;
      // A Stratum authorize keeps the protocol its subscribe set (EthereumStratum or plain).
      if (m.protocol !== 'stratum') out.protocol = m.protocol as StratumProtocol;
      Object.assign(out, { method: m.method, id: m.id ?? 1, loggedIn: true });
    }
  }
  return out;
}

/**
 * How far a mining conversation has got: `login` once a login arrived (reply and close), `subscribe`
 * when only a subscribe did (reply with a subscription so the miner goes on to log in), else null.
 */
export function stratumStage(b: Uint8Array): { stage: 'login' | 'subscribe'; login: MiningLogin } | null {
  const login = parseStratum(b);
  if (login === null) return null;
  if (login.loggedIn) return { stage: 'login', login };
  return login.method === 'mining.subscribe' ? { stage: 'subscribe', login } : null;
}

const quote = (s: string): string => (/[\s"]/.test(s) ? JSON.stringify(s) : s);

/** `stratum login wallet=44AF… worker=worker1 agent="XMRig/6.26.0 (…)" algo=rx/0(+30)`. */
export function stratumSummary(l: MiningLogin): string {
  const parts = ['stratum', l.method];
  if (l.protocol === 'ethstratum') parts.push('proto=EthereumStratum');
  if (l.wallet !== null) parts.push(`wallet=${quote(l.wallet)}`);
  if (l.worker !== null) parts.push(`worker=${quote(l.worker)}`);
  if (l.agent !== null) parts.push(`agent=${quote(l.agent)}`);
  if (l.algo.length > 0) parts.push(`algo=${quote(l.algo[0]!)}${l.algo.length > 1 ? `(+${l.algo.length - 1})` : ''}`);
  return parts.join(' ');
}
