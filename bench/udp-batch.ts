/**
 * Micro-benchmark of the batched-UDP addon (native/udp-batch) against node:dgram: the same echo
 * server (each query sent back with QR set, which load generators accept as an answer) on each,
 * in a child process on 127.0.0.1, under the same saturating load. The figure is queries answered
 * per server CPU-second (/proc utime + stime of the server over the run): the load generator
 * shares the cores, so raw QPS says less than the work each query costs the server.
 *
 *   node --import tsx bench/udp-batch.ts [--seconds S] [--qps Q] [--rounds R] [--node-client]
 *
 * Load: dnsperf when installed (-c 4 -Q Q over `example.test A` lines), else a Node client in
 * its own process keeping 256 queries in flight (also with --node-client).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadUdpBatch, udpBatchLoadError, writeAddr, type UdpBatchHandle } from '../src/dns/server/udp-batch.ts';
import { buildQuery } from '../test/support/dns-probe.ts';
import { cpuSeconds, cpuTimes, dnsperf, stopAll, track } from './dns-support/procs.ts';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    qps: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '1' },
    serve: { type: 'string' },
    load: { type: 'string' },
    'node-client': { type: 'boolean', default: false },
  },
});
const SELF = fileURLToPath(import.meta.url);

// ---- child: the servers ------------------------------------------------------------------------

function serveDgram(): void {
  const s = createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    msg[2] = msg[2]! | 0x80;
    s.send(msg, rinfo.port, rinfo.address);
  });
  s.bind(0, '127.0.0.1', () => console.log(String(s.address().port)));
}

function serveAddon(): void {
  const b = loadUdpBatch();
  if (b === null) throw new Error(udpBatchLoadError());
  const h = b.open('127.0.0.1', 0, { reusePort: false, batch: 64, slot: 4096 }, function (this: UdpBatchHandle, n) {
    const { inBuf, inLen, inAddr, outBuf, outLen, outAddr, slot } = this;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const len = inLen[i]!;
      if (len < 12) continue;
      outBuf.set(inBuf.subarray(i * slot, i * slot + len), j * slot);
      outBuf[j * slot + 2] = outBuf[j * slot + 2]! | 0x80;
      outLen[j] = len;
      writeAddr(outAddr, j, inAddr, i);
      j++;
    }
    b.sendBatch(this, j);
  });
  console.log(String(b.port(h)));
}

// ---- child: the Node load generator (without dnsperf) -----------------------------------------

async function nodeLoad(port: number, seconds: number): Promise<void> {
  const WINDOW = 256;
  const SOCKETS = 4;
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: SOCKETS }, async () => {
      const s = createSocket('udp4');
      await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
      const q = buildQuery(1, 'example.test', 1);
      // Lost datagrams would shrink the window for good: after 20 ms without an answer, refill it.
      let inFlight = 0;
      let last = performance.now();
      const fill = (): void => {
        while (inFlight < WINDOW / SOCKETS) {
          inFlight++;
          s.send(q, port, '127.0.0.1');
        }
      };
      const refill = setInterval(() => {
        if (performance.now() - last < 20) return;
        inFlight = 0;
        fill();
      }, 10);
      await new Promise<void>((ok) => {
        s.on('message', () => {
          done++;
          inFlight--;
          last = performance.now();
          if (performance.now() < end) fill();
          else ok();
        });
        fill();
      });
      clearInterval(refill);
      s.close();
    }),
  );
  console.log(String(done));
}

// ---- parent ------------------------------------------------------------------------------------

async function startServer(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', SELF, '--serve', kind], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise<number>((ok, fail) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => ok(Number(d.trim())));
    child.once('exit', (c) => fail(new Error(`${kind} server exited ${c}`)));
  });
  return { child, port };
}

interface Figure { kind: string; answered: number; cpu: number; sys: number; wall: number }

async function measure(kind: string, dir: string, seconds: number, qps: number, haveDnsperf: boolean): Promise<Figure> {
  const { child, port } = await startServer(kind);
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, 300));
  if (haveDnsperf) {
    const file = join(dir, 'queries.txt');
    writeFileSync(file, 'example.test A\n'.repeat(1000));
    const r = await dnsperf({ port, file, seconds, qps, clients: 4, serverPid: pid, outFile: join(dir, 'out.txt') });
    await stopAll();
    return { kind, answered: r.completed, cpu: r.serverCpu, sys: r.serverSysCpu, wall: r.wallS };
  }
  const cpu0 = cpuSeconds(pid);
  const sys0 = cpuTimes(pid).sys;
  const t0 = performance.now();
  const load = track(spawn(process.execPath, ['--import', 'tsx', SELF, '--load', String(port), '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  load.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  await new Promise((r) => load.once('exit', r));
  const fig = { kind, answered: Number(out.trim()), cpu: cpuSeconds(pid) - cpu0, sys: cpuTimes(pid).sys - sys0, wall: (performance.now() - t0) / 1000 };
  await stopAll();
  return fig;
}

async function main(): Promise<void> {
  const seconds = Number(opt.seconds);
  const qps = Number(opt.qps);
  if (loadUdpBatch() === null) throw new Error(`${udpBatchLoadError()} (build it: npm run build:native)`);
  let haveDnsperf = !opt['node-client'];
  if (haveDnsperf) try {
    execFileSync('which', ['dnsperf'], { stdio: 'ignore' });
  } catch {
    haveDnsperf = false;
  }
  console.log(`load: ${haveDnsperf ? `dnsperf -c 4 -Q ${qps}` : 'Node client, 256 in flight'}, ${seconds} s per run, 127.0.0.1`);
  const dir = mkdtempSync(join(tmpdir(), 'udp-batch-bench-'));
  const best = new Map<string, Figure>();
  try {
    for (let r = 0; r < Number(opt.rounds); r++) {
      for (const kind of ['dgram', 'addon']) {
        const f = await measure(kind, dir, seconds, qps, haveDnsperf);
        const perCpu = f.answered / f.cpu;
        console.log(`${kind.padEnd(6)} answered ${f.answered} in ${f.wall.toFixed(1)} s (${(f.answered / f.wall).toFixed(0)} q/s); server CPU ${f.cpu.toFixed(2)} s (sys ${f.sys.toFixed(2)}): ${perCpu.toFixed(0)} q/CPU-s, ${(1e6 / perCpu).toFixed(2)} µs CPU/query`);
        const prev = best.get(kind);
        if (prev === undefined || perCpu > prev.answered / prev.cpu) best.set(kind, f);
      }
    }
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
  const a = best.get('addon')!;
  const d = best.get('dgram')!;
  console.log(`addon / dgram, queries per server CPU-second: ${(a.answered / a.cpu / (d.answered / d.cpu)).toFixed(2)}x`);
}

if (opt.serve === 'dgram') serveDgram();
else if (opt.serve === 'addon') serveAddon();
else if (opt.load !== undefined) await nodeLoad(Number(opt.load), Number(opt.seconds));
else await main();
