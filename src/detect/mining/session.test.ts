import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MinewardenEvent } from '../../model/events.ts';
import { readPcap, type PayloadMessage } from '../../sensors/pcap/index.ts';
import { SensorHealth } from '../../sensors/index.ts';
import { MiningSession, miningVerdict, toAlert, type MiningLine, type MiningVerdict } from './session.ts';
import { parseMiningLine } from './stratum.ts';

const SHARED = new URL('../../../../shared/testdata/pcap/', import.meta.url);
const PCAP = new URL('stratum_xmrig_rx0.pcap', SHARED).pathname;
const LOG = new URL('stratum_xmrig_rx0.xmrig.log', SHARED).pathname;

/** The JSON-RPC lines the pcap reader hands out for the capture. */
async function pcapMessages(): Promise<PayloadMessage[]> {
  const msgs: PayloadMessage[] = [];
  const out = { record: (_e: MinewardenEvent) => true, noteHostName: () => undefined, drained: () => Promise.resolve() };
  await readPcap(PCAP, out, { health: new SensorHealth('t', 'pcap'), onPayload: (m) => msgs.push(m) });
  return msgs;
}

const lines = (...xs: [boolean, string][]): MiningLine[] => xs.map(([fromClient, text], i) => ({ ts: 1_700_000_000_000 + i * 1000, fromClient, text }));

describe('the real XMRig 6.26.0 capture, end to end', () => {
  let msgs: PayloadMessage[];
  let v: MiningVerdict;
  beforeAll(async () => {
    msgs = await pcapMessages();
    v = miningVerdict(msgs)!;
  });

  it('reads every line the reader hands out as a mining message', () => {
    expect(msgs).toHaveLength(11);
    expect(msgs.every((m) => parseMiningLine(m.text, m.fromClient) !== null)).toBe(true);
  });

  it('says Monero, XMRig 6.26.0, the wallet in the log, worker1, rx/0, with work and accepted shares', () => {
    // The log does not print the wallet (it is the one the sinkhole tests read from this login);
    // it does print every job (diff, algo, height) and every accepted share, which must match.
    const log = readFileSync(LOG, 'utf8');
    const jobs = [...log.matchAll(/new job from \S+ diff (\d+) algo (\S+) height (\d+)/g)];
    const accepted = log.match(/ accepted \(\d+\/0\)/g)?.length ?? 0;
    expect(v).toMatchObject({
      protocol: 'xmrig', coin: 'monero', coinFrom: 'algorithm', algorithm: 'rx/0', family: 'RandomX',
      wallet: '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A',
      worker: 'worker1', agent: 'XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0',
      jobs: 4, difficulty: 100, height: 3312349, loginAccepted: true,
      shares: { submitted: 3, accepted: 3, rejected: 0 },
      messages: { toPool: 4, fromPool: 7, byKind: { login: 1, result: 4, submit: 3, job: 3 } },
      firstTs: msgs[0]!.ts, lastTs: msgs[10]!.ts,
    });
    expect(v.jobs).toBe(jobs.length);
    expect(v.shares.accepted).toBe(accepted);
    expect(v.difficulty).toBe(Number(jobs.at(-1)![1]));
    expect(v.algorithm).toBe(jobs.at(-1)![2]);
    expect(v.height).toBe(Number(jobs.at(-1)![3]));
    expect(v.confidence).toBeGreaterThanOrEqual(90);
  });

  it('becomes an alert on the host', () => {
    const flow = msgs[0]!.flow;
    const a = toAlert(v, { client: '127.0.0.1', site: '', unit: 'lab' }, flow);
    expect(a).toMatchObject({
      detector: 'mining-protocol', stage: 'mining', threat: 'mining:monero', severity: 'high', unit: 'lab',
      title: 'Monero mining (XMRig/6.26.0) to 127.0.0.1:3333', controller: '127.0.0.1:3333', confidence: v.confidence, ts: msgs[0]!.ts,
      evidence: { wallet: v.wallet, worker: 'worker1', agent: v.agent, algorithm: 'rx/0', jobs: 4, shares: { submitted: 3, accepted: 3, rejected: 0 } },
    });
    expect(JSON.parse(JSON.stringify(a.evidence))).toEqual(a.evidence);
    expect(toAlert(v, { client: 'x', site: '' }, { dst: '2001:db8::7', dstPort: 443 }).controller).toBe('[2001:db8::7]:443');
  });

  it('rises with each stage: login < login and job < shares accepted', () => {
    const s = new MiningSession();
    const conf: number[] = [];
    for (const m of msgs) {
      s.add(m);
      conf.push(s.verdict()!.confidence);
    }
    expect(conf[0]).toBeLessThan(60); // login alone
    expect(conf[1]).toBeGreaterThan(conf[0]!); // the pool answered with a job
    expect(conf[1]).toBeLessThan(90);
    expect(conf[3]).toBeGreaterThanOrEqual(90); // a share accepted
    expect(conf).toEqual([...conf].sort((a, b) => a - b));
  });
});

describe('other dialects', () => {
  it('a Stratum v1 Bitcoin session: subscribe, authorize, difficulty, notify, submit, accepted', () => {
    const v = miningVerdict(lines(
      [true, '{"id": 1, "method": "mining.subscribe", "params": ["bmminer/2.0.0"]}'],
      [false, '{"id":1,"result":[[["mining.set_difficulty","b4b6693b72a50c7116db18d6497cac52"],["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"]],"08000002",4],"error":null}'],
      [true, '{"params": ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.s9-07", "x"], "id": 2, "method": "mining.authorize"}'],
      [false, '{"id":2,"result":true,"error":null}'],
      [false, '{"id":null,"method":"mining.set_difficulty","params":[65536]}'],
      [false, '{"params":["bf","4d16b6f8","0100","072f",[],"20000000","1703a30c","65f1a2b3",true],"id":null,"method":"mining.notify"}'],
      [true, '{"params":["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.s9-07","bf","00000001","65f1a2b3","b2957c02"],"id":4,"method":"mining.submit"}'],
      [false, '{"id":4,"result":true,"error":null}'],
    ))!;
    expect(v).toMatchObject({ protocol: 'stratum', coin: 'bitcoin', coinFrom: 'wallet', agent: 'bmminer/2.0.0', worker: 's9-07', difficulty: 65536, jobs: 1, shares: { submitted: 1, accepted: 1 } });
    expect(v.confidence).toBeGreaterThanOrEqual(90);
  });

  it('an EthereumStratum/1.0.0 session with a rejected share', () => {
    const v = miningVerdict(lines(
      [true, '{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88","EthereumStratum/1.0.0"]}'],
      [true, '{"id":2,"method":"mining.authorize","params":["0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c.rig2","x"]}'],
      [false, `{"id":null,"method":"mining.notify","params":["bf0488aa","${'ab'.repeat(32)}","${'cd'.repeat(32)}",true]}`],
      [true, '{"id":3,"method":"mining.submit","params":["0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c.rig2","bf0488aa","6a909d9bbc0f"]}'],
      [false, '{"id":3,"result":false,"error":[21,"Job not found",null]}'],
    ))!;
    expect(v).toMatchObject({ protocol: 'ethstratum', coin: 'ethereum', worker: 'rig2', agent: 'lolMiner 1.88', shares: { submitted: 1, accepted: 0, rejected: 1 } });
    expect(v.confidence).toBe(85);
  });

  it('an XMRig kawpow login with a job names Ravencoin from the algorithm', () => {
    const v = miningVerdict(lines(
      [true, '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"RJ4Q8xxfXn9jxzvhR6JvYEXyNZdJfFMDbD.gpu0","pass":"x","agent":"XMRig/6.21.0","algo":["kawpow"]}}'],
      [false, '{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"1","job":{"blob":"00","job_id":"7","target":"b88d0600","algo":"kawpow","height":3000000},"status":"OK"}}'],
    ))!;
    expect(v).toMatchObject({ coin: 'ravencoin', coinFrom: 'algorithm', family: 'KawPow', worker: 'gpu0', jobs: 1, difficulty: 10000 });
    expect(v.confidence).toBe(75);
  });

  it('a login alone is a verdict with low confidence', () => {
    const v = miningVerdict(lines([true, '{"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","worker":"w","params":["0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c"]}']))!;
    expect(v).toMatchObject({ protocol: 'ethproxy', coin: 'ethereum', jobs: 0 });
    expect(v.confidence).toBeLessThan(60);
  });
});

describe('no verdict', () => {
  it('for garbage, a wallet RPC call, an LSP exchange, and replies that answer nothing', () => {
    expect(miningVerdict(lines([true, 'GET / HTTP/1.1'], [false, '\u0000\u0001'], [true, '{"id":']))).toBeNull();
    expect(miningVerdict(lines(
      [true, '{"jsonrpc":"2.0","id":"0","method":"get_balance","params":{"account_index":0}}'],
      [false, '{"id":"0","jsonrpc":"2.0","result":{"balance":157443303037455077,"unlocked_balance":157360317826255077}}'],
    ))).toBeNull();
    expect(miningVerdict(lines(
      [true, '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":1,"capabilities":{}}}'],
      [false, '{"jsonrpc":"2.0","id":1,"result":{"capabilities":{"textDocumentSync":1}}}'],
      [true, '{"jsonrpc":"2.0","method":"initialized","params":{}}'],
    ))).toBeNull();
    expect(miningVerdict(lines([false, '{"id":4,"result":true,"error":null}']))).toBeNull();
  });

  it('never throws on random JSON lines, or mining methods and replies with random params', () => {
    const json = fc.json({ maxDepth: 4 });
    const rpc = fc.record({ id: fc.oneof(fc.nat(), fc.string(), fc.constant(null)), method: fc.constantFrom('login', 'job', 'submit', 'mining.notify', 'mining.submit', 'mining.authorize', 'mining.subscribe', 'mining.set_target', 'eth_submitWork', 'eth_submitHashrate', 'getwork', 'get_block_template', 'client.reconnect'), params: fc.jsonValue({ maxDepth: 3 }) }).map((o) => JSON.stringify(o));
    const reply = fc.record({ id: fc.nat(5), result: fc.jsonValue({ maxDepth: 3 }), error: fc.jsonValue({ maxDepth: 1 }) }).map((o) => JSON.stringify(o));
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.oneof(json, rpc, reply, fc.string())), { maxLength: 20 }), (xs) => {
      const s = new MiningSession();
      for (const [fromClient, text] of xs) s.add({ ts: 0, fromClient, text });
      const v = s.verdict();
      if (v !== null) expect(v.confidence).toBeGreaterThanOrEqual(0);
      if (v !== null) expect(v.confidence).toBeLessThanOrEqual(100);
    }), { numRuns: 1000 });
  });
});
