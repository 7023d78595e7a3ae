/**
 * Benchmark of the console's DNS query search (`NetworkService.queries`, src/services/network.ts)
 * over a large store: "each search ≤ 200 ms at 20M rows".
 *
 * 1. Fills a store in a temp dir with N synthetic, deterministic DNS events over 7 days — the data
 *    of bench/events.ts (300 units, 20,000 hosts, 200,000 Zipf names, 3% blocked; its generator is
 *    copied here) — then rollup() and compact(now), as the product does daily (closed days are
 *    rewritten in (host_id, ts) order).
 * 2. Builds NetworkService as the API does, over a tree of 10 districts × 30 schools (the 300 units
 *    of the events), with an admin Access and a unit-viewer Access limited to one district.
 * 3. Times each search (median and p95 of 20 runs after a warm-up): first page (50 rows) with no
 *    filter over the last 24 h and over 7 days, a district, the unit viewer, one host, a name
 *    suffix (popular and rare), blocked only, a category, a combination, and deep paging by
 *    cursor (page 200 vs page 1) against plain OFFSET paging.
 *
 *   node --expose-gc --import tsx bench/query-search.ts [--events N | --quick] [--keep] [--data DIR]
 *
 * --keep leaves the filled data directory in place (its path is printed); --data DIR times the
 * searches over such a directory again without filling it (N is then what it holds).
 *
 * Data are synthetic and deterministic (seeded PRNG).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Principal } from '../src/model/auth.ts';
import type { DnsEvent, DnsOutcome } from '../src/model/events.ts';
import type { Unit } from '../src/model/org.ts';
import { OrgService } from '../src/org/index.ts';
import type { Access } from '../src/services/access.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { NetworkService, type QueryPage, type QuerySearch } from '../src/services/network.ts';
import { BatchBuilder, openStore, type Store } from '../src/store/index.ts';
import { DEFAULT_HIGH_WATER } from '../src/store/duckdb/events/local.ts';

const { values: opt } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'memory-limit': { type: 'string', default: '512MB' },
    keep: { type: 'boolean', default: false },
    data: { type: 'string' },
  },
});
let TOTAL = opt.events !== undefined ? Number(opt.events) : opt.quick ? 2_000_000 : 20_000_000;
if (!Number.isInteger(TOTAL) || TOTAL < 100_000) throw new Error('--events must be an integer ≥ 100,000');
const MEMORY_LIMIT = opt['memory-limit'] ?? '512MB';

const UNITS = 300;
const DISTRICTS = 10;
const HOSTS = 20_000;
const NAMES = 200_000;
const BAD_NAMES = 2_000;
const DAY = 86_400_000;
const SPAN = 7 * DAY;
/** Start of the range: a UTC midnight, as in bench/events.ts. */
const FROM = Date.UTC(2025, 0, 6);
const TO = FROM + SPAN;
/** The service's clock: the end of the data (the last day is closed, so compact() rewrites all 7). */
const NOW = TO;
const RUNS = 20;
const PAGE = 50;
const DEEP = 200;
const TARGET_MS = 200;

// ---- deterministic data (copied from bench/events.ts) ------------------------------------------

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
    const stop = Math.max(end, slot + 1);
    table.fill(r, slot, stop);
    slot = stop;
  }
  return table;
}

const unitIds = Array.from({ length: UNITS }, (_, k) => `school-${String(k + 1).padStart(3, '0')}`);
const districtIds = Array.from({ length: DISTRICTS }, (_, d) => `district-${String(d + 1).padStart(2, '0')}`);
/** School k (0-based) belongs to district k / 30. */
const districtOf = (k: number): string => districtIds[Math.floor(k / (UNITS / DISTRICTS))]!;
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

function dnsEvent(i: number, total: number): DnsEvent {
  const ts = FROM + Math.floor(((i + rnd()) * SPAN) / total);
  const u = rnd();
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
  const latencyUs = cached ? 100 + int(900) : Math.round(1000 * 200 ** rnd());
  return {
    kind: 'dns', ts, client: hostAddr[host]!, site: '', unit: hostUnit[host]!, via: null, name: names[zipf[(rnd() * 4294967296) & ZMASK]!]!,
    qtype, rcode: rnd() < 0.04 ? 3 : 0, outcome, reason: null, indicator: null, category: null, latencyUs,
  };
}

/** The organisation: 10 districts (roots) × 30 schools; school k holds the hosts i with i % 300 = k. */
function orgUnits(): Unit[] {
  const base = { site: '', egress: [], contacts: [] };
  return [
    ...districtIds.map((id, d): Unit => ({ ...base, id, name: `District ${d + 1}`, parentId: null, kind: 'district', cidrs: [] })),
    ...unitIds.map((id, k): Unit => ({
      ...base, id, name: `School ${k + 1}`, parentId: districtOf(k), kind: 'school',
      cidrs: [`10.${1 + Math.floor(k / 250)}.${k % 250}.0/24`],
    })),
  ];
}

// ---- helpers ------------------------------------------------------------------------------------

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
/** Nearest-rank quantile of a sorted list. */
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)] ?? 0;

/** Fills the store the way a server would (a BatchBuilder of 4,096, write(), back-pressure). */
async function fill(store: Store, total: number): Promise<number> {
  const b = new BatchBuilder('dns');
  const t0 = performance.now();
  let nextReport = 0;
  let i = 0;
  while (i < total) {
    const s0 = performance.now();
    let behind = false;
    while (i < total && performance.now() - s0 < 5 && !behind) {
      const n = Math.min(256, total - i);
      for (let k = 0; k < n; k++) {
        b.add(dnsEvent(i + k, total));
        if (b.full && !store.events.write(b.take())) behind = true;
      }
      i += n;
    }
    if (i >= nextReport) {
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(`\r  filling: ${fmt(i)} / ${fmt(total)} made, ${fmt(store.events.status().written)} written, ${s.toFixed(1)} s   `);
      nextReport += 250_000;
    }
    if (behind) {
      while (store.events.status().pending >= DEFAULT_HIGH_WATER / 2) await sleep(5);
    } else {
      await turn();
    }
  }
  if (b.size > 0) store.events.write(b.take());
  await store.events.flush();
  while (store.events.status().written < total) await sleep(5);
  const wall = performance.now() - t0;
  process.stdout.write(`\r  filled ${fmt(total)} in ${(wall / 1000).toFixed(1)} s (${fmt((total / wall) * 1000)}/s)                    \n`);
  return wall;
}

interface Timing {
  median: number;
  p95: number;
  rows: number;
}

async function timeIt(fn: () => Promise<{ rows: number }>): Promise<Timing> {
  await fn(); // warm-up
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    rows = (await fn()).rows;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95), rows };
}

const table: Array<[string, string, string, string, string]> = [];
function report(label: string, t: Timing, target = true): void {
  const ok = !target ? '' : t.p95 <= TARGET_MS ? 'met' : t.median <= TARGET_MS ? 'median only' : 'MISSED';
  table.push([label, ms(t.median), ms(t.p95), fmt(t.rows), ok]);
  console.log(`  ${label}: median ${ms(t.median)} ms, p95 ${ms(t.p95)} ms, ${fmt(t.rows)} rows ${ok}`);
}

// ---- run ------------------------------------------------------------------------------------------

const LOAD0 = loadavg().map((x) => x.toFixed(2)).join(' ');
const REUSE = opt.data !== undefined;
const dir = opt.data ?? mkdtempSync(join(tmpdir(), 'mw-query-search-'));
let bytes = 0;
let usedBytes = 0;
let fillMs = 0;
let compactMs = 0;
try {
  const store = await openStore({ dataDir: dir, store: { kind: 'embedded', memoryLimit: MEMORY_LIMIT } },
    { eventWriter: 'thread', log: (level, msg) => console.log(`  [store ${level}] ${msg}`) });
  if (REUSE) {
    TOTAL = (await store.events.stats()).kinds.dns.rows;
    console.log(`\nreusing ${dir}: ${fmt(TOTAL)} dns events (memory limit ${MEMORY_LIMIT})`);
  } else {
    console.log(`\n${fmt(TOTAL)} dns events over 7 days into ${dir} (writer: thread, memory limit ${MEMORY_LIMIT})`);
    fillMs = await fill(store, TOTAL);
    const r0 = performance.now();
    const ru = await store.events.rollup();
    console.log(`  rollup(): ${ms(performance.now() - r0)} ms (${ru.hours} hours, ${ru.days} days)`);
    const c0 = performance.now();
    const comp = await store.events.compact(NOW);
    compactMs = performance.now() - c0;
    console.log(`  compact(now): ${ms(compactMs)} ms (${comp.days} days, ${fmt(comp.rows)} rows)`);
  }
  const stats = await store.events.stats();
  bytes = stats.bytes;
  usedBytes = stats.usedBytes;
  if (stats.kinds.dns.rows !== TOTAL) throw new Error(`store holds ${stats.kinds.dns.rows} dns rows, not ${TOTAL}`);

  // ---- services as the API builds them ----
  const org = await OrgService.load(store.org);
  if (!REUSE) await org.replace(orgUnits());
  const deps = { store, org, now: () => NOW } as unknown as ServiceDeps;
  const net = new NetworkService(deps);
  const principal = (role: Principal['role'], units: string[]): Principal => ({
    userId: 1, username: role, role, units, via: 'session', credentialId: 'bench', mustEnrollTotp: false,
  });
  const admin: Access = { principal: principal('admin', []), units: null };
  const viewerRoot = districtIds[1]!;
  const viewer: Access = { principal: principal('unit-viewer', [viewerRoot]), units: org.tree().subtreeIds(viewerRoot) };

  // A typical host (the middle of the skew) by its id, as the console links to it.
  const typicalAddr = hostAddr[HOSTS / 2]!;
  const typical = (await store.events.hosts({ search: typicalAddr, limit: 10 })).find((h) => h.address === typicalAddr);
  if (typical === undefined) throw new Error(`host ${typicalAddr} not found`);
  const popular = names[0]!;
  const rare = names[NAMES - 1]!;

  const search = (a: Access, s: QuerySearch) => async (): Promise<{ rows: number }> => ({ rows: (await net.queries(a, s)).items.length });
  console.log(`\nsearches (first page of ${PAGE}, ${RUNS} runs after a warm-up; now = end of the data)`);
  const cases: Array<[string, Access, QuerySearch]> = [
    ['no filter, last 24 h', admin, { from: NOW - DAY }],
    ['no filter, 7 days', admin, { from: NOW - 7 * DAY }],
    ['no filter, no range (all time)', admin, {}],
    [`unit ${districtIds[0]} (30 schools), last 24 h`, admin, { unit: districtIds[0]!, from: NOW - DAY }],
    [`unit viewer of ${viewerRoot}, no filter`, viewer, {}],
    [`one host #${typical.id} (${typicalAddr}), all time`, admin, { host: typical.id }],
    [`name suffix, popular (${popular}), all time`, admin, { name: popular }],
    [`name suffix, rare (${rare}), all time`, admin, { name: rare }],
    [`name suffix, rare, last 24 h`, admin, { name: rare, from: NOW - DAY }],
    ['blocked only, all time', admin, { outcome: ['blocked'] }],
    ['category mining-pool, all time', admin, { category: 'mining-pool' }],
    [`unit ${districtIds[2]} + blocked + 7 days`, admin, { unit: districtIds[2]!, outcome: ['blocked'], from: NOW - 7 * DAY }],
  ];
  for (const [label, a, s] of cases) report(label, await timeIt(search(a, { ...s, limit: PAGE })));

  // ---- deep paging: follow `next` 200 pages from the newest, no filter ----
  console.log(`\ndeep paging: following next ${DEEP} pages from the newest (no filter)`);
  const pageTimes: number[] = [];
  let cursor: string | undefined;
  let page: QueryPage | null = null;
  let pageCursor: string | undefined;
  for (let p = 1; p <= DEEP; p++) {
    pageCursor = cursor;
    const t0 = performance.now();
    page = await net.queries(admin, { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    pageTimes.push(performance.now() - t0);
    if (page.next === null) throw new Error(`no next after page ${p}`);
    cursor = page.next;
  }
  const walkMs = pageTimes.reduce((x, y) => x + y, 0);
  console.log(`  walk: ${ms(walkMs)} ms for ${DEEP} pages; page 1 ${ms(pageTimes[0]!)} ms, page ${DEEP} ${ms(pageTimes[DEEP - 1]!)} ms, ` +
    `slowest ${ms(Math.max(...pageTimes))} ms (cursor of page ${DEEP}: ${pageCursor ?? ''})`);
  const p1 = await timeIt(search(admin, { limit: PAGE }));
  report('page 1 by cursor (no filter)', p1);
  const pN = await timeIt(search(admin, { limit: PAGE, ...(pageCursor === undefined ? {} : { cursor: pageCursor }) }));
  report(`page ${DEEP} by cursor`, pN);
  const offsetQuery = { kind: 'dns' as const, to: NOW + 60_000, order: 'desc' as const, offset: (DEEP - 1) * PAGE, limit: PAGE };
  const pO = await timeIt(async () => ({ rows: (await store.events.query(offsetQuery)).length }));
  report(`page ${DEEP} by OFFSET ${fmt(offsetQuery.offset)} (peer: store.events.query)`, pO, false);
  // The two ways must give the same page.
  const byOffset = await store.events.query(offsetQuery);
  const same = page !== null && page.items.length === byOffset.length &&
    page.items.every((e, i) => e.ts === byOffset[i]!.ts && e.hostId === byOffset[i]!.hostId && (e as DnsEvent).name === (byOffset[i] as DnsEvent).name);
  console.log(`  page ${DEEP}: cursor / offset = ${(pN.median / pO.median).toFixed(2)} (medians); same rows both ways: ${same ? 'yes' : 'NO'}; ` +
    `page ${DEEP} / page 1 by cursor = ${(pN.median / p1.median).toFixed(2)}`);
  table.push([`  ratio page ${DEEP}: cursor / OFFSET (medians)`, (pN.median / pO.median).toFixed(2), '', '', '']);
  table.push([`  ratio cursor: page ${DEEP} / page 1 (medians)`, (pN.median / p1.median).toFixed(2), '', '', '']);
  table.push([`  walk of ${DEEP} pages by next (total ms)`, ms(walkMs), '', fmt(DEEP * PAGE), '']);

  await store.close();
} finally {
  if (opt.keep || REUSE) console.log(`\ndata directory kept: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

// ---- report -----------------------------------------------------------------------------------------

const cpu = cpus()[0]?.model ?? 'unknown cpu';
const load = loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`\nmachine: ${availableParallelism()} cores (${cpu}); load average at the end ${load} (before the run ${LOAD0}); ` +
  `node ${process.version}; DuckDB memory limit ${MEMORY_LIMIT}, 2 threads`);
console.log(`N = ${fmt(TOTAL)} dns events over 7 days${REUSE ? ' (reused data directory)' : ''}; fill ${(fillMs / 1000).toFixed(1)} s; compaction ${(compactMs / 1000).toFixed(1)} s; ` +
  `bytes on disk ${fmt(bytes)} (${(bytes / TOTAL).toFixed(1)}/event; used ${fmt(usedBytes)})`);
console.log(`target: each search ≤ ${TARGET_MS} ms at 20M rows (verdict on p95; "median only" when just the median is within)\n`);
const heads: [string, string, string, string, string] = ['search', 'median ms', 'p95 ms', 'rows', 'target'];
const widths = heads.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
const line = (r: string[]): string => r.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
console.log(line(heads));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of table) console.log(line(r));
