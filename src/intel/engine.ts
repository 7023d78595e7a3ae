/**
 * The threat-intelligence engine: owns the current matcher snapshot and swaps it atomically when
 * the indicator set changes. Lookups read one reference, so they never pause for a reload;
 * matchers are built in a worker thread (see matcher/worker-build.ts), from the same encoded
 * buffers that are written as the snapshot file.
 */
import type { Logger } from '../core/log.ts';
import { MinewardenError } from '../core/errors.ts';
import { nowSeconds } from '../core/time.ts';
import type { AllowEntry, FeedFormat, IndicatorCore, IndicatorType } from '../model/indicator.ts';
import type { IntelStore, MatchableIndicator } from '../store/index.ts';
import { type DecayPolicy, expiresAt } from './decay.ts';
import { prepareImport, type ImportDefaults, type PreparedImport } from './import.ts';
import { IntelMatcher, IntelMatcherBuilder, buildInWorker, type MatcherEntryInput, type MatcherParts } from './matcher/index.ts';
import { resolveParser } from './formats.ts';
import type { PopularityGuard } from './guard.ts';
import type { ParseItem } from './parsers/types.ts';
import { SEED_POOLS, SEED_SOURCE } from './seed/index.ts';
import { SnapshotWriter, readSnapshotFile, writeSnapshot } from './snapshot.ts';

export interface EngineOptions {
  store: IntelStore;
  log: Logger;
  decay: DecayPolicy;
  guard: PopularityGuard | null;
  /** Sources whose indicators do not decay (the curated seed). */
  nonDecayingSources?: ReadonlySet<string>;
  /** Where the matchable set is cached for a fast start (none: always scan the store). */
  snapshotPath?: string;
  clock?: () => number;
}

export interface ImportRequest {
  /** The feed's text, or several documents of one source (a MISP feed's events). */
  text: string | readonly string[];
  source: string;
  format?: FeedFormat;
  fileName?: string;
  category?: string;
  family?: string;
  confidence?: number;
  onProgress?: (line: number) => void;
  /** Called when parsing is done and the set goes to the store (a step without line progress). */
  onStore?: (indicators: number) => void;
  /** Swap in a new matcher afterwards (default true; one-shot CLI imports skip it). */
  rebuild?: boolean;
}

export interface ImportReport extends Omit<PreparedImport, 'indicators'> {
  source: string;
  /** Usable indicators the source now holds (active + held). */
  stored: number;
  added: number;
  removed: number;
}

export interface Hit extends IndicatorCore {
  id: number;
  how: string;
}

/**
 * Rows per scan batch. Each batch is read and turned into entries in one synchronous step, outside
 * the encoder's time slices: 50,000 rows made 33–38 ms gaps in a concurrent lookup loop during a
 * 1M reload (bench/intel-reload.ts); 1,024 keeps a step well under a millisecond.
 */
const SCAN_BATCH = 1024;

function toEntry(m: MatchableIndicator, ref: number, decay: DecayPolicy, nonDecaying: ReadonlySet<string>): MatcherEntryInput {
  return {
    type: m.type,
    value: m.value,
    category: m.category,
    family: m.family,
    source: m.source,
    confidence: m.confidence,
    expiresAt: expiresAt(decay, m.type, m.confidence, m.lastSeen, m.validUntil, !nonDecaying.has(m.source)),
    ref,
  };
}

export class IntelEngine {
  private current: IntelMatcher = IntelMatcher.empty();
  private allow: IntelMatcher = IntelMatcher.empty();
  private allowEntries: AllowEntry[] = [];
  private released = new Set<string>();
  private rebuilding: Promise<void> | null = null;
  private rebuildAgain = false;
  readonly store: IntelStore;
  readonly decay: DecayPolicy;
  private readonly log: Logger;
  private readonly guard: PopularityGuard | null;
  private readonly nonDecaying: ReadonlySet<string>;
  private readonly clock: () => number;
  private readonly snapshotPath: string | undefined;
  private sharedNow: { matcher: MatcherParts; allow: MatcherParts; generation: number } | null = null;
  /** Bumped at every swap; lets callers notice a reload. */
  generation = 0;

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.decay = opts.decay;
    this.guard = opts.guard;
    this.nonDecaying = opts.nonDecayingSources ?? new Set([SEED_SOURCE]);
    this.clock = opts.clock ?? nowSeconds;
    this.snapshotPath = opts.snapshotPath;
  }

  /** What, besides the rows, decides each entry's expiry: a snapshot built under another policy is stale. */
  private policyKey(): string {
    return JSON.stringify({ decay: this.decay, nonDecaying: [...this.nonDecaying].sort() });
  }

  /** The current snapshot. Hold it for a batch of lookups; it never changes under you. */
  get matcher(): IntelMatcher {
    return this.current;
  }

  /**
   * The current matcher and allowlist in shared memory, for DNS worker threads. The engine itself
   * switches to the shared copies (same entries, same answers), so the unshared arrays become
   * garbage instead of being held twice.
   */
  shared(): { matcher: MatcherParts; allow: MatcherParts; generation: number } {
    if (this.sharedNow?.generation !== this.generation) {
      const matcher = this.current.sharedParts();
      const allow = this.allow.sharedParts();
      this.current = new IntelMatcher(matcher);
      this.allow = new IntelMatcher(allow);
      this.sharedNow = { matcher, allow, generation: this.generation };
    }
    return this.sharedNow;
  }

  get allowMatcher(): IntelMatcher {
    return this.allow;
  }

  now(): number {
    return this.clock();
  }

  /** Loads the allowlist, review decisions and the stored set; imports the seed when asked. */
  async start(opts: { seed: boolean }): Promise<void> {
    await this.prepare();
    if (opts.seed) await this.importSeed();
    else await this.store.deleteSource(SEED_SOURCE);
    if (!(await this.loadSnapshot())) await this.rebuild();
  }

  /** Builds the matcher from the snapshot on disk when it is current; false when it is not. */
  private async loadSnapshot(): Promise<boolean> {
    if (this.snapshotPath === undefined) return false;
    const started = performance.now();
    const snap = await readSnapshotFile(this.snapshotPath, { revision: await this.store.revision(), policy: this.policyKey() });
    if (snap === null) return false;
    const next = await this.build([snap.buffer]);
    if (next.size === 0 && snap.count > 0) return false;
    this.current = next;
    this.generation++;
    this.log.info({ component: 'intel', indicators: next.size, ms: Math.round(performance.now() - started), from: 'snapshot' }, 'matcher ready');
    return true;
  }

  /** Loads the allowlist and review decisions, without building a matcher (one-shot commands). */
  async prepare(): Promise<void> {
    await this.reloadAllowlist();
    this.released = new Set((await this.store.releasedValues()).map((r) => `${r.type}|${r.value}`));
  }

  /** The built-in pool list, stored as its own source so that lookups can name it. */
  private async importSeed(): Promise<void> {
    // Unchanged seed: leave the store (and its revision, hence the snapshot) alone.
    const stored = await this.store.query({ source: SEED_SOURCE, limit: 10_000 });
    const want = new Map(SEED_POOLS.map((p) => [p.value, p]));
    if (stored.length === want.size && stored.every((r) => want.get(r.value)?.category === r.category && want.get(r.value)?.family === r.family)) return;
    const text = SEED_POOLS.map((p) => p.value).join('\n');
    const byValue = new Map(SEED_POOLS.map((p) => [p.value, p]));
    const prepared = await prepareImport(resolveParser('plain', '').parse(text), {
      format: 'plain',
      defaults: { source: SEED_SOURCE, category: 'mining-pool', family: '', confidence: 90 },
      guard: this.guard,
      released: this.released,
      now: this.clock(),
    });
    for (const rec of prepared.indicators) {
      const seed = byValue.get(rec.value);
      if (seed) {
        rec.category = seed.category;
        rec.family = seed.family;
        rec.reference = seed.source;
      }
    }
    await this.store.replaceSource(SEED_SOURCE, prepared.indicators, this.clock());
  }

  /**
   * Parses, normalises, guards and stores one source's text, replacing what it held, then swaps
   * in a new matcher. A text that yields no usable indicator changes nothing and throws, so an
   * empty or broken download never empties the loaded set.
   */
  async importText(req: ImportRequest): Promise<ImportReport> {
    const texts = typeof req.text === 'string' ? [req.text] : req.text;
    const parser = resolveParser(req.format ?? 'auto', req.fileName ?? '', texts[0] ?? '');
    function* items(): Generator<ParseItem> {
      for (const t of texts) yield* parser.parse(t);
    }
    const defaults: ImportDefaults = {
      source: req.source,
      category: req.category ?? 'malware',
      family: req.family ?? '',
      confidence: req.confidence ?? 70,
    };
    const now = this.clock();
    const prepared = await prepareImport(items(), {
      format: parser.format,
      defaults,
      guard: this.guard,
      released: this.released,
      now,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    });
    const { indicators, ...rest } = prepared;
    if (indicators.length === 0) {
      const why = prepared.rejected > 0 ? `all ${prepared.rejected} records were rejected (first: line ${prepared.issues[0]?.line}: ${prepared.issues[0]?.error})` : 'it holds no indicator';
      throw new MinewardenError('MW_ERR_FEED', `source "${req.source}" (${parser.format}): ${why}; the previous set is kept`);
    }
    req.onStore?.(indicators.length);
    const r = await this.store.replaceSource(req.source, indicators, now);
    if (req.rebuild !== false) await this.rebuild();
    return { ...rest, source: req.source, stored: r.total, added: r.added, removed: r.removed };
  }

  async removeSource(source: string): Promise<number> {
    const n = await this.store.deleteSource(source);
    await this.rebuild();
    return n;
  }

  /**
   * Builds a new matcher from the store and swaps it in. Concurrent calls coalesce: a call made
   * while a build runs schedules exactly one more build after it.
   */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.rebuildAgain = true;
      return this.rebuilding;
    }
    const run = async (): Promise<void> => {
      do {
        this.rebuildAgain = false;
        const started = performance.now();
        const now = this.clock();
        const decay = this.decay;
        const nonDecaying = this.nonDecaying;
        const store = this.store;
        const revision = await store.revision();
        // The entries are encoded once: the buffers are both the snapshot file and the worker's input.
        const writer = new SnapshotWriter();
        let ref = 0;
        async function* batches(): AsyncIterable<MatcherEntryInput[]> {
          for await (const batch of store.scanMatchable(now, SCAN_BATCH)) yield batch.map((m) => toEntry(m, ref++, decay, nonDecaying));
        }
        // 1 ms slices: bench/intel-match.ts measured a median max lookup stall of 5.8 ms (p99 1.4 ms)
        // against 8.7 ms (p99 2.2 ms) with 2 ms slices during a 1M reload.
        await writer.addSliced(batches(), 1);
        const encoded = writer.encode({ revision, policy: this.policyKey() });
        if (this.snapshotPath !== undefined) {
          // Written before the build, which takes the buffers away (transferred to the worker).
          // A snapshot that fails to write costs only a slower next start.
          await writeSnapshot(this.snapshotPath, encoded).catch((e: unknown) => {
            this.log.warn({ component: 'intel' }, `matcher snapshot not written: ${e instanceof Error ? e.message : String(e)}`);
          });
        }
        const next = await this.build(encoded);
        this.current = next;
        this.generation++;
        this.log.info({ component: 'intel', indicators: next.size, ms: Math.round(performance.now() - started) }, 'matcher ready');
      } while (this.rebuildAgain);
    };
    this.rebuilding = run().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  /** A matcher from encoded entries (snapshot format), built in a worker; on this thread if that fails. */
  private build(encoded: Uint8Array[]): Promise<IntelMatcher> {
    return buildInWorker(encoded, {
      onFallback: (e) => this.log.warn({ component: 'intel' }, `matcher built on the main thread: ${e.message}`),
    });
  }

  async reloadAllowlist(): Promise<void> {
    this.allowEntries = await this.store.listAllow();
    const b = new IntelMatcherBuilder();
    let ref = 0;
    for (const a of this.allowEntries) {
      b.add({ type: a.type, value: a.value, category: 'allow', family: '', source: 'allowlist', confidence: 100, expiresAt: 0, ref: ref++ });
    }
    this.allow = b.build();
    this.generation++;
  }

  allowlist(): readonly AllowEntry[] {
    return this.allowEntries;
  }

  async addAllow(entry: AllowEntry): Promise<void> {
    await this.store.addAllow(entry);
    await this.reloadAllowlist();
  }

  async removeAllow(type: IndicatorType, value: string): Promise<boolean> {
    const removed = await this.store.removeAllow(type, value);
    await this.reloadAllowlist();
    return removed;
  }

  async release(type: IndicatorType, value: string): Promise<number> {
    const n = await this.store.release(type, value);
    this.released.add(`${type}|${value}`);
    if (n > 0) await this.rebuild();
    return n;
  }

  /**
   * Hot path for the DNS gateway: the indicator matching a query name (or a parent), unless the
   * name is allowlisted. Returns a matcher entry id or -1.
   */
  matchDomain(name: string, now: number): number {
    const id = this.current.matchDomain(name, now);
    if (id < 0) return -1;
    return this.allow.size > 0 && this.allow.matchDomain(name, 0) >= 0 ? -1 : id;
  }

  matchIp(ip: string, now: number): number {
    const id = this.current.matchIp(ip, now);
    if (id < 0) return -1;
    return this.allow.size > 0 && this.allow.matchIp(ip, 0) >= 0 ? -1 : id;
  }

  hit(id: number, query: string): Hit {
    const e = this.current.entry(id);
    return { id, type: e.type, value: e.value, category: e.category, family: e.family, source: e.source, confidence: e.confidence, how: this.current.how(id, query) };
  }
}
