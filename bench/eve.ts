/**
 * Benchmark of the Suricata EVE reader (src/sensors/eve) against the issue's target of
 * ≥ 300,000 flow records per second per core (parse + mapping + record):
 *
 * 1. In memory: N generated flow lines (default 1M, shaped like Suricata 8's, IPs, ports and
 *    counters varied) through mapEveLine into a counting EventOutput, with the fast path and,
 *    as its peer, JSON.parse only; and the same lines as bytes of one buffer through mapEveBytes
 *    (what EveSensor does with the line reader's bytes mode). Best of 3 runs each.
 * 2. End to end: the same lines written to a temporary eve.json and read by EveSensor (file
 *    reading through src/sensors/files, pacing, health counters), into the memory store (DuckDB
 *    appends on this thread) and into a file-backed store in a temporary directory whose writer
 *    runs in its worker thread (as `serve` opens it, events.writer: 'worker'). For the latter the
 *    figure per core is the main (producer) thread's: wall time × event-loop utilisation, since
 *    process.cpuUsage() also counts the writer thread.
 *
 *   node --import tsx bench/eve.ts [--lines N]
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MinewardenEvent } from '../src/model/events.ts';
import { isInternalDefault } from '../src/sensors/net.ts';
import { EveSensor, mapEveLine, type EveMapContext, type EveSink } from '../src/sensors/eve/index.ts';
import { mapEveBytes } from '../src/sensors/eve/map.ts';
import type { EventOutput } from '../src/sensors/types.ts';
import { EventSink, type BatchWriter } from '../src/events/sink.ts';
import { OrgService } from '../src/org/index.ts';
import { openMemoryStore, openStore, type Store } from '../src/store/index.ts';

const { values: opt } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const N = Number(opt.lines);
if (!Number.isInteger(N) || N < 1000) throw new Error('--lines must be an integer ≥ 1000');

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeLines(n: number): string[] {
  const r = rng(42);
  const out: string[] = new Array<string>(n);
  const t0 = Date.UTC(2025, 0, 6);
  for (let i = 0; i < n; i++) {
    const start = new Date(t0 + Math.floor(r() * 86_400_000));
    const end = new Date(start.getTime() + Math.floor(r() * 60_000));
    const fmt = (d: Date) => d.toISOString().replace('Z', `${String(Math.floor(r() * 1000)).padStart(3, '0')}+0000`);
    const tcp = r() < 0.7;
    const src = `10.${(r() * 256) | 0}.${(r() * 256) | 0}.${(r() * 256) | 0}`;
    const dst = `${(r() * 223 + 1) | 0}.${(r() * 256) | 0}.${(r() * 256) | 0}.${(r() * 256) | 0}`;
    const ps = (r() * 60000 + 1024) | 0;
    const pd = tcp ? [443, 80, 3333, 14444, 5222][(r() * 5) | 0]! : 53;
    const a = (r() * 50) | 0, b = (r() * 50) | 0, ba = a * 90 + 60, bb = b * 700;
    out[i] =
      `{"timestamp":"${fmt(end)}","flow_id":${Math.floor(r() * 2 ** 50)},"event_type":"flow","src_ip":"${src}","src_port":${ps},"dest_ip":"${dst}","dest_port":${pd},"ip_v":4,"proto":"${tcp ? 'TCP' : 'UDP'}","app_proto":"${tcp ? 'tls' : 'dns'}",` +
      `"flow":{"pkts_toserver":${a},"pkts_toclient":${b},"bytes_toserver":${ba},"bytes_toclient":${bb},"start":"${fmt(start)}","end":"${fmt(end)}","age":${(r() * 60) | 0},"state":"closed","reason":"timeout","alerted":false},"community_id":"1:1Rn1o+DpFQURNXiRl9I2aa61Nlk="` +
      (tcp ? `,"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed","ts_max_regions":1,"tc_max_regions":1}}` : '}');
  }
  return out;
}

class Counting implements EventOutput {
  n = 0;
  bytes = 0;
  record(ev: MinewardenEvent): boolean {
    this.n++;
    if (ev.kind === 'flow') this.bytes += ev.bytesOut;
    return true;
  }
  noteHostName(): void {}
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

/** A writer that drops batches: what is left is the sink's cost on the producer's thread. */
const dropping: BatchWriter = { write: () => true, noteHostNames: () => {}, flush: () => Promise.resolve(), status: () => ({ pending: 0 }) };

async function withOrg(store: Store): Promise<{ store: Store; org: OrgService }> {
  const org = await OrgService.load(store.org);
  const unit = (id: string, parentId: string | null, cidrs: string[]) => ({ id, name: id, parentId, cidrs, site: '', egress: [], contacts: [] });
  await org.replace([unit('centre', null, ['10.0.0.0/8']), unit('east', 'centre', ['10.1.0.0/16', '10.2.0.0/16']), unit('lab', 'east', ['10.1.7.0/24']), unit('west', 'centre', ['10.128.0.0/9'])]);
  return { store, org };
}

/** The lines as one buffer with each line's byte range, as the line reader's bytes mode gives them. */
interface Bytes {
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
}

function toBytes(lines: string[]): Bytes {
  // Written line by line: joined, 1M lines would pass V8's longest string.
  const buf = Buffer.allocUnsafe(lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0));
  const starts = new Int32Array(lines.length);
  const ends = new Int32Array(lines.length);
  let p = 0;
  for (let i = 0; i < lines.length; i++) {
    starts[i] = p;
    p += buf.write(lines[i]!, p);
    ends[i] = p;
    buf[p++] = 10;
  }
  return { buf, starts, ends };
}

function inMemory(lines: string[] | Bytes, fast: boolean, out: EventOutput = new Counting()): { rate: number; events: number } {
  const ctx: EveMapContext = { isInternal: isInternalDefault, source: 'bench', fast };
  let bad = 0;
  const sink: EveSink = { event: (ev) => void out.record(ev), file: () => {}, skip: () => {}, bad: () => void bad++ };
  // CPU time of this thread's process, not wall time: the figure is per core, and shared machines
  // (CI, a busy laptop) would otherwise measure the neighbours.
  const t = process.cpuUsage();
  let n: number;
  if (Array.isArray(lines)) {
    for (const l of lines) mapEveLine(l, ctx, sink);
    n = lines.length;
  } else {
    const { buf, starts, ends } = lines;
    n = starts.length;
    for (let i = 0; i < n; i++) mapEveBytes(buf, starts[i]!, ends[i]!, ctx, sink);
  }
  const u = process.cpuUsage(t);
  const s = (u.user + u.system) / 1e6;
  if (bad !== 0) throw new Error(`${bad} bad lines`);
  return { rate: n / s, events: n };
}

interface EndToEnd {
  /** Records per second of wall time. */
  wall: number;
  /** Records per second of main-thread busy time (wall × event-loop utilisation). */
  main: number;
}

async function endToEnd(lines: string[], into?: EventSink): Promise<EndToEnd> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-bench-eve-'));
  try {
    const file = join(dir, 'eve.json');
    const fd = openSync(file, 'w');
    for (let i = 0; i < lines.length; i += 10_000) writeSync(fd, lines.slice(i, i + 10_000).join('\n') + '\n');
    closeSync(fd);
    const out = into ?? new Counting();
    const sensor = new EveSensor({ paths: [file] }, out);
    const elu = performance.eventLoopUtilization();
    const t = performance.now();
    const c = process.cpuUsage();
    await sensor.start();
    await sensor.done;
    if (into !== undefined) await into.flush();
    const s = (performance.now() - t) / 1000;
    const util = performance.eventLoopUtilization(elu).utilization;
    const u = process.cpuUsage(c);
    console.log(
      `  (wall ${k(lines.length / s)}; main-thread event-loop utilisation ${(util * 100).toFixed(0)}% → ${k(lines.length / (s * util))} of main-thread time; ` +
        `${k(lines.length / ((u.user + u.system) / 1e6))} of process CPU)`,
    );
    await sensor.stop();
    if (into !== undefined && into.status().recorded !== lines.length) throw new Error(`end to end: ${into.status().recorded} recorded`);
    if (into === undefined && (out as Counting).n !== lines.length) throw new Error(`end to end: ${(out as Counting).n} events of ${lines.length}`);
    return { wall: lines.length / s, main: lines.length / (s * util) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const k = (x: number) => `${Math.round(x).toLocaleString('en-US')}/s`;
console.log(`generating ${N.toLocaleString('en-US')} EVE flow lines …`);
const lines = makeLines(N);
console.log(`average line ${Math.round(lines.reduce((a, l) => a + l.length, 0) / N)} bytes; node ${process.version}`);
const { store, org } = await withOrg(await openMemoryStore());
const target = (x: number) => `${k(x)} (target 300,000/s ${x >= 300_000 ? 'met' : 'NOT met'})`;
const bytes = toBytes(lines);
const best = { fast: 0, json: 0, sinkFast: 0, sinkJson: 0, bytes: 0, sinkBytes: 0 };
for (let run = 0; run < 3; run++) {
  const f = inMemory(lines, true).rate;
  const j = inMemory(lines, false).rate;
  // Counted through the sink's own status: record() into a real EventSink whose batches are dropped.
  const sf = inMemory(lines, true, new EventSink(dropping, org)).rate;
  const sj = inMemory(lines, false, new EventSink(dropping, org)).rate;
  const b = inMemory(bytes, true).rate;
  const sb = inMemory(bytes, true, new EventSink(dropping, org)).rate;
  best.fast = Math.max(best.fast, f); best.json = Math.max(best.json, j); best.sinkFast = Math.max(best.sinkFast, sf); best.sinkJson = Math.max(best.sinkJson, sj);
  best.bytes = Math.max(best.bytes, b); best.sinkBytes = Math.max(best.sinkBytes, sb);
  console.log(`  run ${run + 1}: parse+map fast ${k(f)} JSON.parse ${k(j)} bytes ${k(b)}; +EventSink.record fast ${k(sf)} JSON.parse ${k(sj)} bytes ${k(sb)}`);
}
console.log(`parse+map (best of 3, CPU):                fast path ${target(best.fast)}, JSON.parse ${k(best.json)}`);
console.log(`parse+map+EventSink.record (batches dropped): fast path ${target(best.sinkFast)}, JSON.parse ${k(best.sinkJson)}`);
console.log(`from bytes (mapEveBytes, no string per line): parse+map ${target(best.bytes)}; +EventSink.record ${target(best.sinkBytes)}`);
const mib = Math.round(lines.reduce((a, l) => a + l.length + 1, 0) / 2 ** 20);
let e2e = 0;
for (let run = 0; run < 3; run++) {
  const sink = new EventSink(store.events, org);
  e2e = Math.max(e2e, (await endToEnd(lines, sink)).wall);
  await sink.close();
}
console.log(`end to end (EveSensor reading a ${mib} MiB eve.json → EventSink → memory store, writer on this thread, wall, best of 3): ${target(e2e)}`);
await store.close();

// As `serve` runs it: a file-backed store whose writer has a thread of its own.
const dataDir = mkdtempSync(join(tmpdir(), 'mw-bench-eve-store-'));
try {
  const fileStore = await openStore({ dataDir, store: { kind: 'embedded', memoryLimit: '512MB' } }, { eventWriter: 'worker' });
  try {
    const { org: fileOrg } = await withOrg(fileStore);
    const bestW = { wall: 0, main: 0 };
    for (let run = 0; run < 3; run++) {
      const sink = new EventSink(fileStore.events, fileOrg);
      const r = await endToEnd(lines, sink);
      await sink.close();
      bestW.wall = Math.max(bestW.wall, r.wall);
      bestW.main = Math.max(bestW.main, r.main);
    }
    console.log(`end to end (… → EventSink → file store, writer in its worker thread, best of 3): main thread ${target(bestW.main)}; wall ${k(bestW.wall)}`);
  } finally {
    await fileStore.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
