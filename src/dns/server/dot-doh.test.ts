/**
 * DNS over TLS (RFC 7858) and DNS over HTTPS (RFC 8484) in front of the real gateway (NSD
 * upstream), asked by real clients: kdig (+tls, +https, +https-get), curl (HTTP/2 and HTTP/1.1)
 * and, for pipelining and the plain-HTTP mode, Node's own clients. The certificate is a
 * self-signed one made by openssl for this run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsEvent } from '../../model/events.ts';
import { configSchema } from '../../config/index.ts';
import { createLogger } from '../../core/log.ts';
import { hasNsd, NO_NSD_REASON, startAuthoritative, TEST_ZONE, type Authoritative } from '../../../test/support/authoritative.ts';
import { Gateway, type ThreatLookup } from '../index.ts';
import { decode, encode, RCODE, TYPE } from '../wire/index.ts';
import { listenDoh, freshness } from './doh.ts';
import { listenDot } from './dot.ts';
import { frame, FrameReader, type Listener } from './frame.ts';

const run = promisify(execFile);
const log = createLogger({ level: 'silent', format: 'json' });

const INTEL: ThreatLookup = {
  domain: (n) => (n === 'pool.test' || n.endsWith('.pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 'test-feed' } : null),
  ip: () => null,
  size: () => 1,
};

function query(name: string, id = 0, type: number = TYPE.A): Uint8Array {
  return encode({
    id, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  });
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ready = hasNsd() && hasOpenssl();
const describeReady = ready ? describe : describe.skip;

describeReady(`DoT and DoH listeners${ready ? '' : ` (skipped: ${hasNsd() ? 'openssl not installed' : NO_NSD_REASON})`}`, () => {
  let auth: Authoritative;
  let gw: Gateway;
  let dot: Listener;
  let doh: Listener;
  let plain: Listener;
  let dir: string;
  let ca: string;
  const events: DnsEvent[] = [];
  const last = (name: string): DnsEvent => [...events].reverse().find((e) => e.name === name)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dot-doh-'));
    ca = join(dir, 'c.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'k.pem'), '-out', ca]);
    const tls = { cert: readFileSync(ca), key: readFileSync(join(dir, 'k.pem')) };
    auth = await startAuthoritative(TEST_ZONE);
    gw = await Gateway.start({
      config: configSchema.parse({ dns: { listen: '127.0.0.1:0', upstreams: [`127.0.0.1:${auth.port}`], timeout: 1 } }).dns,
      intel: INTEL, org: { resolve: () => null, lineage: (u: string) => [u] }, queryLog: { record: (e) => events.push(e) > 0 }, log,
    });
    dot = await listenDot({ host: '127.0.0.1', port: 0 }, gw.handler, tls);
    doh = await listenDoh({ host: '127.0.0.1', port: 0 }, gw.handler, { tls });
    plain = await listenDoh({ host: '127.0.0.1', port: 0 }, gw.handler, { tls: null, forwardedFor: true });
  }, 30_000);

  afterAll(async () => {
    await dot?.close();
    await doh?.close();
    await plain?.close();
    await gw?.close();
    await auth?.stop();
  });

  const kdig = async (port: number, ...args: string[]): Promise<string> =>
    (await run('kdig', ['@127.0.0.1', '-p', String(port), `+tls-ca=${ca}`, '+tls-hostname=localhost', '+time=3', '+retry=0', ...args])).stdout;

  /** curl over TLS: status, headers (lower-case names) and the body. */
  async function curl(args: string[], path: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const out = join(dir, `body-${Math.random().toString(36).slice(2)}`);
    const r = await run('curl', ['-sS', '--cacert', ca, '-D', '-', '-o', out, ...args, `https://127.0.0.1:${doh.port}${path}`]);
    const lines = r.stdout.split('\r\n');
    const headers = Object.fromEntries(lines.slice(1).filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { status: Number(lines[0]!.split(' ')[1]), headers, body: readFileSync(out) };
  }

  describe('DNS over TLS', () => {
    it('answers kdig +tls (strict profile: the certificate is checked against the CA and name)', async () => {
      const out = await kdig(dot.port, '+tls', 'www.example.test', 'A');
      expect(out).toMatch(/TLS session \(TLS1\.3\)/);
      expect(out).toMatch(/status: NOERROR/);
      expect(out).toMatch(/^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10$/m);
      expect(last('www.example.test')).toMatchObject({ client: '127.0.0.1', via: null, site: '', qtype: 1, rcode: 0 });
    });

    it('blocks an indicator with NXDOMAIN and the Extended DNS Error', async () => {
      const out = await kdig(dot.port, '+tls', 'xmr.pool.test', 'A');
      expect(out).toMatch(/status: NXDOMAIN/);
      expect(out).toMatch(/EDE: 15 \(Blocked\): 'mining-pool: pool\.test \[test-feed\]'/);
      expect(last('xmr.pool.test')).toMatchObject({ client: '127.0.0.1', outcome: 'blocked', reason: 'indicator', indicator: 'pool.test', rcode: RCODE.NXDOMAIN });
    });

    it('answers several pipelined queries on one connection, each by its ID, and negotiates ALPN "dot"', async () => {
      const names = ['www.example.test', 'mail.example.test', 'nothing.example.test', 'v6.example.test', 'eu.pool.test'];
      const sock = connect({ host: '127.0.0.1', port: dot.port, ca: readFileSync(ca), servername: 'localhost', ALPNProtocols: ['dot'] });
      await new Promise<void>((ok, fail) => sock.once('secureConnect', ok).once('error', fail));
      expect(sock.alpnProtocol).toBe('dot');
      // All in one write: the server must split them (RFC 7766 §8) and answer each.
      sock.write(Buffer.concat(names.map((n, i) => frame(query(n, 100 + i)))));
      const reader = new FrameReader();
      const replies = await new Promise<Buffer[]>((ok) => {
        const got: Buffer[] = [];
        sock.on('data', (d: Buffer) => {
          got.push(...reader.push(d));
          if (got.length === names.length) ok(got);
        });
      });
      sock.destroy();
      const byId = new Map(replies.map((r) => [decode(r).id, decode(r)]));
      expect([...byId.keys()].sort()).toEqual([100, 101, 102, 103, 104]);
      names.forEach((n, i) => expect(byId.get(100 + i)!.questions[0]!.name).toBe(n));
      expect(byId.get(102)!.flags.rcode).toBe(RCODE.NXDOMAIN);
      expect(byId.get(104)!.flags.rcode).toBe(RCODE.NXDOMAIN);
    });
  });

  describe('DNS over HTTPS', () => {
    it('answers kdig +https (HTTP/2 POST) and +https-get, with the ID 0 kdig sends', async () => {
      const post = await kdig(doh.port, '+https', 'www.example.test', 'A');
      expect(post).toMatch(/HTTP session \(HTTP\/2-POST\).*status: 200/);
      expect(post).toMatch(/status: NOERROR; id: 0/);
      expect(post).toMatch(/^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10$/m);
      const get = await kdig(doh.port, '+https-get', 'v6.example.test', 'AAAA');
      expect(get).toMatch(/HTTP session \(HTTP\/2-GET\).*status: 200/);
      expect(get).toMatch(/^v6\.example\.test\.\s+\d+\s+IN\s+AAAA\s+2001:db8::10$/m);
      expect(last('v6.example.test')).toMatchObject({ client: '127.0.0.1', via: null, qtype: TYPE.AAAA, rcode: 0 });
    });

    it('blocks over DoH too, with the EDE', async () => {
      const out = await kdig(doh.port, '+https', 'pool.test', 'A');
      expect(out).toMatch(/status: NXDOMAIN/);
      expect(out).toMatch(/EDE: 15 \(Blocked\)/);
      expect(last('pool.test')).toMatchObject({ client: '127.0.0.1', outcome: 'blocked' });
    });

    it('GET (curl, HTTP/2): the dns-message type, max-age the smallest answer TTL, the query ID as given', async () => {
      await kdig(dot.port, '+tls', 'alias.example.test', 'A');
      const r = await curl(['--http2', '-H', 'accept: application/dns-message'], `/dns-query?dns=${b64url(query('alias.example.test', 0x1234))}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/dns-message');
      const m = decode(r.body);
      expect(m.id).toBe(0x1234);
      expect(m.answers.length).toBeGreaterThan(1);
      expect(r.headers['cache-control']).toBe(`max-age=${Math.min(...m.answers.map((a) => a.ttl))}`);
    });

    it('POST (curl, HTTP/2 and HTTP/1.1); a negative answer lives for the SOA minimum (RFC 8484 §5.1)', async () => {
      const file = join(dir, 'q.bin');
      writeFileSync(file, query('nothing.example.test'));
      for (const version of ['--http2', '--http1.1']) {
        const r = await curl([version, '-H', 'content-type: application/dns-message', '--data-binary', `@${file}`], '/dns-query');
        expect(r.status).toBe(200);
        expect(decode(r.body).flags.rcode).toBe(RCODE.NXDOMAIN);
        expect(Number(/^max-age=(\d+)$/.exec(r.headers['cache-control'] ?? '')?.[1])).toBeLessThanOrEqual(60);
      }
    });

    it('refuses what is not a DoH query with the HTTP status RFC 8484 §4.2.1 calls for', async () => {
      const q = b64url(query('www.example.test'));
      expect((await curl([], `/other?dns=${q}`)).status).toBe(404);
      const put = await curl(['-X', 'PUT'], '/dns-query');
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe('GET, POST');
      expect((await curl(['-H', 'content-type: text/plain', '--data-binary', 'abc'], '/dns-query')).status).toBe(415);
      expect((await curl([], '/dns-query?dns=AA+A/')).status).toBe(400);
      expect((await curl([], '/dns-query')).status).toBe(400);
      expect((await curl([], `/dns-query?dns=${q}==`)).status).toBe(400);
      expect((await curl([], `/dns-query?dns=${b64url(new Uint8Array([1, 2, 3, 4, 5]))}`)).status).toBe(400);
      const response = query('www.example.test');
      response[2]! |= 0x80;
      expect((await curl([], `/dns-query?dns=${b64url(response)}`)).status).toBe(400);
      const big = join(dir, 'big.bin');
      writeFileSync(big, Buffer.alloc(70_000));
      expect((await curl(['-H', 'content-type: application/dns-message', '--data-binary', `@${big}`], '/dns-query')).status).toBe(413);
    });

    it('plain-HTTP mode behind a proxy takes the client from X-Forwarded-For', async () => {
      const body = query('www.example.test', 7);
      const reply = await new Promise<{ status: number; body: Buffer }>((ok, fail) => {
        const req = request({
          host: '127.0.0.1', port: plain.port, method: 'POST', path: '/dns-query',
          headers: { 'content-type': 'application/dns-message', 'x-forwarded-for': '203.0.113.9, 127.0.0.7' },
        }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        });
        req.on('error', fail);
        req.end(body);
      });
      expect(reply.status).toBe(200);
      expect(decode(reply.body).id).toBe(7);
      expect(last('www.example.test')).toMatchObject({ client: '127.0.0.7' });
    });
  });
});

describe('DoH freshness (RFC 8484 §5.1)', () => {
  const base = { id: 0, questions: [{ name: 'a.test', type: 1, class: 1 }], additionals: [], edns: null };
  const flags = (rcode: number) => ({ qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode });
  const a = (ttl: number) => ({ name: 'a.test', type: TYPE.A, class: 1, ttl, data: { kind: 'a' as const, address: '192.0.2.1' } });
  const soa = { name: 'test', type: TYPE.SOA, class: 1, ttl: 900, data: { kind: 'soa' as const, mname: 'ns', rname: 'h', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } };

  it('is the smallest answer TTL, the SOA bound for a negative answer, and 0 for errors', () => {
    expect(freshness(encode({ ...base, flags: flags(0), answers: [a(300), a(40)], authorities: [] }))).toBe(40);
    expect(freshness(encode({ ...base, flags: flags(3), answers: [], authorities: [soa] }))).toBe(30);
    expect(freshness(encode({ ...base, flags: flags(3), answers: [], authorities: [] }))).toBe(0);
    expect(freshness(encode({ ...base, flags: flags(2), answers: [a(300)], authorities: [] }))).toBe(0);
  });
});
