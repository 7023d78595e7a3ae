import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { SinkholeEvent } from '../../model/events.ts';
import { Sinkhole, type SinkholeOptions } from './server.ts';
import { xmrigLogin } from './sinkhole.test-util.ts';

const WALLET = '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A';

let open: Sinkhole[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function start(extra: Partial<SinkholeOptions> = {}): Promise<{ sh: Sinkhole; events: SinkholeEvent[]; warnings: string[] }> {
  const events: SinkholeEvent[] = [];
  const warnings: string[] = [];
  // Port 0: the system picks free high ports on loopback, one listener each.
  const sh = await Sinkhole.start({
    host: '127.0.0.1', ports: [0, 0, 0], timeoutMs: 300,
    events: { record: (ev) => (events.push(ev), true) },
    log: { warn: (_obj, msg) => warnings.push(msg) },
    ...extra,
  });
  open.push(sh);
  return { sh, events, warnings };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends `bytes` (maybe nothing), collects what comes back until the sinkhole closes. */
function exchange(port: number, bytes: Buffer | null, onData?: (s: Socket, got: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect({ host: '127.0.0.1', port }, () => {
      if (bytes !== null) s.write(bytes);
    });
    s.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      onData?.(s, got);
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

describe('Sinkhole', () => {
  it('listens on every port it is given and reports them', async () => {
    const { sh } = await start();
    expect(sh.addresses).toHaveLength(3);
    expect(sh.ports.every((p) => p > 1024)).toBe(true);
  });

  it('names a TLS client by its SNI and closes with an alert', async () => {
    const { sh, events } = await start();
    const port = sh.ports[0]!;
    const err = await new Promise<Error>((resolve) => {
      const c = tlsConnect({ host: '127.0.0.1', port, servername: 'pool.supportxmr.com', ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false });
      c.on('error', resolve);
      c.on('close', () => resolve(new Error('closed')));
    });
    expect(err).toBeInstanceOf(Error);
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ kind: 'sinkhole', client: '127.0.0.1', port, proto: 'tcp', name: 'pool.supportxmr.com', said: 'tls sni=pool.supportxmr.com alpn=h2,http/1.1' });
    expect(typeof events[0]!.ts).toBe('number');
  });

  it('answers HTTP with 403 and names the client by its Host', async () => {
    const { sh, events } = await start();
    const port = sh.ports[1]!;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/lib/coinhive.min.js', headers: { Host: 'CoinHive.com', 'User-Agent': 'test-agent/1' } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('Blocked by Minewarden');
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ port, name: 'coinhive.com', said: 'http GET CoinHive.com/lib/coinhive.min.js ua=test-agent/1' });
  });

  it('reads the real XMRig login, answers a JSON-RPC error and puts it down to the name last blocked for the client', async () => {
    const { sh, events } = await start();
    sh.noteBlocked('::ffff:127.0.0.1', 'Pool.SupportXMR.com.');
    const got = await exchange(sh.ports[2]!, xmrigLogin());
    expect(JSON.parse(got.trim())).toEqual({ id: 1, jsonrpc: '2.0', error: { code: -1, message: 'blocked by Minewarden' } });
    expect(got.endsWith('\n')).toBe(true);
    await until(() => events.length === 1);
    const ev = events[0]!;
    expect(ev.name).toBe('pool.supportxmr.com');
    expect(ev.said).toContain(`wallet=${WALLET}`);
    expect(ev.said).toContain('worker=worker1');
    expect(ev.said).toContain('agent="XMRig/6.26.0 (Linux x86_64) libuv/1.52.1 gcc/16.2.0"');
    expect(ev.said).toContain('algo=rx/0');
    expect(sh.stats).toMatchObject({ connections: 1, events: 1, errors: 0 });
  });

  it('answers a Stratum v1 subscribe so the miner goes on to authorize', async () => {
    const { sh, events } = await start();
    let authorized = false;
    const got = await exchange(sh.ports[0]!, Buffer.from('{"id":1,"method":"mining.subscribe","params":["cgminer/4.10.0"]}\n'), (s, text) => {
      if (!authorized && text.includes('"result"')) {
        authorized = true;
        s.write('{"id":2,"method":"mining.authorize","params":["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2.rig7","x"]}\n');
      }
    });
    expect(got).toContain('"error":{"code":-1,"message":"blocked by Minewarden"}');
    await until(() => events.length === 1);
    expect(events[0]!.said).toBe('stratum mining.authorize wallet=1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 worker=rig7 agent=cgminer/4.10.0');
  });

  it('puts a silent connection down to the name last blocked for the client, after the timeout', async () => {
    const { sh, events } = await start({ timeoutMs: 150 });
    sh.noteBlocked('127.0.0.1', 'other.pool.test');
    sh.noteBlocked('127.0.0.1', 'xmr.pool.test');
    const t0 = Date.now();
    await exchange(sh.ports[0]!, null);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ name: 'xmr.pool.test', said: null });
  });

  it('forgets blocked names after their time', async () => {
    let now = 1_000_000;
    const { sh } = await start({ now: () => now, recentTtlMs: 60_000 });
    sh.noteBlocked('10.0.0.5', 'a.test');
    expect(sh.lastBlockedName('10.0.0.5')).toBe('a.test');
    now += 61_000;
    expect(sh.lastBlockedName('10.0.0.5')).toBeNull();
  });

  it('records garbage as a printable sample and keeps serving', async () => {
    const { sh, events } = await start();
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: sh.ports[0]! }, () => s.end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 10, 13, 0x7f])));
      s.on('close', () => resolve());
      s.on('error', () => {});
    });
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ name: null, said: 'hex:deadbeef000a0d7f (8 bytes)' });
    const big = await exchange(sh.ports[0]!, Buffer.alloc(10_000, 0x41));
    expect(big).toBe('');
    await until(() => events.length === 2);
    expect(events[1]!.said!.length).toBeLessThanOrEqual(400);
    await until(() => sh.stats.active === 0);
  });

  it('closes connections beyond the limit at once and counts them', async () => {
    const { sh, events } = await start({ maxConnections: 1, timeoutMs: 400 });
    const first = exchange(sh.ports[0]!, null);
    await until(() => sh.stats.active === 1);
    await exchange(sh.ports[0]!, null);
    expect(sh.stats).toMatchObject({ connections: 2, refused: 1 });
    await first;
    await until(() => events.length === 1 && sh.stats.active === 0);
  });

  it('skips a port it cannot bind, with a warning, and keeps the others', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const busyPort = (busy.address() as { port: number }).port;
    try {
      const { sh, warnings } = await start({ ports: [busyPort, 0] });
      expect(sh.addresses).toHaveLength(1);
      expect(sh.ports).not.toContain(busyPort);
      expect(warnings[0]).toContain(`cannot listen on 127.0.0.1:${busyPort}`);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });
});
