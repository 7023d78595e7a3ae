import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURL_CLIENT_HELLO, CURL_HTTP, captureClientHello, xmrigLogin } from './sinkhole.test-util.ts';
import { hostName, parseClientHello, parseHttpRequest, parseStratum, printable, sniff, stratumStage, tlsHelloComplete } from './sniff.ts';
import { splitUser } from '../../detect/index.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const WALLET = '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A';

describe('TLS ClientHello', () => {
  it('reads SNI and ALPN from a ClientHello Node sends', async () => {
    const hello = await captureClientHello('pool.supportxmr.com', ['h2', 'http/1.1']);
    expect(tlsHelloComplete(hello)).toBe(true);
    expect(parseClientHello(hello)).toEqual({ sni: 'pool.supportxmr.com', alpn: ['h2', 'http/1.1'] });
    expect(sniff(hello)).toMatchObject({ kind: 'tls', name: 'pool.supportxmr.com', said: 'tls sni=pool.supportxmr.com alpn=h2,http/1.1' });
  });

  it('reads SNI and ALPN from the ClientHello curl sends', () => {
    expect(CURL_CLIENT_HELLO.length).toBe(517);
    expect(tlsHelloComplete(CURL_CLIENT_HELLO)).toBe(true);
    expect(parseClientHello(CURL_CLIENT_HELLO)).toEqual({ sni: 'pool.supportxmr.com', alpn: ['h2', 'http/1.1'] });
  });

  it('reads the SNI from a hello cut off after its server_name extension', () => {
    const cut = CURL_CLIENT_HELLO.subarray(0, 180);
    expect(tlsHelloComplete(cut)).toBe(false);
    expect(parseClientHello(cut)?.sni).toBe('pool.supportxmr.com');
    expect(sniff(cut).said).toBe('tls sni=pool.supportxmr.com (partial)');
  });

  it('reads a hello split across two records (RFC 8446 §5.1)', () => {
    const body = CURL_CLIENT_HELLO.subarray(5);
    const rec = (b: Buffer): Buffer => Buffer.concat([Buffer.from([22, 3, 1, b.length >> 8, b.length & 0xff]), b]);
    const split = Buffer.concat([rec(body.subarray(0, 100)), rec(body.subarray(100))]);
    expect(parseClientHello(split)).toEqual({ sni: 'pool.supportxmr.com', alpn: ['h2', 'http/1.1'] });
    expect(tlsHelloComplete(split)).toBe(true);
  });

  it('is null for anything that is not a ClientHello', () => {
    expect(parseClientHello(CURL_HTTP)).toBeNull();
    expect(parseClientHello(Buffer.from([22, 3, 3, 0, 4, 2, 0, 0, 0]))).toBeNull(); // ServerHello
    expect(parseClientHello(Buffer.from([22, 3]))).toBeNull();
  });
});

describe('HTTP request', () => {
  it('reads what curl sent', () => {
    expect(parseHttpRequest(CURL_HTTP)).toEqual({ method: 'GET', host: 'pool.example', path: '/', userAgent: 'curl/7.88.1' });
    expect(sniff(CURL_HTTP)).toMatchObject({ kind: 'http', name: 'pool.example', said: 'http GET pool.example/ ua=curl/7.88.1' });
  });

  it('takes the authority of an absolute-form target and of CONNECT (RFC 9112 §3.2)', () => {
    expect(parseHttpRequest(enc('GET http://Coinhive.COM:8080/lib.js HTTP/1.1\r\n\r\n'))?.host).toBe('Coinhive.COM:8080');
    expect(sniff(enc('CONNECT xmr.pool.test:443 HTTP/1.1\r\n\r\n')).name).toBe('xmr.pool.test');
  });

  it('names no host for an IP literal or junk', () => {
    expect(hostName('203.0.113.9:80')).toBeNull();
    expect(hostName('[2001:db8::1]:443')).toBeNull();
    expect(hostName('bad host')).toBeNull();
    expect(hostName('Pool.Example.:3333')).toBe('pool.example');
  });
});

describe('mining logins', () => {
  it('reads the real XMRig 6.26.0 login from the capture', () => {
    const bytes = xmrigLogin();
    const login = parseStratum(bytes)!;
    expect(login).toMatchObject({
      protocol: 'xmrig', method: 'login', id: 1, wallet: WALLET, worker: 'worker1',
      agent: 'XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0', loggedIn: true,
    });
    expect(login.algo[0]).toBe('rx/0');
    expect(login.algo).toHaveLength(31);
    expect(login.algo).toContain('ghostrider');
    expect(stratumStage(bytes)?.stage).toBe('login');
    expect(sniff(bytes).said).toBe(`stratum login wallet=${WALLET} worker=worker1 agent="XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0" algo=rx/0(+30)`);
  });

  it('reads Stratum v1 subscribe then authorize (WALLET.WORKER)', () => {
    const sub = '{"id":1,"method":"mining.subscribe","params":["cgminer/4.10.0"]}\n';
    expect(stratumStage(enc(sub))?.stage).toBe('subscribe');
    const both = enc(`${sub}{"id":2,"method":"mining.authorize","params":["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2.rig7","x"]}\n`);
    expect(parseStratum(both)).toMatchObject({ protocol: 'stratum', method: 'mining.authorize', id: 2, wallet: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', worker: 'rig7', agent: 'cgminer/4.10.0' });
  });

  it('reads EthereumStratum/1.0.0 and eth_submitLogin', () => {
    const es = enc('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88","EthereumStratum/1.0.0"]}\n{"id":2,"method":"mining.authorize","params":["0xabc123+5000","x"]}\n');
    expect(parseStratum(es)).toMatchObject({ protocol: 'ethstratum', wallet: '0xabc123', worker: null, agent: 'lolMiner 1.88' });
    expect(sniff(es).said).toContain('proto=EthereumStratum');
    const ep = enc('{"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","worker":"farm2","params":["0xDEADbeef00112233445566778899aabbccddeeff","x"]}\n');
    expect(parseStratum(ep)).toMatchObject({ protocol: 'ethproxy', wallet: '0xDEADbeef00112233445566778899aabbccddeeff', worker: 'farm2' });
  });

  it('splits pool user names', () => {
    expect(splitUser('WALLET+25000')).toEqual({ wallet: 'WALLET', worker: null });
    expect(splitUser('WALLET.w1/me@example.org')).toEqual({ wallet: 'WALLET', worker: 'w1' });
    expect(splitUser('miner@example.org')).toEqual({ wallet: 'miner@example.org', worker: null });
  });

  it('ignores JSON that is not mining JSON-RPC', () => {
    expect(parseStratum(enc('{"id":1,"method":"getblock","params":[]}\n'))).toBeNull();
    expect(parseStratum(enc('{"id":1,"method":"login"'))).toBeNull(); // cut off
  });
});

describe('anything else', () => {
  it('summarises binary bytes as hex and text as escaped text', () => {
    expect(sniff(Buffer.from([0, 1, 2, 0xff, 0x80]))).toEqual({ kind: 'unknown', name: null, said: 'hex:000102ff80 (5 bytes)' });
    expect(sniff(enc('HELO there\r\n')).said).toBe('raw HELO there\\r\\n');
    expect(sniff(new Uint8Array(0))).toEqual({ kind: 'empty', name: null, said: '' });
    expect(printable('a\u0000b\u00e9\u{1f600}', 100)).toBe('a\\x00b\\xe9\\u{1f600}');
    expect(printable('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('never throws on random or mutated input, and says something printable', () => {
    const seeds = [CURL_CLIENT_HELLO, CURL_HTTP, xmrigLogin()];
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat())
      .map(([seed, edits, cut]) => {
        const b = Buffer.from(seed);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b.subarray(0, 1 + (cut % b.length));
      });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), mutated), (b) => {
      const s = sniff(b);
      expect(s.said.length).toBeLessThanOrEqual(400);
      expect(/^[\x20-\x7e…]*$/.test(s.said)).toBe(true);
      tlsHelloComplete(b);
    }), { numRuns: 2000 });
  });
});
