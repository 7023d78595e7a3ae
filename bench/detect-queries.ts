/**
 * Benchmark of the detectors' windowed analytics (src/store/analytics.ts) on the DuckDB events
 * store: N flow events (default 10M) over 24 h, written through the store's writer as the sensors
 * do and then rolled up as the maintenance loop does, with a planted fan-in — 209 hosts start
 * talking to one controller on ports 80, 5000, 5050 and 9090 in the last 40 minutes, half-open on
 * 5050. Then every method is timed (median of 3 after a warm-up) over the last hour and over
 * the whole day, before and after compact() rewrites the day in (host_id, ts) order, and the
 * planted controller is checked to come out of fanIn, portProfile and halfOpen. Target: all windowed detectors over 10M flow events in ≤ 2 s.
 *
 *   node --expose-gc --import tsx bench/detect-queries.ts [--events N]
 *
 * Synthetic, deterministic data (seeded PRNG); DNS and HTTP hold a few thousand rows only, so
 * their three methods measure the fixed cost. Machine noise matters (DuckDB's threads share the cores).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { DnsEvent, FlowEvent, HttpEvent } from '../src/model/events.ts';
import { BatchBuilder, type EventStore, type TimeWindow } from '../src/store/index.ts';
import { DEFAULT_HIGH_WATER, LocalEventStore } from '../src/store/duckdb/events/local.ts';

const { values: opt } = parseArgs({ options: { events: { type: 'string' }, keep: { type: 'string' } } });
const TOTAL = opt.events !== undefined ? Number(opt.events) : 10_000_000;
if (!Number.isInteger(TOTAL) || TOTAL < 100_000) throw new Error('--events must be an integer ≥ 100,000');

const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.UTC(2025, 0, 6);
const TO = FROM + DAY;
const HOSTS = 20_000;
const DSTS = 100_000;
const CTRL = '185.220.101.47';
const CTRL_PORTS = [80, 5000, 5050, 9090];
const CTRL_HOSTS = 209;
const CTRL_START = TO - 40 * 60_000;
const RUNS = 3;

let seed = 0x5eed1e55;
/** mulberry32: uniform in [0, 1). */
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (k: number): number => Math.floor(rnd() * k);

const hostAddr = Array.from({ length: HOSTS }, (_, i) => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
const hostUnit = Array.from({ length: HOSTS }, (_, i) => `school-${String(i % 300).padStart(3, '0')}`);
const dstAddr = Array.from({ length: DSTS }, (_, i) => `${23 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.${1 + (i % 200)}`);
const PORTS = [443, 443, 443, 443, 443, 443, 80, 80, 53, 123, 8080, 993];
/**
 * Each host's habits: 40 destinations it returns to (drawn by global popularity), as real hosts
 * do; one flow in ten goes anywhere. Uniformly random pairs would make nearly every flow its own
 * (host, destination, port) group, which no network shows.
 */
const HABITS = 40;
const habit = Uint32Array.from({ length: HOSTS * HABITS }, () => Math.floor(DSTS * rnd() ** 3));
let planted = 0;

function flow(i: number): FlowEvent {
  const ts = FROM + Math.floor(((i + rnd()) * DAY) / TOTAL);
  if (ts >= CTRL_START && rnd() < 0.02) {
    // The planted controller: hosts 1000…1208, SYNs to 5050 never answered.
    const h = 1000 + (planted % CTRL_HOSTS);
    const port = CTRL_PORTS[Math.floor(planted++ / CTRL_HOSTS) % 4]!;
    const half = port === 5050;
    return {
      kind: 'flow', ts, client: hostAddr[h]!, site: '', unit: hostUnit[h]!, end: ts + (half ? 3000 : 20_000), src: hostAddr[h]!,
      srcPort: 30000 + int(30000), dst: CTRL, dstPort: port, proto: 6, bytesOut: half ? 120 : 900, pktsOut: half ? 2 : 8,
      bytesIn: half ? 0 : 4000, pktsIn: half ? 0 : 6, tcpState: half ? 'S0' : 'SF', sensor: 'zeek-1',
    };
  }
  const u = rnd();
  const h = Math.floor(HOSTS * u * u);
  const usual = rnd() < 0.9;
  const d = usual ? habit[h * HABITS + int(HABITS)]! : Math.floor(DSTS * rnd() ** 3);
  const udp = rnd() < 0.1;
  const s = rnd();
  const long = rnd() < 0.005;
  return {
    kind: 'flow', ts, client: hostAddr[h]!, site: '', unit: hostUnit[h]!, end: ts + (long ? 1_800_000 + int(3 * HOUR) : int(60_000)),
    src: hostAddr[h]!, srcPort: 1024 + int(60000), dst: dstAddr[d]!, dstPort: udp ? 53 : PORTS[usual ? (h + d) % PORTS.length : int(PORTS.length)]!, proto: udp ? 17 : 6,
    bytesOut: 40 + int(20_000), pktsOut: 1 + int(30), bytesIn: int(200_000), pktsIn: int(200),
    tcpState: udp ? null : s < 0.88 ? 'SF' : s < 0.94 ? 'S0' : s < 0.97 ? 'REJ' : 'RSTO', sensor: 'zeek-1',
  };
}

/** A few thousand DNS and HTTP events in the last hour, so those methods have rows to read. */
function others(): Array<DnsEvent | HttpEvent> {
  const out: Array<DnsEvent | HttpEvent> = [];
  for (let i = 0; i < 5000; i++) {
    const h = int(HOSTS);
    const ts = TO - HOUR + int(HOUR);
    const name = i % 5 === 0 ? `${Math.floor(rnd() * 1e12).toString(36)}.t.tunnel.example` : `www.site${int(500)}.example`;
    out.push({ kind: 'dns', ts, client: hostAddr[h]!, site: '', unit: hostUnit[h]!, name, qtype: 1, rcode: 0, outcome: 'resolved', latencyUs: 1 });
    out.push({
      kind: 'http', ts, client: hostAddr[h]!, site: '', unit: hostUnit[h]!, server: dstAddr[int(1000)]!, serverPort: 80, method: 'GET',
      host: i % 50 === 0 ? dstAddr[0]! : 'cdn.example', url: i % 50 === 0 ? '/x.exe' : '/index.html', status: 200, size: 100, sensor: 'zeek-1',
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

async function fill(events: EventStore): Promise<number> {
  const t0 = performance.now();
  const b = new BatchBuilder('flow');
  for (let i = 0; i < TOTAL; i++) {
    b.add(flow(i));
    if (b.full && !events.write(b.take())) {
      while (events.status().pending >= DEFAULT_HIGH_WATER / 2) await sleep(5);
    }
    if (i % 2_000_000 === 1_999_999) console.log(`  ${(i + 1).toLocaleString('en')} written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (b.size > 0) events.write(b.take());
  const d = new BatchBuilder('dns', 5000);
  const h = new BatchBuilder('http', 5000);
  for (const ev of others()) (ev.kind === 'dns' ? d : h).add(ev);
  events.write(d.take());
  events.write(h.take());
  await events.flush();
  return performance.now() - t0;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let value = await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!, value };
}

type Method = [string, (w: TimeWindow) => Promise<unknown[]>];
function methods(events: EventStore, whole: boolean): Method[] {
  return [
    // Whole day: nothing precedes it, so every busy destination is "new"; the limit keeps the rows few.
    ['fanIn', (w) => events.fanIn({ ...w, minHosts: 50, lookbackMs: DAY, maxPriorHosts: 5, limit: whole ? 50 : 1000 })],
    ['fanInNames', (w) => events.fanInNames({ ...w, minHosts: 50, lookbackMs: DAY, maxPriorHosts: 5 })],
    ['portProfile', (w) => events.portProfile({ ...w, dst: CTRL })],
    ['halfOpen', (w) => events.halfOpen({ ...w, minAttempts: 10 })],
    ['beaconCandidates', (w) => events.beaconCandidates({ ...w, minConnections: 20, limit: 1000 })],
    ['longConnections', (w) => events.longConnections({ ...w, minDurationMs: 2 * HOUR })],
    ['strobes', (w) => events.strobes({ ...w, minPorts: 5 })],
    ['dnsTunnelCandidates', (w) => events.dnsTunnelCandidates({ ...w, minUnique: 50 })],
    ['rareHttpDownloads', (w) => events.rareHttpDownloads(w)],
  ];
}

const summary: string[] = [];
async function round(events: EventStore, label: string): Promise<void> {
  for (const [name, w] of [['last hour', { from: TO - HOUR, to: TO }], ['whole day', { from: FROM, to: TO }]] as const) {
    console.log(`\n  ${label}, ${name}:`);
    let total = 0;
    for (const [m, fn] of methods(events, name === 'whole day')) {
      (globalThis as { gc?: () => void }).gc?.();
      const r = await timed(() => fn(w));
      total += r.ms;
      console.log(`    ${m.padEnd(20)} ${r.ms.toFixed(1).padStart(8)} ms  ${r.value.length} rows`);
    }
    const line = `${label}, ${name}: all ${methods(events, false).length} methods ${total.toFixed(0)} ms (target ≤ 2,000 ms: ${total <= 2000 ? 'met' : 'missed'})`;
    console.log(`    total ${total.toFixed(1)} ms`);
    summary.push(line);
  }
}

/** --keep DIR: fill DIR and leave it (for EXPLAIN ANALYZE by hand); otherwise a temp dir, removed. */
const dir = opt.keep ?? mkdtempSync(join(tmpdir(), 'mw-detect-'));
try {
  const events = await LocalEventStore.open({ path: join(dir, 'events.duckdb'), memoryLimit: '1GB', spoolDir: join(dir, 'spool') });
  console.log(`fill: ${TOTAL.toLocaleString('en')} flow events over 24 h, ${HOSTS.toLocaleString('en')} hosts, ${DSTS.toLocaleString('en')} destinations`);
  const fillMs = await fill(events);
  console.log(`  filled in ${(fillMs / 1000).toFixed(1)} s (${Math.round(TOTAL / (fillMs / 1000)).toLocaleString('en')}/s)`);

  // As the maintenance loop does every few minutes: the fan-in lookback reads whole hours from the roll-up.
  const r0 = performance.now();
  const rolled = await events.rollup();
  console.log(`  rollup(): ${rolled.hours} hours in ${((performance.now() - r0) / 1000).toFixed(1)} s`);

  const last = { from: TO - HOUR, to: TO };
  const fan = await events.fanIn({ ...last, minHosts: 50, lookbackMs: DAY, maxPriorHosts: 5 });
  const ctrl = fan.find((r) => r.dst === CTRL);
  const prof = await events.portProfile({ ...last, dst: CTRL });
  const half = (await events.halfOpen({ ...last, minAttempts: 3 })).filter((r) => r.dst === CTRL);
  console.log(`  check: fanIn last hour → ${fan.length} rows; controller ${ctrl === undefined ? 'MISSING' : `${ctrl.hosts.length} hosts, ports ${ctrl.ports.join('/')}`}; ` +
    `profile ports ${prof.map((p) => `${p.dstPort}(${p.hosts}h, ${p.halfOpen} half-open)`).join(' ')}; half-open pairs to it ${half.length}`);

  await round(events, 'as written (time order)');
  const c0 = performance.now();
  const comp = await events.compact(TO + DAY);
  console.log(`\n  compact(): ${comp.days} days, ${comp.rows.toLocaleString('en')} rows in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  await round(events, 'after compact() (host_id, ts order)');
  await events.close();
  console.log(`\nnode ${process.version}; ${TOTAL.toLocaleString('en')} flow events; medians of ${RUNS} after a warm-up`);
  for (const s of summary) console.log(`  ${s}`);
} finally {
  if (opt.keep === undefined) rmSync(dir, { recursive: true, force: true });
}
