import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ADDR_BYTES, addrFamily, addrPort, addrText, copyAddr, loadUdpBatch, udpBatchLoadError, writeAddr, type UdpBatchBinding, type UdpBatchHandle } from './udp-batch.ts';

const ub = loadUdpBatch();
const ADDON = fileURLToPath(new URL('../../../native/udp-batch/index.cjs', import.meta.url));

const open: UdpBatchHandle[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const h of open.splice(0)) ub?.close(h);
  for (const s of sockets.splice(0)) s.close();
});

/** An echo server: every datagram goes back to its sender, the whole batch in one sendmmsg. */
function echo(b: UdpBatchBinding, host: string, port = 0, opts = {}): UdpBatchHandle & { seen: number } {
  const h = b.open(host, port, { reusePort: false, batch: 16, slot: 512, ...opts }, function (this: UdpBatchHandle, n) {
    let j = 0;
    for (let i = 0; i < n; i++) {
      const len = this.inLen[i]!;
      if (len < 0) continue;
      this.outBuf.set(this.inBuf.subarray(i * this.slot, i * this.slot + len), j * this.slot);
      this.outLen[j] = len;
      writeAddr(this.outAddr, j, this.inAddr, i);
      j++;
    }
    b.sendBatch(this, j);
    state.seen += n;
  });
  const state = Object.assign(h, { seen: 0 });
  open.push(h);
  return state;
}

async function client(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const s = createSocket(type);
  sockets.push(s);
  await new Promise<void>((ok) => s.bind(0, host, ok));
  return s;
}

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  return new Promise((ok, fail) => {
    const tick = (): void => {
      if (cond()) ok();
      else if (Date.now() - t0 > ms) fail(new Error('timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/** `clients` sockets, each keeping `window` datagrams in flight until it got `count` echoes of its own. */
async function drive(type: 'udp4' | 'udp6', host: string, port: number, clients: number, count: number, window: number): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const s = await client(type, host);
      const got = new Set<string>();
      let next = 0;
      const send = (): void => {
        if (next < count) s.send(`c${c}:${next++}`, port, host);
      };
      await new Promise<void>((ok, fail) => {
        s.on('message', (m) => {
          const text = m.toString();
          if (!text.startsWith(`c${c}:`)) fail(new Error(`client ${c} got ${text}`));
          got.add(text);
          if (got.size === count) ok();
          else send();
        });
        for (let i = 0; i < window; i++) send();
      });
    }),
  );
}

describe('address records', () => {
  it('formats v4 and v6 records and copies them', () => {
    const a = new Uint8Array(2 * ADDR_BYTES);
    a.set([4, 0, 0x14, 0xe9, 192, 0, 2, 7], 0);
    a.set([6, 0, 0, 53, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ADDR_BYTES);
    expect([addrText(a, 0), addrPort(a, 0), addrFamily(a, 0)]).toEqual(['192.0.2.7', 5353, 4]);
    expect([addrText(a, 1), addrPort(a, 1), addrFamily(a, 1)]).toEqual(['2001:db8::1', 53, 6]);
    expect(addrText(a, 1)).toBe('2001:db8::1'); // from the cache
    const c = copyAddr(a, 1);
    a[ADDR_BYTES + 19] = 2;
    expect([c.length, addrText(c, 0)]).toEqual([20, '2001:db8::1']);
    const out = new Uint8Array(2 * ADDR_BYTES);
    writeAddr(out, 1, c);
    expect(addrText(out, 1)).toBe('2001:db8::1');
  });
});

const v6 = await (async () => {
  const s = createSocket('udp6');
  try {
    await new Promise<void>((ok, fail) => {
      s.once('error', fail);
      s.bind(0, '::1', ok);
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
})();

describe.skipIf(ub === null)(`udp-batch addon${ub === null ? ` (skipped: ${udpBatchLoadError()})` : ''}`, () => {
  const b = ub!;

  it('echoes many datagrams in flight from several IPv4 clients, each to its sender', async () => {
    const h = echo(b, '127.0.0.1');
    const port = b.port(h);
    expect(port).toBeGreaterThan(0);
    await drive('udp4', '127.0.0.1', port, 6, 300, 24);
    const st = b.stats(h);
    expect(st.received).toBe(1800);
    expect(st.sent).toBe(1800);
    expect(st.sendErrors).toBe(0);
    expect(st.batches).toBeLessThanOrEqual(1800);
    expect(h.family).toBe(4);
  });

  it.skipIf(!v6)('echoes over ::1', async () => {
    const h = echo(b, '::1');
    expect(h.family).toBe(6);
    await drive('udp6', '::1', b.port(h), 3, 100, 16);
    expect(b.stats(h).sent).toBe(300);
  });

  it('reports the sender as text and port', async () => {
    let from = '';
    let fromPort = 0;
    const h = b.open('127.0.0.1', 0, { reusePort: false }, function (this: UdpBatchHandle, _n) {
      from = addrText(this.inAddr, 0);
      fromPort = addrPort(this.inAddr, 0);
    });
    open.push(h);
    const s = await client('udp4', '127.0.0.1');
    s.send('x', b.port(h), '127.0.0.1');
    await until(() => from !== '');
    expect([from, fromPort]).toEqual(['127.0.0.1', s.address().port]);
  });

  it('lets two reusePort handles share a port and together receive everything', async () => {
    const a = echo(b, '127.0.0.1', 0, { reusePort: true });
    const port = b.port(a);
    const c = echo(b, '127.0.0.1', port, { reusePort: true });
    expect(b.port(c)).toBe(port);
    // The kernel spreads by source address and port: many client sockets reach both.
    await drive('udp4', '127.0.0.1', port, 32, 4, 4);
    expect(a.seen + c.seen).toBe(128);
    expect(a.seen).toBeGreaterThan(0);
    expect(c.seen).toBeGreaterThan(0);
  });

  it('reports a datagram longer than a slot as -1 and counts it', async () => {
    const lens: number[] = [];
    const h = b.open('127.0.0.1', 0, { reusePort: false, slot: 512 }, function (this: UdpBatchHandle, n) {
      for (let i = 0; i < n; i++) lens.push(this.inLen[i]!);
    });
    open.push(h);
    const s = await client('udp4', '127.0.0.1');
    s.send(Buffer.alloc(600, 1), b.port(h), '127.0.0.1');
    s.send(Buffer.alloc(512, 2), b.port(h), '127.0.0.1');
    await until(() => lens.length === 2);
    expect(lens).toEqual([-1, 512]);
    expect(b.stats(h).truncated).toBe(1);
  });

  it('answers later with sendTo from a copied address', async () => {
    const h = b.open('127.0.0.1', 0, { reusePort: false }, function (this: UdpBatchHandle, n) {
      for (let i = 0; i < n; i++) {
        const to = copyAddr(this.inAddr, i);
        const msg = this.inBuf.slice(i * this.slot, i * this.slot + this.inLen[i]!);
        setTimeout(() => expect(b.sendTo(this, msg, to)).toBe(true), 10);
      }
    });
    open.push(h);
    const s = await client('udp4', '127.0.0.1');
    const got = new Promise<string>((ok) => s.once('message', (m) => ok(m.toString())));
    s.send('later', b.port(h), '127.0.0.1');
    expect(await got).toBe('later');
    expect(b.sendTo(h, new Uint8Array(1), new Uint8Array(ADDR_BYTES))).toBe(false); // family 0
    expect(b.stats(h).sent).toBe(1);
  });

  it('frees the port on close, and close is idempotent', () => {
    const h = echo(b, '127.0.0.1');
    const port = b.port(h);
    b.close(h);
    b.close(h);
    expect(() => b.port(h)).toThrow(/closed/);
    expect(b.sendBatch(h, 0)).toBe(0);
    const again = echo(b, '127.0.0.1', port);
    expect(b.port(again)).toBe(port);
  });

  it('may be closed from inside onBatch', async () => {
    let calls = 0;
    const h = b.open('127.0.0.1', 0, { reusePort: false, batch: 1 }, function (this: UdpBatchHandle) {
      calls++;
      b.close(this);
    });
    open.push(h);
    const port = b.port(h);
    const s = await client('udp4', '127.0.0.1');
    for (let i = 0; i < 3; i++) s.send('x', port, '127.0.0.1');
    await until(() => calls > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(b.stats(h).received).toBe(1);
  });

  it('fails with a clear Error when the port is taken, never a crash', async () => {
    const s = await client('udp4', '127.0.0.1');
    const port = s.address().port;
    let err: unknown;
    try {
      echo(b, '127.0.0.1', port);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
    expect((err as Error).message).toMatch(/bind 127\.0\.0\.1:\d+: Address already in use \(EADDRINUSE\)/);
    expect(() => b.open('example.test', 0, {}, () => undefined)).toThrow(TypeError);
    expect(() => b.open('127.0.0.1', 0, { batch: 0 }, () => undefined)).toThrow(/batch/);
    expect(() => b.sendBatch({} as UdpBatchHandle, 0)).toThrow(/not a udp-batch handle/);
  });

  it('loads and serves in a worker thread, and a worker ending with its socket open frees it', async () => {
    const src = `
      const { parentPort } = require('node:worker_threads');
      const b = require(${JSON.stringify(ADDON)});
      const h = b.open('127.0.0.1', 0, { reusePort: false }, function (n) {
        for (let i = 0; i < n; i++) {
          this.outBuf.set(this.inBuf.subarray(i * this.slot, i * this.slot + this.inLen[i]), i * this.slot);
          this.outLen[i] = this.inLen[i];
          this.outAddr.set(this.inAddr.subarray(i * 20, i * 20 + 20), i * 20);
        }
        b.sendBatch(this, n);
      });
      parentPort.postMessage(b.port(h));
    `;
    const w = new Worker(src, { eval: true });
    const port = await new Promise<number>((ok, fail) => {
      w.once('message', ok);
      w.once('error', fail);
    });
    const s = await client('udp4', '127.0.0.1');
    const got = new Promise<string>((ok) => s.once('message', (m) => ok(m.toString())));
    s.send('from main', port, '127.0.0.1');
    expect(await got).toBe('from main');
    await w.terminate();
    const again = echo(b, '127.0.0.1', port);
    expect(b.port(again)).toBe(port);
  });
});
