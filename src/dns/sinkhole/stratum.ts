/**
 * Mining pool logins over newline-delimited JSON-RPC, the dialects a miner speaks first:
 *  - Stratum v1 (slushpool's "Stratum mining protocol", https://braiins.com/stratum-v1/docs):
 *    `mining.subscribe` (params[0] = agent, e.g. "cgminer/4.10"), then `mining.authorize`
 *    (params [user, pass]; user is often WALLET.WORKER or WALLET+difficulty).
 *  - EthereumStratum/1.0.0 (NiceHash, https://github.com/nicehash/Specifications): `mining.subscribe`
 *    with params [agent, "EthereumStratum/1.0.0"], then `mining.authorize`.
 *  - Monero / CryptoNote stratum as XMRig speaks it (xmrig docs, src/base/net/stratum/Client.cpp):
 *    `login` with params { login: wallet, pass: worker or "x", agent, algo: [...], rigid }.
 *  - Ethereum stratum-proxy (eth-proxy): `eth_submitLogin` with params [wallet, pass?] and `worker`.
 */

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

const LOGIN_METHODS = new Set(['login', 'mining.authorize', 'eth_submitLogin']);
const MINING_METHODS = new Set([...LOGIN_METHODS, 'mining.subscribe', 'mining.extranonce.subscribe', 'mining.configure', 'mining.submit', 'submit', 'getjob', 'keepalived', 'eth_getWork', 'eth_submitWork', 'eth_submitHashrate']);
const MAX_FIELD = 200;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Request = { method: string; id: number | string; params: Json; raw: Record<string, Json> };

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v.slice(0, MAX_FIELD) : null);

/** The JSON-RPC requests among the lines (a cut-off last line is tried too). */
function requests(b: Uint8Array): Request[] {
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  const out: Request[] = [];
  for (const line of text.split('\n').slice(0, 16)) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const o = v as Record<string, Json>;
    if (typeof o.method !== 'string') continue;
    const id = typeof o.id === 'number' || typeof o.id === 'string' ? o.id : 1;
    out.push({ method: o.method, id, params: o.params ?? null, raw: o });
  }
  return out;
}

/**
 * Splits a pool user name into wallet and worker: `WALLET.WORKER`, `WALLET+DIFF`, `WALLET/EMAIL`
 * (nanopool), `WALLET.WORKER/EMAIL`. A name with `@` in it (an email login) is kept whole.
 */
export function splitUser(user: string): { wallet: string; worker: string | null } {
  let u = user.split('/')[0]!;
  u = u.replace(/\+\d+(?:\.\d+)?$/, ''); // fixed difficulty suffix
  if (u.includes('@')) return { wallet: u, worker: null };
  const dot = u.indexOf('.');
  if (dot > 0 && dot < u.length - 1) return { wallet: u.slice(0, dot), worker: u.slice(dot + 1) };
  return { wallet: u, worker: null };
}

const TRIVIAL_PASS = new Set(['x', 'X', 'password', 'pass', 'none', '']);

function workerFromPass(pass: string | null): string | null {
  if (pass === null || TRIVIAL_PASS.has(pass)) return null;
  // Some pools read "d=DIFF" or "WORKER:EMAIL" from the password; the worker part is what identifies the rig.
  return /^d=\d+$/.test(pass) ? null : pass.split(':')[0] ?? null;
}

/** Reads a mining login from the first lines a client sent; null when they are not mining JSON-RPC. */
export function parseStratum(b: Uint8Array): MiningLogin | null {
  const reqs = requests(b.subarray(0, 8192)).filter((r) => MINING_METHODS.has(r.method));
  if (reqs.length === 0) return null;
  const first = reqs[0]!;
  const out: MiningLogin = { protocol: 'stratum', method: first.method, id: first.id, wallet: null, worker: null, agent: null, algo: [], loggedIn: false };
  for (const r of reqs) {
    const p = r.params;
    if (r.method === 'mining.subscribe' && Array.isArray(p)) {
      out.agent ??= str(p[0]);
      if (typeof p[1] === 'string' && p[1].startsWith('EthereumStratum/')) out.protocol = 'ethstratum';
    } else if (r.method === 'mining.authorize' && Array.isArray(p) && !out.loggedIn) {
      const user = str(p[0]);
      if (user !== null) Object.assign(out, splitUser(user));
      out.worker ??= workerFromPass(str(p[1]));
      Object.assign(out, { method: r.method, id: r.id, loggedIn: true });
    } else if (r.method === 'login' && p !== null && typeof p === 'object' && !Array.isArray(p) && !out.loggedIn) {
      const user = str(p.login);
      if (user !== null) Object.assign(out, splitUser(user));
      out.worker ??= workerFromPass(str(p.pass)) ?? str(p.rigid);
      out.agent = str(p.agent) ?? out.agent;
      if (Array.isArray(p.algo)) out.algo = p.algo.filter((a): a is string => typeof a === 'string').slice(0, 64).map((a) => a.slice(0, 40));
      Object.assign(out, { protocol: 'xmrig', method: r.method, id: r.id, loggedIn: true });
    } else if (r.method === 'eth_submitLogin' && Array.isArray(p) && !out.loggedIn) {
      const user = str(p[0]);
      if (user !== null) Object.assign(out, splitUser(user));
      out.worker = str(r.raw.worker) ?? out.worker;
      Object.assign(out, { protocol: 'ethproxy', method: r.method, id: r.id, loggedIn: true });
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
