/**
 * Benchmark of the events store (src/store/duckdb/events) against the targets:
 *
 * 1. Ingest: DNS events made and batched on the main thread (BatchBuilder, 4,096 a batch) and
 *    handed to store.events.write(), in ~2 ms slices between which the event loop turns — as a
 *    DNS server would. Events/s end to end (first write → flush() resolved and every event
 *    written), main-thread cost per event (its own CPU time from /proc, and the time inside the
 *    producer's slices: making the events vs BatchBuilder.add + write), and what the loop sees:
 *    monitorEventLoopDelay and a 1 ms setInterval probe. Writer on a worker thread (the
 *    product's path) and, as a peer, on the calling thread.
 * 2. N DNS events (default 10M) over 7 days — 300 units, 20,000 hosts, 200,000 names (Zipf),
 *    3% blocked — then rollup(), bytes on disk per event (stats() checkpoints first), and query
 *    times (median of 5 after a warm-up): per-unit per-hour counts, top 100 names (whole range,
 *    one unit subtree), one host's last 1,000 events. The counts and the top list are also timed
 *    before rollup(), when every hour is dirty and both come from the raw events, and the two
 *    answers are checked to be the same.
 *
 *   node --expose-gc --import tsx bench/events.ts [--events N | --quick] [--ingest N] [--fill-writer worker|thread]
 *
 * Data are synthetic and deterministic (seeded PRNG). Machine noise matters: the worker, DuckDB's
 * threads and the producer share the cores.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DnsEvent, DnsOutcome } from '../src/model/events.ts';
import { BatchBuilder, openStore, type CountRow, type EventStore, type Store, type TopRow } from '../src/store/index.ts';
import { DEFAULT_HIGH_WATER } from '../src/store/duckdb/events/local.ts';

const { values: opt } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    ingest: { type: 'string' },
    'fill-writer': { type: 'string', default: 'worker' },
  },
});
const TOTAL = opt.events !== undefined ? Number(opt.events) : opt.quick ? 1_000_000 : 10_000_000;
const INGEST = opt.ingest !== undefined ? Number(opt.ingest) : opt.quick ? 500_000 : 2_000_000;
const FILL_WRITER = opt['fill-writer'] === 'thread' ? 'thread' : 'worker';
if (!Number.isInteger(TOTAL) || TOTAL < 100_000 || !Number.isInteger(INGEST) || INGEST < 10_000) {
  throw new Error('--events must be an integer ≥ 100,000 and --ingest ≥ 10,000');
}

const UNITS = 300;
const HOSTS = 20_000;
const NAMES = 200_000;
const BAD_NAMES = 2_000;
const DAY = 86_400_000;
const SPAN = 7 * DAY;
/** Start of the range: a UTC midnight, so the whole range is whole hours and days. */
const FROM = Date.UTC(2025, 0, 6);
const TO = FROM + SPAN;
const SLICE_MS = 2;
const RUNS = 5;

// ---- deterministic data ----------------------------------------------------------------------

let seed = 0x5eed1e55;
/** mulberry32: uniform in [0, 1). */
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (k: number): number => Math.floor(rnd() * k);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const TLDS = ['com', 'com', 'com', 'net', 'org', 'de', 'io', 'co.uk', 'fr', 'edu', 'gov', 'xyz', 'top', 'ru', 'cn', 'info', 'me', 'tv'];
const WORDS = ['www', 'api', 'cdn', 'static', 'mail', 'img', 'login', 'edge', 'update', 'clients', 'app', 'm', 'assets', 'ws', 'eu', 'us'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomLabel(min = 3, spread = 10): string {
  const len = min + Math.min(int(spread) + int(4), 14);
  let s = '';
  for (let i = 0; i < len; i++) s += ALNUM[rnd() < 0.9 ? int(26) : int(36)];
  return s;
}

/** A name of `labels` labels (the TLD counts as one; co.uk as two). */
function nameOf(labels: number, base: string): string {
  const baseLabels = base.split('.').length;
  const parts: string[] = [];
  for (let i = baseLabels; i < labels; i++) parts.push(rnd() < 0.5 ? pick(WORDS) : randomLabel(1, 6));
  parts.push(base);
  return parts.join('.');
}

function distinctNames(n: number, bases: readonly string[], mark = ''): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    const r = rnd();
    const labels = r < 0.3 ? 2 : r < 0.75 ? 3 : r < 0.93 ? 4 : 5;
    const v = nameOf(labels, mark + pick(bases));
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

/** Zipf(s = 1) over `n` ranks as a lookup table: a uniform index into it gives a rank. */
function zipfTable(n: number, bits: number): Uint32Array {
  const size = 1 << bits;
  let h = 0;
  for (let r = 1; r <= n; r++) h += 1 / r;
  const table = new Uint32Array(size);
  let cum = 0;
  let slot = 0;
  for (let r = 0; r < n && slot < size; r++) {
    cum += 1 / (r + 1) / h;
    const end = Math.min(size, Math.round(cum * size));
    // Every rank gets at least one slot, so every name is asked for now and then.
    const stop = Math.max(end, slot + 1);
    table.fill(r, slot, stop);
    slot = stop;
  }
  return table;
}

const unitIds = Array.from({ length: UNITS }, (_, k) => `school-${String(k + 1).padStart(3, '0')}`);
/** Host i lives in unit i % 300 (so the busy low-numbered hosts are spread over the units). */
const hostUnit = Array.from({ length: HOSTS }, (_, i) => unitIds[i % UNITS]!);
const hostAddr = Array.from({ length: HOSTS }, (_, i) => {
  const k = i % UNITS;
  return `10.${1 + Math.floor(k / 250)}.${k % 250}.${10 + Math.floor(i / UNITS)}`;
});
const genT0 = performance.now();
const bases = distinctNames(40_000, TLDS, '').map((n) => n.split('.').slice(-2).join('.'));
const names = distinctNames(NAMES, [...new Set(bases)]);
const badNames = distinctNames(BAD_NAMES, ['com', 'net', 'xyz', 'top', 'ru', 'pw', 'cc'], 'x').map((n) => `pool-${n}`);
const zipf = zipfTable(NAMES, 22);
const ZMASK = (1 << 22) - 1;
console.log(`data: ${names.length.toLocaleString('en')} names, ${badNames.length.toLocaleString('en')} blocked names, ` +
  `${HOSTS.toLocaleString('en')} hosts in ${UNITS} units, made in ${(performance.now() - genT0).toFixed(0)} ms`);

/** The i-th of `total` DNS events, spread evenly over [FROM, TO). A fresh object each time, as a server makes. */
function dnsEvent(i: number, total: number): DnsEvent {
  const ts = FROM + Math.floor(((i + rnd()) * SPAN) / total);
  const u = rnd();
  // Skewed hosts: host 0 asks ~0.7% of all queries, the quietest ~1/40,000 each.
  const host = Math.floor(HOSTS * u * u);
  const q = rnd();
  const qtype = q < 0.6 ? 1 : q < 0.9 ? 28 : q < 0.97 ? 65 : q < 0.985 ? 16 : 12;
  if (rnd() < 0.03) {
    const b = Math.floor(BAD_NAMES * rnd() ** 3);
    const name = badNames[b]!;
    return {
      kind: 'dns', ts, client: hostAddr[host]!, site: '', unit: hostUnit[host]!, via: null, name, qtype, rcode: 3,
      outcome: 'blocked', reason: 'indicator', indicator: name, category: b % 2 === 0 ? 'mining-pool' : 'botnet-c2',
      latencyUs: 100 + int(400),
    };
  }
  const cached = rnd() < 0.35;
  const outcome: DnsOutcome = cached ? 'cached' : 'resolved';
  // 100 µs – 1 ms from the cache; 1 – 200 ms from an upstream (log-uniform).
  const latencyUs = cached ? 100 + int(900) : Math.round(1000 * 200 ** rnd());
  return {
    kind: 'dns', ts, client: hostAddr[host]!, site: '', unit: hostUnit[host]!, via: null, name: names[zipf[(rnd() * 4294967296) & ZMASK]!]!,
    qtype, rcode: rnd() < 0.04 ? 3 : 0, outcome, reason: null, indicator: null, category: null, latencyUs,
  };
}

// ---- measuring helpers -----------------------------------------------------------------------

/** This process's main thread's own CPU time in ms (Linux /proc; null elsewhere). */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command; clock ticks of 10 ms.
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
const median = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const txt = (x: unknown): string => (typeof x === 'string' || typeof x === 'number' || typeof x === 'bigint' ? String(x) : JSON.stringify(x));
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

interface Produced {
  wallMs: number;
  genMs: number;
  storeMs: number;
  slices: number;
  longestSliceMs: number;
  backpressureWaits: number;
  backpressureMs: number;
}

/**
 * Makes `total` events on this thread in ~2 ms slices and writes them; waits for the writer when
 * write() says it is behind. Resolves when the last batch is handed over (not written).
 */
async function produce(events: EventStore, total: number, progress: ((done: number) => void) | null): Promise<Produced> {
  const b = new BatchBuilder('dns');
  const chunk: DnsEvent[] = [];
  const r: Produced = { wallMs: 0, genMs: 0, storeMs: 0, slices: 0, longestSliceMs: 0, backpressureWaits: 0, backpressureMs: 0 };
  const t0 = performance.now();
  let i = 0;
  let nextReport = 1_000_000;
  while (i < total) {
    const s0 = performance.now();
    let now = s0;
    let behind = false;
    while (i < total && now - s0 < SLICE_MS && !behind) {
      const n = Math.min(256, total - i);
      const c0 = now;
      for (let k = 0; k < n; k++) chunk[k] = dnsEvent(i + k, total);
      const c1 = performance.now();
      for (let k = 0; k < n; k++) {
        b.add(chunk[k]!);
        if (b.full && !events.write(b.take())) behind = true;
      }
      now = performance.now();
      r.genMs += c1 - c0;
      r.storeMs += now - c1;
      i += n;
    }
    r.slices++;
    r.longestSliceMs = Math.max(r.longestSliceMs, now - s0);
    if (progress !== null && i >= nextReport) {
      progress(i);
      nextReport += 1_000_000;
    }
    if (behind) {
      const w0 = performance.now();
      r.backpressureWaits++;
      while (events.status().pending >= DEFAULT_HIGH_WATER / 2) await sleep(5);
      r.backpressureMs += performance.now() - w0;
    } else {
      await turn();
    }
  }
  if (b.size > 0) events.write(b.take());
  r.wallMs = performance.now() - t0;
  return r;
}

interface Ingest {
  rate: number;
  wallMs: number;
  handOverMs: number;
  mainCpuUsPerEvent: number | null;
  processCpuUsPerEvent: number;
  genUsPerEvent: number;
  storeUsPerEvent: number;
  elu: number;
  lag: { p50: number; p99: number; max: number };
  probe: { p50: number; p99: number; max: number; n: number };
  produced: Produced;
}

/** One ingest run into a fresh store; the loop's lag and the probe cover the run up to flush(). */
async function ingest(store: Store, total: number, progress: ((done: number) => void) | null): Promise<Ingest> {
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(50);
  const hist = monitorEventLoopDelay({ resolution: 1 });
  const gaps: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const t = performance.now();
    gaps.push(t - last);
    last = t;
  }, 1);
  await sleep(5);
  hist.enable();
  gaps.length = 0;
  last = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  const produced = await produce(store.events, total, progress);
  const handOverMs = performance.now() - t0;
  await store.events.flush();
  while (store.events.status().written < total) await sleep(5);
  const wallMs = performance.now() - t0;
  const main1 = mainThreadCpuMs();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  hist.disable();
  clearInterval(probe);
  const written = store.events.status().written;
  if (written !== total) throw new Error(`written ${written} ≠ ${total}`);
  gaps.sort((a, b) => a - b);
  // Time inside the slices, split: the per-event split is measured on 256-event chunks.
  return {
    rate: (total / wallMs) * 1000,
    wallMs,
    handOverMs,
    mainCpuUsPerEvent: main0 === null || main1 === null ? null : ((main1 - main0) * 1000) / total,
    processCpuUsPerEvent: (cpu.user + cpu.system) / total,
    genUsPerEvent: (produced.genMs * 1000) / total,
    storeUsPerEvent: (produced.storeMs * 1000) / total,
    elu: elu.utilization,
    lag: { p50: hist.percentile(50) / 1e6, p99: hist.percentile(99) / 1e6, max: hist.max / 1e6 },
    probe: { p50: quantile(gaps, 0.5), p99: quantile(gaps, 0.99), max: gaps[gaps.length - 1] ?? 0, n: gaps.length },
    produced,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const value0 = await fn(); // warm-up
  const times: number[] = [];
  let value = value0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

const rows: [string, string, string, string][] = [];
function row(figure: string, measured: string, target = '', ok?: boolean): void {
  rows.push([figure, measured, target, ok === undefined ? '' : ok ? 'met' : 'missed']);
  console.log(`  ${figure}: ${measured}`);
}

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mw-events-'));
  dirs.push(d);
  return d;
}
const open = (dir: string, eventWriter: 'worker' | 'thread'): Promise<Store> =>
  openStore({ dataDir: dir, store: { kind: 'embedded', memoryLimit: '1GB' } }, { eventWriter, log: (level, msg) => console.log(`  [store ${level}] ${msg}`) });

try {
  // ---- 1. ingest -----------------------------------------------------------------------------
  console.log(`\n1. ingest of ${fmt(INGEST)} dns events from a producer on the main thread (${SLICE_MS} ms slices)`);
  for (const writer of ['worker', 'thread'] as const) {
    const dir = dataDir();
    const store = await open(dir, writer);
    const r = await ingest(store, INGEST, null);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    const peer = writer === 'thread' ? ' (peer: writer on the main thread)' : '';
    console.log(`  [${writer}] ${(r.wallMs / 1000).toFixed(2)} s end to end, handed over in ${(r.handOverMs / 1000).toFixed(2)} s; ` +
      `${r.produced.slices} slices, longest ${ms(r.produced.longestSliceMs)} ms; back-pressure ${r.produced.backpressureWaits}× ` +
      `(${ms(r.produced.backpressureMs)} ms); probe ${fmt(r.probe.n)} ticks`);
    row(`ingest [${writer}] events/s end to end${peer}`, fmt(r.rate), '≥ 300,000', r.rate >= 300_000);
    row(`ingest [${writer}] main-thread CPU per event (/proc)`, r.mainCpuUsPerEvent === null ? 'n/a' : `${r.mainCpuUsPerEvent.toFixed(2)} µs`);
    row(`ingest [${writer}] in slices per event: make event / add+write`, `${r.genUsPerEvent.toFixed(2)} / ${r.storeUsPerEvent.toFixed(2)} µs`);
    row(`ingest [${writer}] process CPU per event (all threads)`, `${r.processCpuUsPerEvent.toFixed(2)} µs`);
    row(`ingest [${writer}] main loop utilisation`, `${(r.elu * 100).toFixed(0)} %`);
    row(`ingest [${writer}] loop delay p50/p99/max (monitorEventLoopDelay)`, `${ms(r.lag.p50)} / ${ms(r.lag.p99)} / ${ms(r.lag.max)} ms`);
    row(`ingest [${writer}] 1 ms timer gaps p50/p99/max`, `${ms(r.probe.p50)} / ${ms(r.probe.p99)} / ${ms(r.probe.max)} ms`);
  }

  // ---- 2. fill N events, roll up, size, queries ---------------------------------------------
  console.log(`\n2. ${fmt(TOTAL)} dns events over 7 days, written by the ${FILL_WRITER} writer`);
  const dir = dataDir();
  const store = await open(dir, FILL_WRITER);
  const f0 = performance.now();
  const fill = await ingest(store, TOTAL, (done) => {
    const s = (performance.now() - f0) / 1000;
    console.log(`  made ${fmt(done)} / ${fmt(TOTAL)} in ${s.toFixed(1)} s (${fmt(done / s)}/s made; ${fmt(store.events.status().written)} written)`);
  });
  row(`fill ${fmt(TOTAL)} [${FILL_WRITER}] events/s`, `${fmt(fill.rate)} (${(fill.wallMs / 1000).toFixed(1)} s)`);

  const range = { kind: 'dns' as const, from: FROM, to: TO };
  const subtree = unitIds.slice(0, 5);
  const busiest = hostAddr[0]!;
  const typical = hostAddr[HOSTS / 2]!;

  // Before rollup(): every hour is dirty, so counts and the top list read the raw events.
  console.log('  timing counts and top list before rollup() (every hour dirty: raw events)');
  const rawCounts = await timed(() => store.events.counts(range, 'hour', 'unit'));
  const rawTop = await timed(() => store.events.top(range, 'name', 100));

  const r0 = performance.now();
  const ru = await store.events.rollup();
  const rollupMs = performance.now() - r0;
  row('rollup() after the fill', `${ms(rollupMs)} ms (${ru.hours} hours, ${ru.days} days)`);

  const s0 = performance.now();
  const stats = await store.events.stats();
  const statsMs = performance.now() - s0;
  const bpe = stats.bytesPerEvent ?? NaN;
  console.log(`  stats() with checkpoint: ${ms(statsMs)} ms; ${fmt(stats.kinds.dns.rows)} rows, ${fmt(stats.hosts)} hosts, ` +
    `${fmt(stats.rollupRows)} roll-up rows, ${fmt(stats.bytes)} bytes`);
  row('bytes on disk per event (after CHECKPOINT)', `${bpe.toFixed(1)} (file ${(stats.bytes / TOTAL).toFixed(1)})`, '≤ 20', bpe <= 20);
  if (stats.kinds.dns.rows !== TOTAL) console.log(`  !! store holds ${stats.kinds.dns.rows} dns rows, not ${TOTAL}`);

  const counts = await timed(() => store.events.counts(range, 'hour', 'unit'));
  row('counts per unit per hour, whole range (roll-up)', `${ms(counts.ms)} ms, ${fmt(counts.value.length)} rows`, '≤ 500 ms', counts.ms <= 500);
  row('  same from raw events (before rollup())', `${ms(rawCounts.ms)} ms`);
  const top = await timed(() => store.events.top(range, 'name', 100));
  row('top 100 names, whole range (roll-up)', `${ms(top.ms)} ms`, '≤ 1,000 ms', top.ms <= 1000);
  row('  same from raw events (before rollup())', `${ms(rawTop.ms)} ms`);
  const topUnit = await timed(() => store.events.top({ ...range, units: subtree }, 'name', 100));
  row(`top 100 names, one subtree of ${subtree.length} units (raw)`, `${ms(topUnit.ms)} ms`, '≤ 1,000 ms', topUnit.ms <= 1000);
  // Before the daily compaction: the one-host query scans every row group.
  const hostRaw = await timed(() => store.events.query({ kind: 'dns', client: typical, limit: 1000 }));
  // The daily upkeep rewrites closed days in (host, time) order (EventMaintenance → compact()).
  const c0 = performance.now();
  const comp = await store.events.compact(TO + 3_600_000);
  row('compact() of the closed days (daily upkeep)', `${ms(performance.now() - c0)} ms (${comp.days} days, ${fmt(comp.rows)} rows)`);
  const statsC = await store.events.stats();
  row('bytes on disk per event after compaction (used blocks)', `${(statsC.bytesPerEvent ?? NaN).toFixed(1)} (file ${(statsC.bytes / TOTAL).toFixed(1)}: freed blocks are reused)`, '≤ 20', (statsC.bytesPerEvent ?? Infinity) <= 20);
  const hostQ = await timed(() => store.events.query({ kind: 'dns', client: busiest, limit: 1000 }));
  row(`one host's last 1,000 events (busiest, ${busiest})`, `${ms(hostQ.ms)} ms, ${fmt(hostQ.value.length)} rows`, '≤ 50 ms', hostQ.ms <= 50);
  const hostT = await timed(() => store.events.query({ kind: 'dns', client: typical, limit: 1000 }));
  row(`one host's last 1,000 events (typical, ${typical})`, `${ms(hostT.ms)} ms, ${fmt(hostT.value.length)} rows`, '≤ 50 ms', hostT.ms <= 50);
  row('  same before compaction', `${ms(hostRaw.ms)} ms`);

  // ---- checks: the roll-ups give the same answers as the raw events ------------------------
  const key = (c: CountRow): string => `${c.t}|${c.key}|${c.count}`;
  const sameCounts = rawCounts.value.length === counts.value.length && rawCounts.value.every((c, i) => key(c) === key(counts.value[i]!));
  const sum = counts.value.reduce((a, c) => a + c.count, 0);
  const tkey = (t: TopRow): string => `${t.key}|${t.count}|${t.blocked}`;
  const sameTop = rawTop.value.length === top.value.length && rawTop.value.every((t, i) => tkey(t) === tkey(top.value[i]!));
  const hostOk = hostQ.value.length === 1000 && hostQ.value.every((e, i, a) => e.client === busiest && (i === 0 || a[i - 1]!.ts >= e.ts));
  console.log(`\n  checks: counts roll-up = raw ${sameCounts ? 'yes' : 'NO'} (sum ${fmt(sum)} of ${fmt(TOTAL)}); ` +
    `top roll-up = raw ${sameTop ? 'yes' : 'NO'}; host query newest first, right host ${hostOk ? 'yes' : 'NO'}`);
  if (!sameTop) {
    for (let i = 0; i < 5; i++) console.log(`    raw ${tkey(rawTop.value[i]!)}  roll-up ${tkey(top.value[i]!)}`);
  }
  await store.close();

  // Where the bytes are: the file's used and free blocks, and the biggest columns by segment count.
  const db = await DuckDBInstance.create(join(dir, 'events.duckdb'), { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  const size = (await c.runAndReadAll('PRAGMA database_size')).getRowObjectsJson()[0] ?? {};
  console.log(`  database_size: block ${txt(size.block_size)}, used ${txt(size.used_blocks)}, free ${txt(size.free_blocks)}, wal ${txt(size.wal_size)}`);
  const seg = (await c.runAndReadAll(`SELECT table_name AS t, column_name AS col, count(*) AS segments, count(DISTINCT block_id) AS blocks,
      string_agg(DISTINCT compression, ',') AS comp
    FROM (SELECT 'dns_events' AS table_name, * FROM pragma_storage_info('dns_events')
          UNION ALL SELECT 'rollup_dns_name_day', * FROM pragma_storage_info('rollup_dns_name_day'))
    WHERE segment_type <> 'VALIDITY' GROUP BY ALL ORDER BY blocks DESC LIMIT 12`)).getRowObjectsJson();
  for (const r of seg) console.log(`    ${txt(r.t)}.${txt(r.col)}: ${txt(r.blocks)} blocks, ${txt(r.segments)} segments (${txt(r.comp)})`);
  c.closeSync();
  db.closeSync();

  // The events alone, without roll-ups and hosts: the dns table copied (as stored, in host order)
  // into a file of its own.
  const alone = join(dir, 'dns-alone.duckdb');
  const copy = await DuckDBInstance.create(alone);
  const cc = await copy.connect();
  await cc.run(`ATTACH '${join(dir, 'events.duckdb')}' AS src (READ_ONLY)`);
  await cc.run('CREATE TABLE dns_events AS SELECT * FROM src.dns_events');
  await cc.run('DETACH src');
  await cc.run('CHECKPOINT');
  const aloneSize = (await cc.runAndReadAll('SELECT used_blocks * block_size AS b FROM pragma_database_size()')).getRowObjectsJson()[0] ?? {};
  cc.closeSync();
  copy.closeSync();
  const perEvent = Number(aloneSize.b) / TOTAL;
  row('bytes per event, the dns events table alone (no roll-ups, hosts)', perEvent.toFixed(1), '≤ 20', perEvent <= 20);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

// ---- report ----------------------------------------------------------------------------------

const heads: [string, string, string, string] = ['figure', 'measured', 'target', ''];
const widths = heads.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
console.log(`\nnode ${process.version}; ${fmt(INGEST)} events per ingest run, ${fmt(TOTAL)} in the store; query times are medians of ${RUNS} after a warm-up\n`);
console.log(line(heads));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
