/**
 * The composition root: builds the running parts from config, in one place, for every command.
 * Commands take what they need and close it when done.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { openStore, type Store } from '../store/index.ts';
import { FeedFetcher, FeedManager, IntelEngine, PopularityGuard, decayPolicy, normalizeValue } from '../intel/index.ts';
import { IncidentEngine } from '../incidents/index.ts';
import { MinewardenError } from '../core/errors.ts';
import { OrgService } from '../org/index.ts';
import { AuditLog, AuthService } from '../auth/index.ts';
import { PolicyService, type PolicyAuditEntry } from '../policy/index.ts';
import { EventMaintenance, EventSink, retentionPolicy } from '../events/index.ts';
import { LiveHub } from '../services/index.ts';
import { configFrom } from './context.ts';
import { internalTest, type SensorContext, type SensorRuntime } from '../sensors/index.ts';

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  engine: IntelEngine;
  fetcher: FeedFetcher;
  feeds: FeedManager;
  /** The organisation tree and address → unit, loaded from the store. */
  org: OrgService;
  /** Where every producer records events (unit mapping, batching to the writer). */
  sink: EventSink;
  /** Roll-ups and retention on schedule (started by `serve`). */
  maintenance: EventMaintenance;
  /** Alerts folded into incidents, and the analyst workflow. */
  incidents: IncidentEngine;
  /** Users, sessions, API tokens, TOTP, lock-out and role settings. */
  auth: AuthService;
  /** The audit log every change is recorded in. */
  audit: AuditLog;
  /** Centrally issued DNS policies: versions, groups, what gateways applied (policy-apply.ts). */
  policy: PolicyService;
  /** Live updates for the console: blocks and incidents as they happen. */
  live: LiveHub;
  /** The sensors `serve` runs (null in one-shot commands). */
  sensors: SensorRuntime | null;
  /** What a sensor needs of this process: the sink, "ours" by unit networks, the log. */
  sensorContext(): SensorContext;
  close(): Promise<void>;
}

/** Where an operation runs: on the running server (through the control socket) or on the data directory. */
export type Where = 'server' | 'local';

export interface OpenAppOptions {
  /** `serve`: the event writer gets a thread of its own (config events.writer). */
  serving?: boolean;
  /** Where policy changes are recorded (before/after). */
  audit?: (e: PolicyAuditEntry) => Promise<void>;
}

function buildGuard(config: Config): PopularityGuard | null {
  const g = config.intel.guard;
  if (!g.enabled) return null;
  const extra = [...g.popular];
  if (g.topSitesFile !== undefined) {
    // A Tranco-style list: one domain per line, or `rank,domain`.
    for (const line of readFileSync(g.topSitesFile, 'utf8').split('\n')) {
      const d = line.split(',').pop()?.trim();
      if (d && !d.startsWith('#')) extra.push(d);
    }
  }
  return PopularityGuard.withBuiltInList(extra);
}

export async function openApp(config: Config, log: Logger = createLogger(config.log), opts: OpenAppOptions = {}): Promise<App> {
  const store = await openStore(config, {
    eventWriter: opts.serving === true ? config.events.writer : 'thread',
    log: (level, msg) => log[level](msg),
  });
  let org: OrgService;
  try {
    org = await OrgService.load(store.org);
  } catch (e) {
    await store.close();
    throw e;
  }
  if (org.loadError !== null) log.warn(org.loadError);
  const engine = new IntelEngine({
    store: store.intel,
    log,
    decay: decayPolicy(config.intel.decay),
    guard: buildGuard(config),
    snapshotPath: join(config.dataDir, 'intel', 'matcher.snapshot'),
  });
  const fetcher = new FeedFetcher({ cacheDir: join(config.dataDir, 'feeds') });
  const feeds = new FeedManager(engine, fetcher, config.intel.feeds, log);
  const sink = new EventSink(store.events, org, { flushMs: config.events.flushInterval * 1000 });
  const maintenance = new EventMaintenance(store.events, log, {
    rollupMs: config.events.rollupInterval * 1000,
    retentionMs: config.events.retentionInterval * 1000,
    policy: retentionPolicy(config.events.retention),
  });
  const audit = new AuditLog(store.auth);
  const auth = new AuthService({ store: store.auth, config: config.api, audit, unitExists: (id) => org.tree().get(id) !== undefined });
  const live = new LiveHub();
  const incidents = new IncidentEngine({
    store: store.incidents,
    onSaved: (saved) => {
      for (const { timeline: _t, notes: _n, ...summary } of saved) live.incident(summary);
    },
    // A unit the tree no longer has is its own lineage (the campaign's common unit may then be null).
    // Root first, as fold.ts's commonUnit expects.
    lineage: (unit) => (org.tree().get(unit) === undefined ? [unit] : org.tree().path(unit).map((u) => u.id)),
    allow: async (indicator, comment) => {
      const n = normalizeValue(indicator);
      if (!n.ok) throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot allowlist ${indicator}: ${n.error}`);
      await engine.addAllow({ type: n.type, value: n.value, comment, addedAt: engine.now() });
    },
  });
  const policy = new PolicyService({
    store: store.policy,
    unitExists: (id) => org.tree().get(id) !== undefined,
    // Nearest first (tree.path runs from the root down).
    lineage: (unit) => (org.tree().get(unit) === undefined ? [unit] : org.tree().path(unit).map((u) => u.id).reverse()),
    base: config.dns.policy,
    // Every policy change goes into the one audit log (before and after documents).
    audit: opts.audit ?? (async (e) => {
      await audit.record(e.actor, e.action, e.target, e.before, e.after);
    }),
  });
  return {
    config, log, store, engine, fetcher, feeds, org, sink, maintenance, incidents, auth, audit, policy, live, sensors: null,
    sensorContext: () => ({ output: sink, isInternal: internalTest((ip, site) => org.resolve(ip, site), config.sensors.internal), log }),
    async close(): Promise<void> {
      await feeds.stop();
      await maintenance.stop();
      await sink.close();
      await store.close();
    },
  };
}

/** Runs a one-shot command with the app open, and closes it however the command ends. */
export async function withApp<T>(cmd: Command, fn: (app: App) => T | Promise<T>): Promise<T> {
  const config = configFrom(cmd);
  // One-shot commands log warnings only, so their own output stays readable.
  const log = createLogger({ ...config.log, level: config.log.level === 'info' ? 'warn' : config.log.level });
  const app = await openApp(config, log);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
