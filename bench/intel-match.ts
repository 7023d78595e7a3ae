/**
 * Benchmark of the in-memory intel matcher (src/intel/matcher) against the targets:
 * build of 1M domains (time, memory), domain lookups/s (half hits incl. parent matches, half
 * misses, 2–5 labels), the longest event-loop stall of a lookup loop during a reload (built in a
 * worker, as the engine does, and time-sliced on the main thread),
 * and IP lookups/s plus build time for a mixed list. Peers in the same run: a Map<string, id>
 * with an indexOf('.') + slice parent walk (the obvious baseline) and a plain Set of strings.
 *
 *   node --expose-gc --import tsx bench/intel-match.ts
 *
 * Data are synthetic and deterministic (seeded PRNG). Rates are lookups per CPU-second of this
 * process (the figure "on one core", robust to other work on the machine) and wall-clock;
 * medians of several runs. Stalls are gaps between the turns of a setImmediate lookup loop:
 * wall-clock, and capped by the CPU time the process used in them (what it caused itself, not
 * the OS running other programs), next to the longest GC pause and builder slice, and the same
 * loop's gaps with no reload.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import ipaddr from 'ipaddr.js';
import { IntelMatcher, IntelMatcherBuilder, buildInWorker } from '../src/intel/matcher/index.ts';
import type { MatcherEntryInput } from '../src/intel/matcher/index.ts';
import { parseV4, parseV6 } from '../src/intel/matcher/ip.ts';
import { SnapshotWriter } from '../src/intel/snapshot.ts';

const N = 1_000_000;
/** Domain queries per run: distinct strings, so neither they nor their table slots stay cached. */
const Q = 500_000;
const NOW = 1_700_000_000;
const RUNS = 5;

// ---- deterministic data ----------------------------------------------------------------------

let seed = 0x2f6b1d3a;
/** mulberry32: uniform in [0, k). */
function rnd(k: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * k;
}
const int = (k: number): number => Math.floor(rnd(k));
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const TLDS = ['com', 'net', 'org', 'xyz', 'top', 'ru', 'cn', 'io', 'info', 'online', 'site', 'club', 'co.uk', 'de', 'pw', 'cc', 'tk', 'su', 'biz', 'me'];
const WORDS = ['pool', 'xmr', 'mine', 'eu', 'us', 'asia', 'stratum', 'api', 'cdn', 'www', 'mail', 'static', 'node', 'proxy', 'monero', 'eth', 'rx', 'gate'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random label of 3–15 characters (skewed short), letters mostly, some digits and inner hyphens. */
function randomLabel(): string {
  const len = 3 + Math.min(int(8) + int(6), 12);
  const codes: number[] = [];
  for (let i = 0; i < len; i++) {
    codes.push(i > 0 && i < len - 1 && rnd(1) < 0.04 ? 45 : ALNUM.charCodeAt(rnd(1) < 0.85 ? int(26) : int(36)));
  }
  return String.fromCharCode(...codes);
}
const label = (): string => (rnd(1) < 0.15 ? pick(WORDS) : randomLabel());

/** `labels` labels before a TLD; join gives a flat string, as a wire decoder would. */
function name(labels: number, next: () => string = label): string {
  const parts: string[] = [];
  for (let i = 0; i < labels; i++) parts.push(next());
  parts.push(pick(TLDS));
  return parts.join('.');
}

function domainList(n: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    const r = rnd(1);
    const v = name(r < 0.6 ? 1 : r < 0.9 ? 2 : 3);
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

const CATS = ['mining-pool', 'mining-proxy', 'cryptojacking-script', 'miner-malware', 'botnet-c2', 'malware'];
const SOURCES = ['abuse.ch', 'coinblocker', 'maltrail', 'misp-local', 'otx', 'custom'];
const FAMILIES = Array.from({ length: 3000 }, (_, i) => `family-${i}`);
function entryOf(type: MatcherEntryInput['type'], value: string, i: number): MatcherEntryInput {
  return {
    type,
    value,
    category: CATS[i % CATS.length]!,
    family: FAMILIES[i % FAMILIES.length]!,
    source: SOURCES[i % SOURCES.length]!,
    confidence: 50 + (i % 51),
    expiresAt: i % 5 === 0 ? NOW + 86_400 : 0,
    ref: i,
  };
}

/**
 * The same entry from a different allocation site, for the reload's short-lived batches. V8
 * pretenures an object literal whose objects kept surviving (entryOf's million in phase 1); its
 * later objects then start in old space and keep their young strings alive through scavenges
 * (7 MB promoted per scavenge, 10–15 ms pauses). A store cursor's row objects would not be
 * pretenured: this keeps the benchmark from measuring its own allocation history.
 */
function batchEntryOf(value: string, i: number): MatcherEntryInput {
  return {
    type: 'domain',
    value,
    category: CATS[i % CATS.length]!,
    family: FAMILIES[i % FAMILIES.length]!,
    source: SOURCES[i % SOURCES.length]!,
    confidence: 50 + (i % 51),
    expiresAt: i % 5 === 0 ? NOW + 86_400 : 0,
    ref: i,
  };
}

const v4Text = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
const u32 = (): number => int(0x10000) * 0x10000 + int(0x10000);
const hex16 = (): string => int(0x10000).toString(16);

// ---- measuring -------------------------------------------------------------------------------

function collect(): void {
  if (globalThis.gc === undefined) throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
const rate = (perSec: number): string => `${(perSec / 1e6).toFixed(2)} M/s`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

interface Rate {
  cpu: number;
  wall: number;
  hits: number;
}

/** Median rates of `fn` over `queries` (each run passes over all; run 0 warms up the JIT). */
function throughput(queries: string[], fn: (q: string) => number, runs = RUNS): Rate {
  const cpu: number[] = [];
  const wall: number[] = [];
  let hits = 0;
  for (let r = 0; r <= runs; r++) {
    hits = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < queries.length; i++) if (fn(queries[i]!) >= 0) hits++;
    const dt = performance.now() - t0;
    const dc = cpuMs(c0);
    if (r > 0) {
      wall.push(queries.length / (dt / 1000));
      cpu.push(queries.length / (Math.max(dc, 1) / 1000));
    }
  }
  return { cpu: median(cpu), wall: median(wall), hits };
}
const rates = (r: Rate): string => `${rate(r.cpu)} cpu, ${rate(r.wall)} wall`;

function buildFrom(entries: MatcherEntryInput[]): IntelMatcher {
  const b = new IntelMatcherBuilder();
  for (const e of entries) b.add(e);
  return b.build();
}

const rows: [string, string, string, string][] = [];
function row(metric: string, value: string, target = '', ok?: boolean): void {
  rows.push([metric, value, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED']);
  console.log(`  ${metric}: ${value}`);
}

// ---- 1. build 1M domains: time and memory ---------------------------------------------------

const tGen = performance.now();
let domains: string[] = domainList(N);
let domainEntries: MatcherEntryInput[] = domains.map((v, i) => entryOf('domain', v, i));
console.log(`generated ${N.toLocaleString('en')} domains in ${secs(performance.now() - tGen)}`);

const buildTimes: number[] = [];
const heapDeltas: number[] = [];
const rssDeltas: number[] = [];
let matcher = IntelMatcher.empty();
for (let r = 0; r < 3; r++) {
  matcher = IntelMatcher.empty();
  collect();
  const before = process.memoryUsage();
  const t0 = performance.now();
  matcher = buildFrom(domainEntries);
  buildTimes.push(performance.now() - t0);
  collect();
  const after = process.memoryUsage();
  heapDeltas.push(after.heapUsed + after.external - (before.heapUsed + before.external));
  rssDeltas.push(after.rss - before.rss);
}
row('build 1M domains (add + build)', `${secs(median(buildTimes))} (runs: ${buildTimes.map((t) => secs(t)).join(', ')})`, '<= 3 s', median(buildTimes) <= 3000);
row('matcher memory: heap + external delta', mib(median(heapDeltas)), '<= 150 MiB', median(heapDeltas) <= 150 * 1048576);
row('matcher memory: RSS delta', mib(median(rssDeltas)), '<= 150 MiB', median(rssDeltas) <= 150 * 1048576);

// ---- 2. domain lookups ------------------------------------------------------------------------

let queries: string[] = [];
for (let i = 0; i < Q; i++) {
  if (i % 2 === 0) {
    // A hit: the listed name itself or (half the time) a subdomain of it, at most 5 labels.
    const listed = pick(domains);
    const depth = listed.split('.').length;
    const extra = rnd(1) < 0.5 || depth >= 5 ? 0 : 1 + int(5 - depth);
    const parts: string[] = [];
    for (let k = 0; k < extra; k++) parts.push(label());
    parts.push(listed);
    queries.push(parts.join('.'));
  } else {
    // A miss: random labels only (no common words), 2–5 labels with the TLD.
    queries.push(name(1 + int(4), randomLabel));
  }
}

{
  const mapPeer = new Map<string, number>();
  domains.forEach((d, i) => mapPeer.set(d, i));
  const expiresPeer = Float64Array.from(domainEntries, (e) => e.expiresAt);
  const setPeer = new Set(domains);
  const mapWalk = (q: string): number => {
    for (let n = q; ; ) {
      const id = mapPeer.get(n);
      if (id !== undefined && (expiresPeer[id] === 0 || NOW <= expiresPeer[id]!)) return id;
      const dot = n.indexOf('.');
      if (dot < 0) return -1;
      n = n.slice(dot + 1);
    }
  };
  const setWalk = (q: string): number => {
    for (let n = q; ; ) {
      if (setPeer.has(n)) return 1;
      const dot = n.indexOf('.');
      if (dot < 0) return -1;
      n = n.slice(dot + 1);
    }
  };
  const ours = throughput(queries, (q) => matcher.matchDomain(q, NOW));
  const viaMap = throughput(queries, mapWalk, 3);
  const viaSet = throughput(queries, setWalk, 3);
  if (ours.hits !== viaMap.hits || ours.hits !== viaSet.hits) throw new Error(`hit counts differ: ${ours.hits} / ${viaMap.hits} / ${viaSet.hits}`);
  row(`domain lookups, 1M listed, ${Q / 1000}K distinct queries (${((100 * ours.hits) / Q).toFixed(0)}% hits)`, rates(ours), '>= 2 M/s', ours.cpu >= 2e6);
  row('  peer: Map + slice parent walk', `${rates(viaMap)} (ours x${(ours.cpu / viaMap.cpu).toFixed(2)})`);
  row('  peer: Set<string> + slice parent walk', `${rates(viaSet)} (ours x${(ours.cpu / viaSet.cpu).toFixed(2)})`);
}

// Keep what the next phases need in compact form, so that the heap during the reload is not
// a million live strings (the engine streams from its store; it holds no such array).
const domainBlob = domains.join('\n');
const domainStarts = new Uint32Array(N + 1);
for (let i = 0, at = 0; i <= N; i++) {
  domainStarts[i] = at;
  at += (domains[i]?.length ?? 0) + 1;
}
const domainAt = (i: number): string => domainBlob.slice(domainStarts[i], domainStarts[i + 1]! - 1);
const loopQueries = queries.slice(0, 100_000);
domains = [];
domainEntries = [];
queries = [];

// ---- 3. stall of a lookup loop during a time-sliced reload -----------------------------------

interface LoopStats {
  maxGap: number;
  p99: number;
  /** The same for gaps capped by the CPU time this process used in them (see lookupLoop). */
  maxCpuGap: number;
  p99Cpu: number;
  lookups: number;
}

/**
 * A setImmediate-driven lookup loop; records the time between the starts of its turns. The
 * wall gap includes the OS running other programs (two shared cores here); the CPU gap is the
 * wall gap capped by the CPU time this process used meanwhile (all its threads, so an upper
 * bound on the main thread's share): the stall this process itself caused.
 */
function lookupLoop(current: () => IntelMatcher): { stop: () => LoopStats } {
  const gaps: number[] = [];
  const cpuGaps: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let running = true;
  let q = 0;
  let lookups = 0;
  const turn = (): void => {
    const t = performance.now();
    const wall = t - last;
    gaps.push(wall);
    cpuGaps.push(Math.min(wall, cpuMs(lastCpu)));
    last = t;
    lastCpu = process.cpuUsage();
    const m = current();
    for (let k = 0; k < 200; k++) {
      m.matchDomain(loopQueries[q]!, NOW);
      q = q + 1 === loopQueries.length ? 0 : q + 1;
    }
    lookups += 200;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  const stats = (xs: number[]): [number, number] => {
    const sorted = xs.slice(1).sort((a, b) => a - b);
    return [sorted[sorted.length - 1] ?? 0, sorted[Math.floor(sorted.length * 0.99)] ?? 0];
  };
  return {
    stop(): LoopStats {
      running = false;
      const [maxGap, p99] = stats(gaps);
      const [maxCpuGap, p99Cpu] = stats(cpuGaps);
      return { maxGap, p99, maxCpuGap, p99Cpu, lookups };
    },
  };
}

/** Fresh entry objects in batches of 1000, as a store cursor would hand them over. */
async function* reloadBatches(): AsyncGenerator<MatcherEntryInput[]> {
  for (let i = 0; i < N; i += 1000) {
    const batch: MatcherEntryInput[] = [];
    for (let k = i; k < Math.min(i + 1000, N); k++) batch.push(batchEntryOf(domainAt(k), k + 1));
    yield await Promise.resolve(batch);
  }
}

// GC entries arrive asynchronously: keep them all, take the longest inside a window afterwards.
const gcLog: { start: number; duration: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcLog.push({ start: e.startTime, duration: e.duration });
});
const longestGc = (from: number, to: number): number =>
  Math.max(0, ...gcLog.filter((g) => g.start >= from && g.start <= to).map((g) => g.duration));
gcObserver.observe({ entryTypes: ['gc'] });

collect();
const idleLoop = lookupLoop(() => matcher);
await new Promise((resolve) => setTimeout(resolve, 1000));
const idle = idleLoop.stop();

const ms = (x: number): string => `${x.toFixed(1)} ms`;
/**
 * Three reloads under a running lookup loop; the figures of each and their medians. `build`
 * gets the batches and reports the length of its slices of main-thread work to `onSlice`.
 */
async function reloads(label: string, build: (onSlice: (ms: number) => void) => Promise<IntelMatcher>): Promise<void> {
  const stalls: LoopStats[] = [];
  const reloadTimes: number[] = [];
  const gcPauses: number[] = [];
  const slices: number[] = [];
  for (let r = 0; r < 3; r++) {
    collect();
    let sliceMax = 0;
    const loop = lookupLoop(() => matcher);
    const t0 = performance.now();
    const next = await build((d) => (sliceMax = Math.max(sliceMax, d)));
    const t1 = performance.now();
    reloadTimes.push(t1 - t0);
    stalls.push(loop.stop());
    await new Promise((resolve) => setTimeout(resolve, 10)); // let the GC entries of the reload arrive
    gcPauses.push(longestGc(t0, t1));
    slices.push(sliceMax);
    if (next.size !== N) throw new Error(`reload built ${next.size} entries`);
    matcher = next; // the atomic swap
  }
  const maxStall = median(stalls.map((s) => s.maxGap));
  const maxCpuStall = median(stalls.map((s) => s.maxCpuGap));
  const runs = (xs: number[]): string => xs.map(ms).join(', ');
  row(`reload 1M, ${label}`, `${secs(median(reloadTimes))} wall, ${median(stalls.map((s) => s.lookups)).toLocaleString('en')} lookups served meanwhile`);
  row('  lookup-loop max stall, caused by this process', `${ms(maxCpuStall)} (runs: ${runs(stalls.map((s) => s.maxCpuGap))}), p99 ${ms(median(stalls.map((s) => s.p99Cpu)))}`, '<= 5 ms', maxCpuStall <= 5);
  row('  lookup-loop max stall, wall clock', `${ms(maxStall)} (runs: ${runs(stalls.map((s) => s.maxGap))}), p99 ${ms(median(stalls.map((s) => s.p99)))}`, '<= 5 ms', maxStall <= 5);
  row('  longest main-thread slice / GC pause', `${ms(median(slices))} / ${ms(median(gcPauses))} (runs: ${runs(slices)} / ${runs(gcPauses)})`);
}

/**
 * The engine's path: the batches encoded on this thread (SnapshotWriter.addSliced, 1 ms
 * slices), the build in a worker; the main thread then only wraps the transferred parts.
 */
async function workerReload(onSlice: (ms: number) => void): Promise<IntelMatcher> {
  const writer = new SnapshotWriter();
  await writer.addSliced(reloadBatches(), 1, onSlice);
  const t = performance.now();
  const encoded = writer.encode({ revision: 0, policy: '' });
  onSlice(performance.now() - t);
  return buildInWorker(encoded, {
    onFallback: (e) => {
      throw new Error(`the worker did not run: ${e.message}`);
    },
  });
}

await reloads('in a worker (encode on this thread, build in a worker)', workerReload);
await reloads('buildSliced on this thread, sliceMs 2 (default)', (onSlice) => IntelMatcherBuilder.buildSliced(reloadBatches(), { onSlice }));
await reloads('buildSliced on this thread, sliceMs 1', (onSlice) => IntelMatcherBuilder.buildSliced(reloadBatches(), { sliceMs: 1, onSlice }));
gcObserver.disconnect();
row('  same loop, no reload: max / p99 gap, wall', `${ms(idle.maxGap)} / ${ms(idle.p99)} (cpu-capped ${ms(idle.maxCpuGap)} / ${ms(idle.p99Cpu)})`);

// ---- 4. realistic mix: build time and IP lookups ---------------------------------------------

const mix: MatcherEntryInput[] = [];
for (let i = 0; i < N; i++) mix.push(entryOf('domain', domainAt(i), i));
const v4Listed: number[] = [];
const v4Nets: number[] = [];
const v6Listed: string[] = [];
let ref = N;
for (let i = 0; i < 100_000; i++) {
  const a = u32();
  v4Listed.push(a);
  mix.push(entryOf('ip', v4Text(a), ref++));
}
for (let i = 0; i < 20_000; i++) {
  const len = pick([16, 20, 22, 24, 24, 24, 28]);
  const net = (u32() & (-1 << (32 - len))) >>> 0;
  v4Nets.push(net);
  mix.push(entryOf('cidr', `${v4Text(net)}/${len}`, ref++));
}
for (let i = 0; i < 20_000; i++) {
  const prefix = `2001:db8:${hex16()}:${hex16()}`;
  v6Listed.push(prefix);
  mix.push(entryOf(i % 2 === 0 ? 'cidr' : 'ip', i % 2 === 0 ? `${prefix}::/64` : `${prefix}::${hex16()}`, ref++));
}
for (let i = 0; i < 20_000; i++) mix.push(entryOf('ip:port', `${v4Text(pick(v4Listed))}:${3333 + int(20)}`, ref++));
for (let i = 0; i < 50_000; i++) mix.push(entryOf('url', `http://${domainAt(int(N))}/${label()}/${label()}.js`, ref++));
for (let i = 0; i < 50_000; i++) {
  let h = '';
  while (h.length < 64) h += u32().toString(16).padStart(8, '0');
  mix.push(entryOf('sha256', h, ref++));
}
const mixTimes: number[] = [];
for (let r = 0; r < 3; r++) {
  matcher = IntelMatcher.empty();
  collect();
  const t0 = performance.now();
  matcher = buildFrom(mix);
  mixTimes.push(performance.now() - t0);
}
row(`build mixed list (${(mix.length / 1e6).toFixed(2)}M: 1M domains, v4/v6 IPs, CIDRs, ip:port, URLs, hashes)`, secs(median(mixTimes)));

// Half hits (listed IPv4, addresses inside listed v4 prefixes, v6 in listed /64s and listed v6
// IPs), half random misses.
const ipQueries: string[] = [];
for (let i = 0; i < 500_000; i++) {
  const k = i % 8;
  if (k === 0) ipQueries.push(v4Text(pick(v4Listed)));
  else if (k === 1) ipQueries.push(v4Text(pick(v4Nets) + int(16)));
  else if (k === 2) ipQueries.push(`${pick(v6Listed)}::${hex16()}:${hex16()}`);
  else if (k === 3) ipQueries.push(`${pick(v6Listed)}:0:0:0:1`);
  else if (k < 6) ipQueries.push(v4Text(u32()));
  else ipQueries.push(`2001:db9:${hex16()}::${hex16()}`);
}
const ipRate = throughput(ipQueries, (q) => matcher.matchIp(q, NOW));
row(`IP lookups v4+v6, exact+CIDR (${((100 * ipRate.hits) / ipQueries.length).toFixed(0)}% hits)`, rates(ipRate));
const words = new Uint32Array(4);
const parseOurs = throughput(ipQueries, (q) => (parseV4(q, 0, q.length) >= 0 || parseV6(q, 0, q.length, words) ? 1 : -1));
const parseLib = throughput(ipQueries, (q) => (ipaddr.parse(q).kind() === 'ipv4' ? 1 : 2));
row('  IP parse alone: hand-written vs ipaddr.js', `${rate(parseOurs.cpu)} vs ${rate(parseLib.cpu)} cpu`);

// ---- report ----------------------------------------------------------------------------------

const heads: [string, string, string, string] = ['metric', 'measured', 'target', ''];
const widths = heads.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
console.log(`\nnode ${process.version}; rates are medians of ${RUNS} runs (cpu = per CPU-second of this process), builds and reloads of 3\n`);
console.log(line(heads));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
