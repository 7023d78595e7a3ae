/**
 * Benchmark of the DNS gateway (src/dns) against Unbound with the same names as an RPZ zone, per
 * the issue's "Figures". Everything runs on 127.0.0.1 at high ports:
 *
 *  - NSD (test/support/authoritative.ts) is the authoritative server both forward to: a zone of
 *    1,000 good names (A records, TTL 1 h);
 *  - the gateway runs as a child process (bench/dns-support/gateway-main.ts), wired as
 *    `minewarden gateway` wires it: the embedded store in a temp data dir, 1M domain indicators
 *    loaded from the matcher snapshot an import wrote, policy on (the default global policy), and
 *    every query logged through the EventSink to the event writer on its worker thread;
 *  - Unbound 1.17 (`module-config: "respip iterator"`) loads the same 1M names as an RPZ zone
 *    (`name CNAME .`, i.e. NXDOMAIN) and forwards "." to NSD (no root hints, no validator);
 *  - dnsperf is the load generator.
 *
 * Figures, per server × query mix (cache-hit: the 1,000 good names after a warm-up pass; blocked:
 * 100,000 names drawn from the 1M):
 *  - queries answered per server CPU-second: the server's utime + stime from /proc (all its
 *    threads: for the gateway that includes the event writer worker and DuckDB) over a saturating
 *    dnsperf run. The load generator shares the two cores, so raw QPS says little; the ratio of
 *    the two servers' queries per CPU-second is the target;
 *  - latency at half the saturating rate (dnsperf -Q): percentiles from dnsperf -v, which prints
 *    every answer with its latency as dnsperf measured it;
 *  - time to ready (spawn → first NXDOMAIN for a blocked name, probing every 20 ms) and RSS.
 *
 *   node --expose-gc --import tsx bench/dns.ts [--names N] [--seconds S] [--rounds R]
 *       [--unbound-threads T] [--profile]
 *
 * --profile: afterwards, one more saturating cache-hit run against a gateway started with
 * `node --cpu-prof`, and its top self-time functions.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAuthoritative, type Authoritative } from '../test/support/authoritative.ts';
import { GOOD_TTL, GOOD_ZONE, blockedNames, goodNames, goodZoneRecords, queryFile, rpzZone, sample } from './dns-support/data.ts';
import { cpuSeconds, dnsperf, memory, query, stopAll, stopChild, track, waitAnswer, type PerfResult } from './dns-support/procs.ts';
import { selfTimes } from './dns-support/profile.ts';

const { values: opt } = parseArgs({
  options: {
    names: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '1' },
    'unbound-threads': { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
  },
});
const N = Number(opt.names);
const SECONDS = Number(opt.seconds);
const ROUNDS = Number(opt.rounds);
const UNBOUND_THREADS = Number(opt['unbound-threads']);
const GOOD = 1000;
const BLOCKED_SAMPLE = 100_000;
const RPZ_ORIGIN = 'rpz.bench';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GATEWAY_SRC = fileURLToPath(new URL('./dns-support/gateway-main.ts', import.meta.url));

const fmt = (n: number, d = 0): string => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const rows: Array<[string, string, string, string]> = [];
function row(figure: string, measured: string, target = '', ok?: boolean): void {
  rows.push([figure, measured, target, ok === undefined ? '' : ok ? 'met' : 'missed']);
}

interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  readyMs: number;
  note: string;
}

// ---- servers -------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  const port = await new Promise<number>((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function output(child: ChildProcess): { text: () => string; lines: (fn: (l: string) => void) => void } {
  let text = '';
  const fns: Array<(l: string) => void> = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    text += d;
    const ls = (partial + d).split('\n');
    partial = ls.pop()!;
    for (const l of ls) for (const f of fns) f(l);
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { text += d; });
  return { text: () => text, lines: (fn) => void fns.push(fn) };
}

async function startGateway(dataDir: string, upstream: number, blocked: string, nodeFlags: string[] = []): Promise<Server & { sink: () => Promise<string> }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = track(spawn(process.execPath, [...nodeFlags, ...gatewayMain, 'serve', dataDir, String(port), String(upstream)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const out = output(child);
  let readyLine = '';
  let sinkLine = '';
  out.lines((l) => {
    if (l.startsWith('{"ready"')) readyLine = l;
    if (l.startsWith('{"sink"')) sinkLine = l;
  });
  let readyMs: number;
  try {
    readyMs = await waitAnswer(child, port, blocked, 3, t0, 60_000);
  } catch (e) {
    throw new Error(`gateway: ${(e as Error).message}\n${out.text()}`);
  }
  await new Promise((r) => setTimeout(r, 50));
  const r = JSON.parse(readyLine || '{}') as { indicators?: number; msToListening?: number; msMainToEngine?: number; msMainToListening?: number };
  return {
    name: 'gateway', child, pid: child.pid!, port, readyMs,
    note: `${fmt(r.indicators ?? NaN)} indicators; in-process: listening ${fmt(r.msToListening ?? NaN)} ms after process start, ` +
      `${fmt(r.msMainToListening ?? NaN)} ms after its main module began (engine ready at ${fmt(r.msMainToEngine ?? NaN)} ms)`,
    async sink() {
      await stopChild(child, 20_000);
      return sinkLine;
    },
  };
}

function unboundConf(dir: string, port: number, upstream: number, rpz: string, threads: number): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'server:',
    `  interface: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  do-ip4: yes',
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    `  num-threads: ${threads}`,
    '  username: ""',
    '  chroot: ""',
    `  directory: ${q(dir)}`,
    `  pidfile: ${q(join(dir, 'unbound.pid'))}`,
    `  logfile: ${q(join(dir, 'unbound.log'))}`,
    '  use-syslog: no',
    '  verbosity: 1',
    // NSD is on loopback; everything is forwarded there, nothing goes to the root servers.
    '  do-not-query-localhost: no',
    '  root-hints: ""',
    '  module-config: "respip iterator"',
    // .test is a locally served zone by default (RFC 6761): let it through to the forwarder.
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: no',
    'rpz:',
    `  name: ${q(RPZ_ORIGIN)}`,
    `  zonefile: ${q(rpz)}`,
    'forward-zone:',
    '  name: "."',
    `  forward-addr: 127.0.0.1@${upstream}`,
    '  forward-first: no',
    '',
  ].join('\n');
}

async function startUnbound(dir: string, upstream: number, rpz: string, blocked: string): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'unbound.conf');
  writeFileSync(conf, unboundConf(dir, port, upstream, rpz, UNBOUND_THREADS));
  const t0 = performance.now();
  const child = track(spawn('unbound', ['-d', '-c', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  const out = output(child);
  let readyMs: number;
  try {
    readyMs = await waitAnswer(child, port, blocked, 3, t0, 120_000);
  } catch (e) {
    throw new Error(`unbound: ${(e as Error).message}\n${out.text()}`);
  }
  return { name: 'unbound', child, pid: child.pid!, port, readyMs, note: `unbound 1.17, num-threads ${UNBOUND_THREADS}, respip iterator, RPZ of ${fmt(N)} names` };
}

// ---- run -----------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'mw-bench-dns-'));
const PERF_OUT = join(tmp, 'dnsperf.out');
const BUILD = join(tmp, 'build');

/**
 * The gateway's entry compiled to JavaScript with the repo's tsc (as `npm run build` makes dist),
 * in the temp dir, so the server runs as it does in production: tsx would add its module-loader
 * thread (RSS) and transpiling (time to ready) to the figures. --tsx runs the sources instead.
 */
function buildGateway(): string[] {
  if (opt.tsx) return ['--import', 'tsx', GATEWAY_SRC];
  const t = performance.now();
  const conf = join(tmp, 'tsconfig.bench.json');
  writeFileSync(conf, JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { rootDir: ROOT, outDir: BUILD, noEmit: false, sourceMap: false, incremental: false },
    // All of src, as tsconfig.build.json: the worker entries are loaded by path, not imported.
    include: [join(ROOT, 'src')],
    exclude: [join(ROOT, 'src/**/*.test.ts'), join(ROOT, 'src/**/*.test-util.ts')],
    files: [GATEWAY_SRC],
  }));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', conf], { cwd: ROOT, stdio: 'inherit' });
  // The data files the code reads at run time (scripts/copy-assets.mjs does the same for dist).
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name === 'data') cpSync(p, join(BUILD, relative(ROOT, p)), { recursive: true });
      else walk(p);
    }
  };
  walk(join(ROOT, 'src'));
  // Bare imports resolve from the build up to the temp dir: point it at the repo's packages.
  symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
  // The native batched-UDP addon is found from src/dns/server at ../../../native, as in dist/.
  symlinkSync(join(ROOT, 'native'), join(BUILD, 'native'), 'dir');
  console.log(`gateway compiled with tsc into ${BUILD} in ${fmt((performance.now() - t) / 1000, 1)} s`);
  return [join(BUILD, 'bench', 'dns-support', 'gateway-main.js')];
}
let gatewayMain: string[] = [];
let auth: Authoritative | undefined;
const onSignal = (): void => {
  void stopAll().then(() => auth?.stop()).finally(() => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

interface MixResult { sat: PerfResult[]; half: PerfResult; perCpu: number }
const results = new Map<string, MixResult>();
const memAfter = new Map<string, { rssMb: number; peakMb: number }>();
const memReady = new Map<string, { rssMb: number; peakMb: number }>();
const profileRows: string[] = [];
let sinkInfo = '';

try {
  console.log(`dns benchmark — node ${process.version}; ${fmt(N)} blocked names, ${fmt(GOOD)} good names; temp ${tmp}`);
  const t0 = performance.now();
  const blocked = blockedNames(N);
  const good = goodNames(GOOD);
  const listFile = join(tmp, 'blocked.txt');
  const rpzFile = join(tmp, 'rpz.zone');
  writeFileSync(listFile, blocked.join('\n'));
  writeFileSync(rpzFile, rpzZone(RPZ_ORIGIN, blocked));
  const mixes = {
    'cache-hit': join(tmp, 'cache-hit.txt'),
    blocked: join(tmp, 'blocked-mix.txt'),
  };
  // Each good name 10 times, shuffled; the blocked mix skips the first name (the readiness probe).
  writeFileSync(mixes['cache-hit'], queryFile(sample(good, GOOD * 10, 11)));
  writeFileSync(mixes.blocked, queryFile(sample(blocked.slice(1), BLOCKED_SAMPLE, 13)));
  gatewayMain = buildGateway();
  console.log(`data written in ${fmt((performance.now() - t0) / 1000, 1)} s`);

  auth = await startAuthoritative([{ origin: GOOD_ZONE, records: goodZoneRecords(GOOD) }], { ttl: GOOD_TTL });
  console.log(`nsd on 127.0.0.1:${auth.port} (pid ${auth.pid})`);

  // The gateway's data dir: the list imported once (as `minewarden intel import` does), which
  // writes the matcher snapshot its start loads.
  const dataDir = join(tmp, 'gateway-data');
  mkdirSync(dataDir);
  {
    const t = performance.now();
    const prep = track(spawn(process.execPath, [...gatewayMain, 'prepare', dataDir, listFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    const out = output(prep);
    const code = await new Promise<number | null>((r) => prep.once('exit', (c) => r(c)));
    if (code !== 0) throw new Error(`prepare failed (${code}):\n${out.text()}`);
    console.log(`gateway data dir prepared in ${fmt((performance.now() - t) / 1000, 1)} s: ${out.text().trim()}`);
  }

  const probeName = blocked[0]!;
  const gw = await startGateway(dataDir, auth.port, probeName);
  memReady.set('gateway', memory(gw.pid));
  console.log(`gateway on 127.0.0.1:${gw.port} (pid ${gw.pid}) ready in ${fmt(gw.readyMs)} ms; ${gw.note}`);
  const ub = await startUnbound(join(tmp, 'unbound'), auth.port, rpzFile, probeName);
  memReady.set('unbound', memory(ub.pid));
  console.log(`unbound on 127.0.0.1:${ub.port} (pid ${ub.pid}) ready in ${fmt(ub.readyMs)} ms; ${ub.note}`);
  const servers = [gw, ub];

  for (const s of servers) {
    const g = await query(s.port, good[0]!, 2000);
    const b = await query(s.port, blocked[1]!, 2000);
    if (g !== 0 || b !== 3) throw new Error(`${s.name}: good name rcode ${g}, blocked name rcode ${b} (want 0 and 3)`);
  }

  for (const [mix, file] of Object.entries(mixes)) {
    console.log(`\n${mix} mix`);
    // Warm-up: one pass through the file (fills the caches; lets the gateway's JIT settle).
    for (const s of servers) await dnsperf({ port: s.port, file, passes: 1, serverPid: s.pid, outFile: PERF_OUT });
    const sat = new Map<string, PerfResult[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of servers) {
        const res = await dnsperf({ port: s.port, file, seconds: SECONDS, serverPid: s.pid, outFile: PERF_OUT });
        (sat.get(s.name) ?? sat.set(s.name, []).get(s.name)!).push(res);
        console.log(`  ${s.name.padEnd(8)} saturating: ${fmt(res.completed)} answered (${fmt(res.lost)} lost) in ${fmt(res.wallS, 1)} s = ${fmt(res.qps)} q/s; ` +
          `server CPU ${fmt(res.serverCpu, 2)} s (main thread ${fmt(res.serverMainCpu, 2)} s, kernel ${fmt(res.serverSysCpu, 2)} s) → ${fmt(res.completed / res.serverCpu)} q per CPU-s; avg ${fmt(res.avgMs, 3)} ms; ${res.rcodes}`);
      }
    }
    for (const s of servers) {
      const runs = sat.get(s.name)!;
      const completed = runs.reduce((a, r) => a + r.completed, 0);
      const cpu = runs.reduce((a, r) => a + r.serverCpu, 0);
      const satQps = Math.max(...runs.map((r) => r.qps));
      const half = await dnsperf({ port: s.port, file, seconds: SECONDS, qps: satQps / 2, verbose: true, serverPid: s.pid, outFile: PERF_OUT });
      const p = half.percentiles!;
      console.log(`  ${s.name.padEnd(8)} at ${fmt(satQps / 2)} q/s (half): ${fmt(half.qps)} q/s, ${fmt(half.lost)} lost; latency avg ${fmt(half.avgMs, 3)} ms, ` +
        `p50 ${fmt(p.p50, 3)}, p90 ${fmt(p.p90, 3)}, p99 ${fmt(p.p99, 3)}, p99.9 ${fmt(p.p999, 3)}, max ${fmt(p.max, 1)} ms (n ${fmt(p.n)}); server CPU ${fmt(half.serverCpu, 2)} s`);
      results.set(`${s.name}|${mix}`, { sat: runs, half, perCpu: completed / cpu });
    }
  }
  for (const s of servers) memAfter.set(s.name, memory(s.pid));
  // The unbound process's CPU during start-up (loading the zone), for the record.
  console.log(`\nCPU since start: gateway ${fmt(cpuSeconds(gw.pid), 1)} s, unbound ${fmt(cpuSeconds(ub.pid), 1)} s`);
  await stopChild(ub.child);
  sinkInfo = await gw.sink();

  for (const mix of Object.keys(mixes)) {
    const g = results.get(`gateway|${mix}`)!;
    const u = results.get(`unbound|${mix}`)!;
    const ratio = g.perCpu / u.perCpu;
    row(`${mix}: gateway / unbound queries per server CPU-second`, `${fmt(g.perCpu)} / ${fmt(u.perCpu)} = ${ratio.toFixed(2)}×`, '≥ 1.0×', ratio >= 1);
    for (const [name, r] of [['gateway', g], ['unbound', u]] as const) {
      const best = Math.max(...r.sat.map((x) => x.qps));
      row(`  ${name}: saturating throughput (load generator on the same 2 cores)`, `${fmt(best)} q/s`);
    }
    const gs = g.sat.reduce((acc, x) => ({ cpu: acc.cpu + x.serverCpu, main: acc.main + x.serverMainCpu, sys: acc.sys + x.serverSysCpu }), { cpu: 0, main: 0, sys: 0 });
    const us = u.sat.reduce((acc, x) => ({ cpu: acc.cpu + x.serverCpu, sys: acc.sys + x.serverSysCpu }), { cpu: 0, sys: 0 });
    row('  server CPU split in the saturating runs', `gateway: main thread ${pct(gs.main / gs.cpu)}, kernel ${pct(gs.sys / gs.cpu)}; unbound: kernel ${pct(us.sys / us.cpu)}`);
    const gp = g.half.percentiles!;
    const up = u.half.percentiles!;
    row(`${mix}: gateway p99 latency at half its saturating load`, `${fmt(gp.p99, 3)} ms (p50 ${fmt(gp.p50, 3)}, p99.9 ${fmt(gp.p999, 3)})`, '< 1 ms', gp.p99 < 1);
    row(`  unbound p99 at half its saturating load`, `${fmt(up.p99, 3)} ms (p50 ${fmt(up.p50, 3)}, p99.9 ${fmt(up.p999, 3)})`);
  }
  const gr = memReady.get('gateway')!;
  const ur = memReady.get('unbound')!;
  row(`gateway RSS with ${fmt(N)} indicators, when ready`, `${fmt(gr.rssMb)} MB (peak so far ${fmt(gr.peakMb)} MB)`, '≤ 150 MB', gr.rssMb <= 150);
  row('  gateway RSS after the runs', `${fmt(memAfter.get('gateway')!.rssMb)} MB (peak ${fmt(memAfter.get('gateway')!.peakMb)} MB)`, '≤ 150 MB', memAfter.get('gateway')!.peakMb <= 150);
  row(`  unbound RSS with the ${fmt(N)}-name RPZ, when ready / after`, `${fmt(ur.rssMb)} / ${fmt(memAfter.get('unbound')!.rssMb)} MB`, '(issue: ~600 MB)');
  row('gateway time to ready (spawn → NXDOMAIN for a blocked name)', `${fmt(gw.readyMs / 1000, 2)} s`, '≤ 3 s', gw.readyMs <= 3000);
  row('  unbound time to ready', `${fmt(ub.readyMs / 1000, 2)} s`, '(issue: ~17 s)');
  row('  gateway query log (EventSink counters at stop)', sinkInfo.replace(/^\{"sink":/, '').replace(/\}$/, ''));

  if (opt.profile) {
    console.log('\nprofile: a gateway started with --cpu-prof, one saturating cache-hit run');
    const profDir = join(tmp, 'prof');
    mkdirSync(profDir);
    const pg = await startGateway(dataDir, auth.port, probeName, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    await dnsperf({ port: pg.port, file: mixes['cache-hit'], passes: 1, serverPid: pg.pid, outFile: PERF_OUT });
    const r = await dnsperf({ port: pg.port, file: mixes['cache-hit'], seconds: SECONDS, serverPid: pg.pid, outFile: PERF_OUT });
    console.log(`  ${fmt(r.completed)} answered, ${fmt(r.completed / r.serverCpu)} q per CPU-s (profiler on)`);
    await pg.sink();
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    // One profile per thread: the main thread and the event writer worker are the two busiest
    // (the matcher build worker and, under tsx, its loader thread only work at start).
    const profiles = files.map((f) => selfTimes(join(profDir, f), [BUILD, ROOT])).sort((x, y) => (y.totalMs - y.idleMs) - (x.totalMs - x.idleMs));
    for (const st of profiles.slice(0, 2)) {
      profileRows.push(`thread: ${fmt(st.totalMs - st.idleMs)} ms busy of ${fmt(st.totalMs)} ms sampled`);
      for (const x of st.rows.slice(0, 25)) profileRows.push(`  ${(x.share * 100).toFixed(1).padStart(5)}%  ${fmt(x.ms).padStart(7)} ms  ${x.name}  ${x.where}`);
    }
  }
} finally {
  await stopAll();
  await auth?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

// ---- report ----------------------------------------------------------------------------------------

const heads: [string, string, string, string] = ['figure', 'measured', 'target', ''];
const widths = heads.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
console.log(`\nnode ${process.version}; dnsperf -c 4 -T 2 -q 200, ${SECONDS} s per run, ${ROUNDS} saturating round(s) per server and mix; ` +
  'CPU = server utime + stime (/proc); latency percentiles from dnsperf -v at half the saturating rate\n');
console.log(line(heads));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
if (profileRows.length > 0) {
  console.log('\ngateway CPU profile (self time, saturating cache-hit load):');
  for (const l of profileRows) console.log(l);
}
