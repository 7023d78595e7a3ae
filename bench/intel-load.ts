/**
 * End-to-end load figures for threat intelligence, as a user meets them:
 *  1. a 1,000,000-domain feed file imported (parse, normalise, guard, store, matcher build);
 *  2. a restart: the stored set read back and the matcher ready to match.
 * Prints wall time, process RSS and heap after each, against the targets.
 *
 *   node --expose-gc --import tsx bench/intel-load.ts [COUNT]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/log.ts';
import { openStore } from '../src/store/index.ts';
import { IntelEngine, PopularityGuard, decayPolicy } from '../src/intel/index.ts';

const COUNT = Number(process.argv[2] ?? 1_000_000);

if (process.argv[2] === '--restart') {
  await restart(process.argv[3] ?? '');
  process.exit(0);
}

/** Child mode: open the data directory and time how long until the matcher is ready. */
async function restart(dataDir: string): Promise<void> {
  const out = (a: string, b: string, c: string): void => void process.stdout.write(`${JSON.stringify([a, b, c])}\n`);
  const rssBefore = process.memoryUsage().rss;
  for (const fromSnapshot of [true, false]) {
    const snapshotPath = join(dataDir, 'intel', 'matcher.snapshot');
    if (!fromSnapshot) rmSync(snapshotPath, { force: true });
    const t0 = performance.now();
    const store = await openStore({ dataDir, store: { kind: 'embedded', memoryLimit: '512MB' } });
    const engine = new IntelEngine({ store: store.intel, log: silentLogger(), decay: decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} }), guard: PopularityGuard.withBuiltInList(), snapshotPath });
    await engine.start({ seed: false });
    const t1 = performance.now();
    gc();
    const how = fromSnapshot ? 'from the snapshot' : 'scanning the store (no snapshot)';
    const ms = t1 - t0;
    out(`restart ${how}: ${engine.matcher.size.toLocaleString('en')} indicators ready`, `${(ms / 1000).toFixed(2)} s`, ms <= 3000 ? 'target ≤ 3 s: met' : 'target ≤ 3 s: MISSED');
    const rss = process.memoryUsage().rss;
    out(`  process RSS (fresh process, incl. DuckDB)`, mb(rss), fromSnapshot ? (rss <= 150 * 1048576 ? 'gateway target of issue 4 (≤ 150 MB): met' : 'gateway target of issue 4 (≤ 150 MB): not yet') : '');
    const m = process.memoryUsage();
    out('  V8 heap used + external', mb(m.heapUsed + m.external), `RSS before open: ${mb(rssBefore)}`);
    await store.close();
  }
}
const TLDS = ['com', 'net', 'org', 'ru', 'cn', 'io', 'xyz', 'top', 'info', 'de', 'co.uk', 'com.br'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function label(r: () => number): string {
  const n = 4 + Math.floor(r() * 10);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(r() * 26));
  return s;
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(0)} MB`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const r = rng(42);
const names = new Set<string>();
while (names.size < COUNT) {
  const depth = 1 + Math.floor(r() * 2);
  const parts = [];
  for (let i = 0; i < depth; i++) parts.push(label(r));
  names.add(`${parts.join('.')}.${TLDS[Math.floor(r() * TLDS.length)]}`);
}
const text = [...names].join('\n');
names.clear();
const dir = mkdtempSync(join(tmpdir(), 'mw-bench-'));
const config = { dataDir: dir, store: { kind: 'embedded' as const, memoryLimit: '512MB' } };
const decay = decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} });
const rows: Array<[string, string, string]> = [];

{
  const store = await openStore(config);
  const engine = new IntelEngine({ store: store.intel, log: silentLogger(), decay, guard: PopularityGuard.withBuiltInList(), snapshotPath: join(dir, 'intel', 'matcher.snapshot') });
  await engine.start({ seed: false });
  const t0 = performance.now();
  const report = await engine.importText({ text, source: 'bench', format: 'plain', category: 'mining-pool', confidence: 80 });
  const t1 = performance.now();
  gc();
  rows.push([`import ${COUNT.toLocaleString()} domains (parse+normalise+guard+store+build)`, `${((t1 - t0) / 1000).toFixed(2)} s`, 'info']);
  rows.push(['  stored / held / rejected', `${report.stored} / ${report.held} / ${report.rejected}`, '']);
  rows.push(['  process RSS after import', mb(process.memoryUsage().rss), '']);
  await store.close();
}
gc();
// The restart runs in a fresh process, as `minewarden serve` would, so its RSS is honest.
{
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--restart', dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`restart run failed: ${child.stderr}`);
  for (const line of child.stdout.trim().split('\n')) rows.push(JSON.parse(line) as [string, string, string]);
}
rmSync(dir, { recursive: true, force: true });
const w = Math.max(...rows.map((x) => x[0].length));
console.log(`intel load benchmark — node ${process.version}`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(12)}  ${c}`);
