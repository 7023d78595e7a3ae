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
import { FeedFetcher, FeedManager, IntelEngine, PopularityGuard, decayPolicy } from '../intel/index.ts';
import { OrgService } from '../org/index.ts';
import { configFrom } from './context.ts';

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  engine: IntelEngine;
  fetcher: FeedFetcher;
  feeds: FeedManager;
  /** The organisation tree and address → unit, loaded from the store. */
  org: OrgService;
  close(): Promise<void>;
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

export async function openApp(config: Config, log: Logger = createLogger(config.log)): Promise<App> {
  const store = await openStore(config);
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
  return {
    config, log, store, engine, fetcher, feeds, org,
    async close(): Promise<void> {
      await feeds.stop();
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
