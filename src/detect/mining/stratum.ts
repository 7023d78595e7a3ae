/**
 * One line of a mining conversation → a typed record. The dialects, newline-delimited JSON-RPC
 * unless said otherwise:
 *  - Stratum v1 (https://braiins.com/stratum-v1/docs, cgminer's API): mining.subscribe,
 *    mining.authorize, mining.submit, mining.notify, mining.set_difficulty, mining.set_extranonce,
 *    mining.extranonce.subscribe (NiceHash), mining.configure (BIP 310), client.reconnect.
 *  - EthereumStratum/1.0.0 (NiceHash, https://github.com/nicehash/Specifications): subscribe with
 *    params [agent, "EthereumStratum/1.0.0"], mining.set_target; kawpow pools use the same shapes.
 *  - CryptoNote as XMRig speaks it (xmrig src/base/net/stratum/Client.cpp, JSON-RPC 2.0): login,
 *    the reply {id, job, status}, job (pool push), submit, keepalived, getjob.
 *  - eth-proxy / ethminer "stratum1" (ethminer libpoolprotocols/stratum/EthStratumClient.cpp):
 *    eth_submitLogin (worker in a top-level `worker` field), eth_getWork, eth_submitWork,
 *    eth_submitHashrate; work is pushed as a bare result [header, seed, boundary, (height)].
 *  - getwork (Bitcoin, pre-BIP 22) and getblocktemplate/submitblock (BIP 22/23), monerod's
 *    get_block_template/submit_block: HTTP POST bodies; the body (or the whole request) is accepted.
 * A reply carries no method: it is returned as `result` and the session pairs it with its request.
 * Pure; anything unexpected gives null, never an exception.
 */
import { difficultyOfTarget } from './coins.ts';

export type MiningProtocol = 'stratum' | 'ethstratum' | 'xmrig' | 'ethproxy' | 'getwork' | 'getblocktemplate';
/** Which side sent it: the miner (the connection's initiator) or the pool. */
export type MiningDirection = 'to-pool' | 'from-pool';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface MiningJob {
  jobId: string | null;
  algo: string | null;
  height: number | null;
  seedHash: string | null;
  target: string | null;
  /** From the target when the pool sent one (see difficultyOfTarget). */
  difficulty: number | null;
  /** Stratum's clean_jobs: drop earlier work. */
  clean: boolean | null;
}

interface Base {
  protocol: MiningProtocol;
  /** The JSON-RPC method as sent; null for a reply. */
  method: string | null;
  direction: MiningDirection;
  id: number | string | null;
}

export type MiningMessage = Base & (
  | { kind: 'subscribe'; agent: string | null; version: string | null }
  | { kind: 'login'; user: string | null; wallet: string | null; worker: string | null; pass: string | null; agent: string | null; algo: string[]; rigid: string | null }
  | { kind: 'job'; job: MiningJob }
  | { kind: 'submit'; jobId: string | null; nonce: string | null; worker: string | null; algo: string | null }
  | { kind: 'difficulty'; difficulty: number | null; target: string | null }
  | { kind: 'extranonce'; extranonce: string | null }
  | { kind: 'configure'; extensions: string[] }
  | { kind: 'keepalive' }
  | { kind: 'hashrate'; hashrate: number | null }
  | { kind: 'getwork'; wallet: string | null }
  | { kind: 'reconnect'; host: string | null; port: number | null }
  | { kind: 'result'; ok: boolean; error: string | null; job: MiningJob | null }
);
export type MiningKind = MiningMessage['kind'];

const MAX_FIELD = 200;
const MAX_LINE = 64 * 1024;

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v.slice(0, MAX_FIELD) : null);
const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null);
const obj = (v: Json | undefined): { [k: string]: Json } | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const strings = (v: Json | undefined, max: number): string[] => arr(v).filter((a): a is string => typeof a === 'string').slice(0, max).map((a) => a.slice(0, 40));
const HASH = /^(?:0x)?[0-9a-f]{64}$/i;

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

/** Some pools read "d=DIFF" or "WORKER:EMAIL" from the password; the worker part names the rig. */
export function workerFromPass(pass: string | null): string | null {
  if (pass === null || TRIVIAL_PASS.has(pass)) return null;
  return /^d=\d+$/.test(pass) ? null : pass.split(':')[0] || null;
}

/** The JSON object of a line or HTTP message body; null when it is not one. */
export function jsonObject(text: string): { [k: string]: Json } | null {
  let t = text.length > MAX_LINE ? '' : text.trim();
  // An HTTP request or response (getwork, getblocktemplate): the body follows the blank line (RFC 9112 §2.1).
  if (/^(?:POST |HTTP\/1\.[01] )/.test(t)) {
    const end = t.indexOf('\r\n\r\n');
    t = end < 0 ? '' : t.slice(end + 4).trim();
  }
  if (!t.startsWith('{')) return null;
  try {
    return obj(JSON.parse(t) as Json);
  } catch {
    return null;
  }
}

const jobOf = (p: { [k: string]: Json }): MiningJob => {
  const target = str(p.target);
  return { jobId: str(p.job_id), algo: str(p.algo), height: num(p.height), seedHash: str(p.seed_hash), target, difficulty: difficultyOfTarget(target), clean: null };
};

/** Reads one mining message; `fromClient` says whether the connection's initiator sent it. */
export function parseMiningLine(text: string, fromClient: boolean): MiningMessage | null {
  const o = jsonObject(text);
  if (o === null) return null;
  const id = typeof o.id === 'number' || typeof o.id === 'string' ? o.id : null;
  const direction: MiningDirection = fromClient ? 'to-pool' : 'from-pool';
  if (typeof o.method === 'string') return request(o.method.slice(0, 64), o.params ?? null, o, { method: o.method.slice(0, 64), direction, id });
  if ('result' in o || 'error' in o) return reply(o, { method: null, direction, id });
  return null;
}

type Head = Omit<Base, 'protocol'>;

function request(m: string, p: Json, o: { [k: string]: Json }, h: Head): MiningMessage | null {
  const po = obj(p);
  const pa = arr(p);
  switch (m) {
    case 'mining.subscribe': {
      const version = str(pa[1]);
      const eth = version?.startsWith('EthereumStratum/') === true;
      return { ...h, protocol: eth ? 'ethstratum' : 'stratum', kind: 'subscribe', agent: str(pa[0]), version: eth ? version : null };
    }
    case 'mining.authorize':
      return login(h, 'stratum', str(pa[0]), str(pa[1]), null, [], null);
    case 'login':
      // XMRig's login needs an object with `login`, plus an agent or an algorithm list: a bare
      // {login, pass} is as likely some web API's sign-in.
      if (po === null || str(po.login) === null || (str(po.agent) === null && !Array.isArray(po.algo))) return null;
      return login(h, 'xmrig', str(po.login), str(po.pass), str(po.agent), strings(po.algo, 64), str(po.rigid));
    case 'eth_submitLogin': {
      const l = login(h, 'ethproxy', str(pa[0]), null, null, [], null);
      return { ...l, worker: str(o.worker) ?? l.worker };
    }
    case 'mining.submit':
      return pa.length >= 3 ? { ...h, protocol: 'stratum', kind: 'submit', jobId: str(pa[1]), nonce: str(pa[pa.length >= 5 ? 4 : 2]), worker: str(pa[0]), algo: null } : null;
    case 'submit':
      if (po === null || str(po.job_id) === null || str(po.nonce) === null) return null;
      return { ...h, protocol: 'xmrig', kind: 'submit', jobId: str(po.job_id), nonce: str(po.nonce), worker: null, algo: str(po.algo) };
    case 'eth_submitWork':
      return { ...h, protocol: 'ethproxy', kind: 'submit', jobId: str(pa[1]), nonce: str(pa[0]), worker: str(o.worker), algo: null };
    case 'submitblock':
    case 'submit_block':
      return typeof pa[0] === 'string' ? { ...h, protocol: 'getblocktemplate', kind: 'submit', jobId: null, nonce: null, worker: null, algo: null } : null;
    case 'getwork':
      // getwork with data is a submission (pre-BIP 22 getwork: params [data]).
      return typeof pa[0] === 'string'
        ? { ...h, protocol: 'getwork', kind: 'submit', jobId: null, nonce: null, worker: null, algo: null }
        : { ...h, protocol: 'getwork', kind: 'getwork', wallet: null };
    case 'getblocktemplate':
    case 'get_block_template':
      return { ...h, protocol: 'getblocktemplate', kind: 'getwork', wallet: str(po?.wallet_address) };
    case 'eth_getWork':
      return { ...h, protocol: 'ethproxy', kind: 'getwork', wallet: null };
    case 'getjob':
      return po !== null && str(po.id) !== null ? { ...h, protocol: 'xmrig', kind: 'getwork', wallet: null } : null;
    case 'mining.notify':
      return notify(h, pa);
    case 'job':
      if (po === null || str(po.job_id) === null || str(po.blob) === null) return null;
      return { ...h, protocol: 'xmrig', kind: 'job', job: jobOf(po) };
    case 'mining.set_difficulty':
      return { ...h, protocol: 'stratum', kind: 'difficulty', difficulty: num(pa[0]), target: null };
    case 'mining.set_target': {
      const target = str(pa[0]);
      return { ...h, protocol: 'ethstratum', kind: 'difficulty', difficulty: difficultyOfTarget(target && !target.startsWith('0x') ? `0x${target}` : target), target };
    }
    case 'mining.set_extranonce':
    case 'mining.extranonce.subscribe':
      return { ...h, protocol: 'stratum', kind: 'extranonce', extranonce: str(pa[0]) };
    case 'mining.configure':
      return { ...h, protocol: 'stratum', kind: 'configure', extensions: strings(pa[0], 16) };
    case 'keepalived':
      return { ...h, protocol: 'xmrig', kind: 'keepalive' };
    case 'eth_submitHashrate': {
      const rate = str(pa[0]);
      return { ...h, protocol: 'ethproxy', kind: 'hashrate', hashrate: rate !== null && /^0x[0-9a-f]{1,16}$/i.test(rate) ? parseInt(rate, 16) : null };
    }
    case 'client.reconnect':
      return { ...h, protocol: 'stratum', kind: 'reconnect', host: str(pa[0]), port: num(pa[1]) };
    default:
      return null;
  }
}

function login(h: Head, protocol: MiningProtocol, user: string | null, pass: string | null, agent: string | null, algo: string[], rigid: string | null): MiningMessage & { kind: 'login' } {
  const split = user === null ? { wallet: null, worker: null } : splitUser(user);
  return { ...h, protocol, kind: 'login', user, wallet: split.wallet, worker: split.worker ?? workerFromPass(pass) ?? rigid, pass, agent, algo, rigid };
}

/**
 * mining.notify: Bitcoin-style Stratum v1 has 9 params [job_id, prevhash, coinb1, coinb2,
 * merkle_branch, version, nbits, ntime, clean]; EthereumStratum/1.0.0 has 4 [job_id, seedhash,
 * headerhash, clean]; kawpow pools send 7 [job_id, header, seedhash, target, clean, height, bits].
 */
function notify(h: Head, pa: Json[]): MiningMessage | null {
  const jobId = str(pa[0]);
  if (jobId === null) return null;
  const job: MiningJob = { jobId, algo: null, height: null, seedHash: null, target: null, difficulty: null, clean: null };
  if (pa.length >= 9 && Array.isArray(pa[4])) return { ...h, protocol: 'stratum', kind: 'job', job: { ...job, clean: typeof pa[8] === 'boolean' ? pa[8] : null } };
  if (pa.length === 4 && typeof pa[3] === 'boolean') return { ...h, protocol: 'ethstratum', kind: 'job', job: { ...job, seedHash: str(pa[1]), clean: pa[3] } };
  if (pa.length >= 6 && typeof pa[4] === 'boolean') {
    const target = str(pa[3]);
    const t = target !== null && HASH.test(target) ? (target.startsWith('0x') ? target : `0x${target}`) : null;
    return { ...h, protocol: 'stratum', kind: 'job', job: { ...job, seedHash: str(pa[2]), target, difficulty: difficultyOfTarget(t), height: num(pa[5]), clean: pa[4] } };
  }
  return null;
}

/** A reply: mining-shaped results (a job inside) name their protocol; a bare one is `stratum` until paired. */
function reply(o: { [k: string]: Json }, h: Head): MiningMessage {
  const err = o.error ?? null;
  const error = err === null ? null : str(obj(err)?.message) ?? str(arr(err)[1]) ?? (typeof err === 'string' ? str(err) : 'error');
  const r = o.result ?? null;
  const ro = obj(r);
  const ra = arr(r);
  const base = { ...h, kind: 'result' as const, ok: error === null && r !== false && r !== null, error };
  // XMRig login reply: {id, job: {...}, status: "OK"}; later submit replies are {status: "OK"}.
  const xj = obj(ro?.job);
  if (xj !== null && str(xj.blob) !== null) return { ...base, protocol: 'xmrig', job: jobOf(xj) };
  if (ro !== null && str(ro.blob) !== null && str(ro.job_id) !== null) return { ...base, protocol: 'xmrig', job: jobOf(ro) }; // getjob reply
  // eth_getWork reply or pushed work: [header, seed, boundary, (height)], 32-byte hex each.
  if (ra.length >= 3 && ra.slice(0, 3).every((x) => typeof x === 'string' && HASH.test(x))) {
    const target = str(ra[2]);
    return { ...base, protocol: 'ethproxy', job: { jobId: str(ra[0]), algo: null, height: typeof ra[3] === 'string' && /^0x[0-9a-f]{1,12}$/i.test(ra[3]) ? parseInt(ra[3], 16) : null, seedHash: str(ra[1]), target, difficulty: difficultyOfTarget(target), clean: null } };
  }
  // getblocktemplate (BIP 22) or monerod get_block_template reply.
  if (ro !== null && (str(ro.previousblockhash) !== null || str(ro.blocktemplate_blob) !== null) && num(ro.height) !== null) {
    const target = str(ro.target);
    const difficulty = num(ro.difficulty) ?? (target !== null && HASH.test(target) ? difficultyOfTarget(`0x${target.replace(/^0x/, '')}`) : null);
    return { ...base, protocol: 'getblocktemplate', job: { jobId: null, algo: null, height: num(ro.height), seedHash: str(ro.seed_hash), target, difficulty, clean: null } };
  }
  // getwork reply: {midstate, data, hash1, target}.
  if (ro !== null && str(ro.data) !== null && str(ro.target) !== null && (str(ro.midstate) !== null || str(ro.hash1) !== null)) {
    return { ...base, protocol: 'getwork', job: { jobId: null, algo: null, height: null, seedHash: null, target: str(ro.target), difficulty: null, clean: null } };
  }
  return { ...base, protocol: 'stratum', job: null };
}
