import { describe, expect, it } from 'vitest';
import { algorithmInfo, coinOfWallet, difficultyOfTarget } from './coins.ts';
import { parseMiningLine } from './stratum.ts';

const up = (s: string) => parseMiningLine(s, true);
const down = (s: string) => parseMiningLine(s, false);
const XMR = '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A';

describe('Stratum v1 (braiins Stratum v1 docs, cgminer)', () => {
  it('reads subscribe, authorize and submit from the miner', () => {
    expect(up('{"id": 1, "method": "mining.subscribe", "params": ["cgminer/4.10.0"]}')).toMatchObject({ protocol: 'stratum', kind: 'subscribe', method: 'mining.subscribe', direction: 'to-pool', id: 1, agent: 'cgminer/4.10.0', version: null });
    expect(up('{"params": ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2.rig7", "x"], "id": 2, "method": "mining.authorize"}')).toMatchObject({ kind: 'login', wallet: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', worker: 'rig7', pass: 'x' });
    expect(up('{"id":3,"method":"mining.authorize","params":["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq+65536","d=65536"]}')).toMatchObject({ wallet: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', worker: null });
    expect(up('{"params": ["slush.miner1", "bf", "00000001", "504e86ed", "b2957c02"], "id": 4, "method": "mining.submit"}')).toMatchObject({ kind: 'submit', worker: 'slush.miner1', jobId: 'bf', nonce: 'b2957c02' });
  });

  it('reads notify, set_difficulty, set_extranonce and reconnect from the pool', () => {
    const notify = '{"params": ["bf", "4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000", "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008", "072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000", [], "00000002", "1c2ac4af", "504e86b9", false], "id": null, "method": "mining.notify"}';
    expect(down(notify)).toMatchObject({ protocol: 'stratum', kind: 'job', direction: 'from-pool', id: null, job: { jobId: 'bf', clean: false } });
    expect(down('{"id":null,"method":"mining.set_difficulty","params":[2]}')).toMatchObject({ kind: 'difficulty', difficulty: 2 });
    expect(down('{"id":null,"method":"mining.set_extranonce","params":["08000002",4]}')).toMatchObject({ kind: 'extranonce', extranonce: '08000002' });
    expect(down('{"id":null,"method":"client.reconnect","params":["eu.pool.example",3333,0]}')).toMatchObject({ kind: 'reconnect', host: 'eu.pool.example', port: 3333 });
  });

  it('reads extranonce.subscribe (NiceHash) and configure (BIP 310) from the miner', () => {
    expect(up('{"id": 3, "method": "mining.extranonce.subscribe", "params": []}')).toMatchObject({ kind: 'extranonce', extranonce: null });
    expect(up('{"method": "mining.configure", "id": 1, "params": [["minimum-difficulty", "version-rolling"], {"minimum-difficulty.value": 2048, "version-rolling.mask": "1fffe000", "version-rolling.min-bit-count": 2}]}'))
      .toMatchObject({ kind: 'configure', extensions: ['minimum-difficulty', 'version-rolling'] });
  });

  it('reads kawpow-style notify with target and height', () => {
    const n = down(`{"id":null,"method":"mining.notify","params":["6a1f","${'ab'.repeat(32)}","${'cd'.repeat(32)}","00000000ffff0000000000000000000000000000000000000000000000000000",true,2887654,"1b0104e5"]}`);
    expect(n).toMatchObject({ kind: 'job', job: { jobId: '6a1f', height: 2887654, clean: true, seedHash: 'cd'.repeat(32) } });
  });

  it('returns a reply as a result to be paired by id', () => {
    expect(down('{"id":4,"result":true,"error":null}')).toMatchObject({ kind: 'result', method: null, ok: true, job: null, id: 4 });
    expect(down('{"id":4,"result":null,"error":[23,"Low difficulty share",null]}')).toMatchObject({ kind: 'result', ok: false, error: 'Low difficulty share' });
  });
});

describe('EthereumStratum/1.0.0 (NiceHash) and eth-proxy (ethminer)', () => {
  it('reads the NiceHash subscribe, set_target and 4-field notify', () => {
    expect(up('{"id": 1, "method": "mining.subscribe", "params": ["ethminer/0.19.0", "EthereumStratum/1.0.0"]}')).toMatchObject({ protocol: 'ethstratum', kind: 'subscribe', version: 'EthereumStratum/1.0.0', agent: 'ethminer/0.19.0' });
    expect(down(`{"id": null, "method": "mining.notify", "params": ["bf0488aa", "${'ab'.repeat(32)}", "${'cd'.repeat(32)}", true]}`)).toMatchObject({ protocol: 'ethstratum', kind: 'job', job: { jobId: 'bf0488aa', clean: true } });
    expect(down('{"id":null,"method":"mining.set_target","params":["00000001ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"]}')).toMatchObject({ kind: 'difficulty', difficulty: 2147483648 });
  });

  it('reads eth_submitLogin with its worker field, getWork, submitWork and submitHashrate', () => {
    expect(up('{"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","worker":"rig1","params":["0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c","x"]}')).toMatchObject({ protocol: 'ethproxy', kind: 'login', wallet: '0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c', worker: 'rig1' });
    expect(up('{"id":5,"jsonrpc":"2.0","method":"eth_getWork","params":[]}')).toMatchObject({ kind: 'getwork' });
    expect(up(`{"id":4,"jsonrpc":"2.0","method":"eth_submitWork","worker":"rig1","params":["0x9d2a30ea48e2a3b4","0x${'ab'.repeat(32)}","0x${'cd'.repeat(32)}"]}`)).toMatchObject({ kind: 'submit', nonce: '0x9d2a30ea48e2a3b4', worker: 'rig1' });
    expect(up('{"id":9,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x1dcd6500","0x59daa26581d0acd1fce254fb7e85952f4c09d0915afd33d3886cd914bc7d283c"]}')).toMatchObject({ kind: 'hashrate', hashrate: 500_000_000 });
  });

  it('reads pushed work [header, seed, boundary, height] as a job', () => {
    const w = down(`{"id":0,"jsonrpc":"2.0","result":["0x${'ab'.repeat(32)}","0x${'cd'.repeat(32)}","0x0000000112e0be826d694b2e62d01511f12a6061fbaec8bc02357593e70e52ba","0xe4c4b2"]}`);
    expect(w).toMatchObject({ protocol: 'ethproxy', kind: 'result', job: { height: 0xe4c4b2 } });
    expect(w?.kind === 'result' && w.job?.difficulty).toBeCloseTo(3_999_999_999, -3);
  });
});

describe('CryptoNote as XMRig speaks it (exact lines from the capture)', () => {
  it('reads login, the reply with a job, job, submit, keepalived and getjob', () => {
    const login = up(`{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"${XMR}","pass":"worker1","agent":"XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0","algo":["rx/0","cn/1"]}}`);
    expect(login).toMatchObject({ protocol: 'xmrig', kind: 'login', id: 1, wallet: XMR, worker: 'worker1', agent: 'XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0', algo: ['rx/0', 'cn/1'] });
    const reply = down('{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"4f1c2b8e-7d2a-4b6e-9c11-0d5e3a9b7c21","job":{"blob":"1010928c8cd806a6f2b8c3d9e04f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192000000005b9962eefdb52577785af76d87d105ae7035a54f8d0529a0b72f79b5c0a17c0006","job_id":"3a7b0001","target":"285c8f02","algo":"rx/0","height":3312346,"seed_hash":"5e2d1a3f8b7c6d4e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"},"extensions":["algo","nicehash","connect","tls","keepalive"],"status":"OK"}}');
    expect(reply).toMatchObject({ protocol: 'xmrig', kind: 'result', ok: true, job: { jobId: '3a7b0001', algo: 'rx/0', height: 3312346, target: '285c8f02', difficulty: 100 } });
    expect(down('{"jsonrpc":"2.0","method":"job","params":{"blob":"1010998c","job_id":"3a7b0002","target":"285c8f02","algo":"rx/0","height":3312347,"seed_hash":"5e2d"}}')).toMatchObject({ kind: 'job', id: null, job: { jobId: '3a7b0002', difficulty: 100 } });
    expect(up('{"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":"4f1c2b8e-7d2a-4b6e-9c11-0d5e3a9b7c21","job_id":"3a7b0001","nonce":"07000000","result":"6d80ad4d4f9a63e31364a10ccd9e7b2f969f3fbdc14054d0ea095c09e9f1ea00","algo":"rx/0"}}')).toMatchObject({ kind: 'submit', jobId: '3a7b0001', nonce: '07000000', algo: 'rx/0' });
    expect(up('{"id":5,"jsonrpc":"2.0","method":"keepalived","params":{"id":"4f1c2b8e"}}')).toMatchObject({ kind: 'keepalive' });
    expect(up('{"id":6,"jsonrpc":"2.0","method":"getjob","params":{"id":"4f1c2b8e"}}')).toMatchObject({ kind: 'getwork' });
  });

  it('does not take a web sign-in named "login" for XMRig', () => {
    expect(up('{"jsonrpc":"2.0","id":1,"method":"login","params":{"login":"alice","pass":"hunter2"}}')).toBeNull();
  });
});

describe('getwork and getblocktemplate over HTTP', () => {
  it('reads the request body, or the whole POST', () => {
    expect(up('{"jsonrpc": "1.0", "id": "curltest", "method": "getblocktemplate", "params": [{"rules": ["segwit"]}]}')).toMatchObject({ protocol: 'getblocktemplate', kind: 'getwork' });
    const post = 'POST / HTTP/1.1\r\nHost: 127.0.0.1:8332\r\nContent-Type: application/json\r\n\r\n{"method":"getwork","params":[],"id":0}';
    expect(up(post)).toMatchObject({ protocol: 'getwork', kind: 'getwork' });
    expect(up('{"method":"getwork","params":["000000013a"],"id":1}')).toMatchObject({ protocol: 'getwork', kind: 'submit' });
    expect(up('{"jsonrpc":"1.0","id":2,"method":"submitblock","params":["0000002077"]}')).toMatchObject({ kind: 'submit' });
    expect(up(`{"jsonrpc":"2.0","id":"0","method":"get_block_template","params":{"wallet_address":"${XMR}","reserve_size":60}}`)).toMatchObject({ kind: 'getwork', wallet: XMR });
  });

  it('reads the replies as jobs', () => {
    const gbt = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"result":{"version":536870912,"previousblockhash":"${'00'.repeat(10)}${'ab'.repeat(22)}","transactions":[],"coinbasevalue":312500000,"target":"00000000000000000003a30c0000000000000000000000000000000000000000","bits":"17034219","height":840000},"error":null,"id":"curltest"}`;
    expect(down(gbt)).toMatchObject({ protocol: 'getblocktemplate', kind: 'result', job: { height: 840000 } });
    expect(down('{"result":{"midstate":"aa","data":"0000000109a7","hash1":"00","target":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000"},"error":null,"id":0}')).toMatchObject({ protocol: 'getwork', job: { jobId: null } });
  });
});

describe('not mining', () => {
  it.each([
    '{"jsonrpc":"2.0","id":1,"method":"getbalance","params":[]}',
    '{"jsonrpc":"2.0","id":"0","method":"get_balance","params":{"account_index":0}}',
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":1,"rootUri":"file:///src","capabilities":{}}}',
    '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.ts"}}}',
    '{"jsonrpc":"2.0","method":"job","params":{"name":"nightly"}}',
    '{"id":1,"method":"submit","params":{"form":"x"}}',
    'not json', '[1,2,3]', '{"id":1', '',
  ])('%s → null', (line) => {
    expect(up(line)).toBeNull();
  });
});

describe('coins, algorithms, targets', () => {
  it('names coins from algorithms and wallet formats', () => {
    expect(algorithmInfo('rx/0')).toEqual({ family: 'RandomX', coin: 'monero' });
    expect(algorithmInfo('cn/r')).toEqual({ family: 'CryptoNight', coin: 'unknown' });
    expect(algorithmInfo('KawPow')?.coin).toBe('ravencoin');
    expect(algorithmInfo('ethash')?.coin).toBe('ethereum');
    expect(algorithmInfo('sha256d')?.coin).toBe('bitcoin');
    expect(algorithmInfo('nonsense')).toBeNull();
    expect(coinOfWallet(XMR)).toBe('monero');
    expect(coinOfWallet(`8${XMR.slice(1)}`)).toBe('monero');
    expect(coinOfWallet(`4${'A'.repeat(105)}`)).toBe('monero');
    expect(coinOfWallet('0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c')).toBe('ethereum');
    expect(coinOfWallet('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe('bitcoin');
    expect(coinOfWallet('3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')).toBe('bitcoin');
    expect(coinOfWallet('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe('bitcoin');
    expect(coinOfWallet('RJ4Q8xxfXn9jxzvhR6JvYEXyNZdJfFMDbD')).toBe('ravencoin');
    expect(coinOfWallet('miner@example.org')).toBe('unknown');
  });

  it('turns targets into difficulty as XMRig and ethash do', () => {
    expect(difficultyOfTarget('285c8f02')).toBe(100);
    expect(difficultyOfTarget('b88d0600')).toBe(10000);
    expect(difficultyOfTarget('0000000000000000')).toBeNull();
    expect(difficultyOfTarget('zz')).toBeNull();
  });
});
