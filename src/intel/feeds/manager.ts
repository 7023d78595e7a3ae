/**
 * Keeps configured feeds fresh: fetches each on its own interval (conditional GET), imports what
 * changed, and records per-feed status. A failed or empty download keeps the loaded set; when the
 * store has nothing for a feed yet (first start, new data directory) the last good copy on disk is
 * imported instead.
 */
import type { Logger } from '../../core/log.ts';
import { errorMessage } from '../../core/errors.ts';
import type { FeedStatus } from '../../model/indicator.ts';
import type { FeedConfig } from '../../config/index.ts';
import type { IntelEngine, ImportReport } from '../engine.ts';
import type { FeedFetcher } from './fetch.ts';
import { parseMispManifest } from '../parsers/index.ts';

export interface RefreshOutcome {
  feed: string;
  result: 'updated' | 'unchanged' | 'from-cache' | 'failed';
  report?: ImportReport;
  error?: string;
}

function blankStatus(f: FeedConfig): FeedStatus {
  return {
    name: f.name, source: f.url, format: f.format, entries: 0, rejectedLines: 0, heldForReview: 0,
    lastAttempt: 0, lastSuccess: 0, lastError: '', etag: '', lastModified: '',
  };
}

/** The source name under which a feed's indicators are stored. */
export function feedSource(name: string): string {
  return `feed:${name}`;
}

export class FeedManager {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly engine: IntelEngine,
    private readonly fetcher: FeedFetcher,
    private readonly feeds: readonly FeedConfig[],
    private readonly log: Logger,
  ) {}

  /** Refreshes every enabled feed now (or only `names`), one after another. */
  async refreshAll(opts: { force?: boolean; names?: string[] } = {}): Promise<RefreshOutcome[]> {
    const out: RefreshOutcome[] = [];
    for (const f of this.feeds) {
      if (!f.enabled || (opts.names && !opts.names.includes(f.name))) continue;
      out.push(await this.refresh(f, opts.force ?? false));
    }
    return out;
  }

  /** Feeds whose refresh interval has passed since their last attempt. */
  async due(now: number): Promise<FeedConfig[]> {
    const due: FeedConfig[] = [];
    for (const f of this.feeds) {
      if (!f.enabled) continue;
      const s = await this.engine.store.getFeedStatus(f.name);
      if (!s || now - s.lastAttempt >= f.refresh) due.push(f);
    }
    return due;
  }

  /**
   * A MISP feed is a manifest.json naming events that sit beside it as <uuid>.json: fetch each
   * (conditional GET, cached like any feed) and import them together as the feed's one source.
   */
  private async mispEvents(f: FeedConfig, manifest: string, force: boolean): Promise<string[] | null> {
    if (f.format !== 'misp' && f.format !== 'auto') return null;
    const uuids = parseMispManifest(manifest).slice(0, f.maxEvents);
    if (uuids.length === 0) return null;
    const base = f.url.slice(0, f.url.lastIndexOf('/') + 1);
    const texts: string[] = [];
    for (const uuid of uuids) {
      const name = `${f.name}--${uuid}`;
      const res = await this.fetcher.fetch({ name, location: `${base}${uuid}.json`, headers: f.headers }, { force });
      if (res.status === 'fresh') {
        await this.fetcher.commit(name, res.text, res.meta);
        texts.push(res.text);
      } else if (res.status === 'cached') {
        texts.push(res.text);
      } else if (res.status === 'not-modified') {
        const cached = await this.fetcher.readCached(name);
        if (cached) texts.push(cached.text);
      } else {
        this.log.warn({ component: 'feeds', feed: f.name, event: uuid }, res.error);
      }
    }
    return texts;
  }

  async refresh(f: FeedConfig, force: boolean): Promise<RefreshOutcome> {
    const now = this.engine.now();
    const status = { ...((await this.engine.store.getFeedStatus(f.name)) ?? blankStatus(f)), source: f.url, format: f.format, lastAttempt: now };
    const importText = async (text: string): Promise<ImportReport> => {
      const events = await this.mispEvents(f, text, force);
      const format = events !== null ? 'misp' : f.format;
      return this.engine.importText({ text: events ?? text, source: feedSource(f.name), format, fileName: f.url, category: f.category, family: f.family, confidence: f.confidence });
    };
    const record = (report: ImportReport): void => {
      status.entries = report.stored;
      status.rejectedLines = report.rejected;
      status.heldForReview = report.held;
    };
    let outcome: RefreshOutcome;
    const res = await this.fetcher.fetch({ name: f.name, location: f.url, headers: f.headers }, { force });
    try {
      switch (res.status) {
        case 'fresh': {
          try {
            const report = await importText(res.text);
            await this.fetcher.commit(f.name, res.text, res.meta);
            record(report);
            status.lastSuccess = now;
            status.lastError = '';
            status.etag = res.meta.etag;
            status.lastModified = res.meta.lastModified;
            outcome = { feed: f.name, result: 'updated', report };
          } catch (e) {
            status.lastError = errorMessage(e);
            outcome = { feed: f.name, result: 'failed', error: status.lastError };
          }
          break;
        }
        case 'not-modified':
          status.lastSuccess = now;
          status.lastError = '';
          outcome = { feed: f.name, result: 'unchanged' };
          break;
        case 'cached': {
          status.lastError = res.error;
          if (status.entries === 0) {
            const report = await importText(res.text);
            record(report);
            outcome = { feed: f.name, result: 'from-cache', report, error: res.error };
          } else {
            outcome = { feed: f.name, result: 'failed', error: res.error };
          }
          break;
        }
        case 'failed':
          status.lastError = res.error;
          outcome = { feed: f.name, result: 'failed', error: res.error };
          break;
      }
    } catch (e) {
      status.lastError = errorMessage(e);
      outcome = { feed: f.name, result: 'failed', error: status.lastError };
    }
    await this.engine.store.putFeedStatus(status);
    if (outcome.result === 'failed') this.log.warn({ component: 'feeds', feed: f.name }, outcome.error ?? 'refresh failed');
    else this.log.info({ component: 'feeds', feed: f.name, result: outcome.result, entries: status.entries, rejected: status.rejectedLines, held: status.heldForReview }, 'feed refreshed');
    return outcome;
  }

  /** Imports last good copies for feeds the store knows nothing of, without the network. */
  async loadCachedIfEmpty(): Promise<void> {
    for (const f of this.feeds) {
      if (!f.enabled) continue;
      const s = await this.engine.store.getFeedStatus(f.name);
      if (s && s.entries > 0) continue;
      const cached = await this.fetcher.readCached(f.name);
      if (!cached) continue;
      try {
        const events = await this.mispEvents(f, cached.text, false);
        const report = await this.engine.importText({
          text: events ?? cached.text, source: feedSource(f.name), format: events !== null ? 'misp' : f.format,
          fileName: f.url, category: f.category, family: f.family, confidence: f.confidence,
        });
        await this.engine.store.putFeedStatus({
          ...(s ?? blankStatus(f)),
          entries: report.stored, rejectedLines: report.rejected, heldForReview: report.held,
          etag: cached.meta.etag, lastModified: cached.meta.lastModified,
        });
        this.log.info({ component: 'feeds', feed: f.name }, 'loaded the last good copy from disk');
      } catch (e) {
        this.log.warn({ component: 'feeds', feed: f.name }, `last good copy unusable: ${errorMessage(e)}`);
      }
    }
  }

  /** Checks the schedule every `tickSeconds` and refreshes due feeds one at a time. */
  start(tickSeconds: number): void {
    const tick = (): void => {
      if (this.running) return;
      this.running = this.due(this.engine.now())
        .then(async (due) => {
          for (const f of due) await this.refresh(f, false);
        })
        .catch((e: unknown) => this.log.error({ component: 'feeds' }, `scheduler: ${errorMessage(e)}`))
        .finally(() => {
          this.running = null;
        });
    };
    tick();
    this.timer = setInterval(tick, tickSeconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
