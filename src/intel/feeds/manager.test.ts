/**
 * Feed refresh end to end: a real HTTP server on loopback, the real fetcher, engine and store.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.ts';
import { configSchema, type FeedConfig } from '../../config/index.ts';
import { openMemoryStore, type Store } from '../../store/index.ts';
import { decayPolicy } from '../decay.ts';
import { IntelEngine } from '../engine.ts';
import { FeedFetcher } from './fetch.ts';
import { FeedManager, feedSource } from './manager.ts';

interface Feed {
  body: string;
  status: number;
  etag: string;
  requests: Array<{ ifNoneMatch: string | undefined }>;
}

async function serve(feed: Feed): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    feed.requests.push({ ifNoneMatch: req.headers['if-none-match'] });
    if (feed.status !== 200) {
      res.writeHead(feed.status).end('down');
      return;
    }
    if (req.headers['if-none-match'] === feed.etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { ETag: feed.etag, 'Content-Type': 'text/plain' }).end(feed.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${addr.port}/pools.txt` };
}

function feedConfig(url: string): FeedConfig {
  const cfg = configSchema.parse({ intel: { feeds: [{ name: 'pools', url, category: 'mining-pool', confidence: 85, refresh: '1h' }] } });
  return cfg.intel.feeds[0] as FeedConfig;
}

describe('FeedManager', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function setup(url: string, cacheDir: string): Promise<{ engine: IntelEngine; manager: FeedManager; store: Store }> {
    const store = await openMemoryStore();
    const engine = new IntelEngine({ store: store.intel, log: silentLogger(), decay: decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} }), guard: null });
    await engine.start({ seed: false });
    const manager = new FeedManager(engine, new FeedFetcher({ cacheDir }), [feedConfig(url)], silentLogger());
    cleanup.push(async () => {
      await manager.stop();
      await store.close();
    });
    return { engine, manager, store };
  }

  it('imports, then uses conditional GET, keeps the set on failure, and records status', async () => {
    const feed: Feed = { body: 'pool-a.example\npool-b.example\nbad line here\n', status: 200, etag: '"v1"', requests: [] };
    const { server, url } = await serve(feed);
    cleanup.push(() => new Promise((r) => server.close(() => r())));
    const { engine, manager, store } = await setup(url, mkdtempSync(join(tmpdir(), 'mw-feeds-')));

    const [first] = await manager.refreshAll();
    expect(first).toMatchObject({ feed: 'pools', result: 'updated' });
    expect(engine.matchDomain('x.pool-a.example', engine.now())).toBeGreaterThanOrEqual(0);
    const hit = engine.hit(engine.matchDomain('pool-b.example', engine.now()), 'pool-b.example');
    expect(hit).toMatchObject({ category: 'mining-pool', confidence: 85, source: feedSource('pools') });
    expect(await store.intel.getFeedStatus('pools')).toMatchObject({ entries: 2, rejectedLines: 1, lastError: '', etag: '"v1"' });

    const [second] = await manager.refreshAll();
    expect(second?.result).toBe('unchanged');
    expect(feed.requests[1]?.ifNoneMatch).toBe('"v1"');

    feed.status = 503;
    const [third] = await manager.refreshAll();
    expect(third?.result).toBe('failed');
    expect(third?.error).toMatch(/503/);
    expect(engine.matchDomain('pool-a.example', engine.now())).toBeGreaterThanOrEqual(0);
    const status = await store.intel.getFeedStatus('pools');
    expect(status?.lastError).toMatch(/503/);
    expect(status?.entries).toBe(2);

    // An empty download never empties the loaded set.
    feed.status = 200;
    feed.body = '';
    feed.etag = '"v2"';
    const [fourth] = await manager.refreshAll();
    expect(fourth?.result).toBe('failed');
    expect(engine.matchDomain('pool-a.example', engine.now())).toBeGreaterThanOrEqual(0);
  });

  it('loads the last good copy from disk at start when the source is unreachable', async () => {
    const feed: Feed = { body: 'cached-pool.example\n', status: 200, etag: '"c1"', requests: [] };
    const { server, url } = await serve(feed);
    const cacheDir = mkdtempSync(join(tmpdir(), 'mw-feeds-'));
    const a = await setup(url, cacheDir);
    await a.manager.refreshAll();
    await new Promise<void>((r) => server.close(() => r()));
    // A new, empty store (e.g. a new data directory) with the same feed cache; the source is down.
    const b = await setup(url, cacheDir);
    await b.manager.loadCachedIfEmpty();
    expect(b.engine.matchDomain('cached-pool.example', b.engine.now())).toBeGreaterThanOrEqual(0);
    const [r] = await b.manager.refreshAll();
    expect(r?.result).toBe('failed');
  });

  it('knows which feeds are due', async () => {
    const { manager, engine } = await setup('http://127.0.0.1:9/none', mkdtempSync(join(tmpdir(), 'mw-feeds-')));
    expect((await manager.due(engine.now())).map((f) => f.name)).toEqual(['pools']);
    await manager.refreshAll();
    expect(await manager.due(engine.now())).toEqual([]);
    expect((await manager.due(engine.now() + 3601)).map((f) => f.name)).toEqual(['pools']);
  });
});

describe('FeedManager with a MISP feed', () => {
  it('reads manifest.json, fetches each event beside it with the feed headers, and imports to_ids attributes', async () => {
    const fixtures = new URL('../parsers/fixtures/', import.meta.url);
    const testdata = new URL('../../../../shared/testdata/intel/misp/', import.meta.url);
    const { readFileSync } = await import('node:fs');
    const files: Record<string, string> = {
      '/feed/manifest.json': readFileSync(new URL('misp-manifest.json', fixtures), 'utf8'),
      '/feed/5a3c2fcd-8328-42bb-a95e-4f4402de0b81.json': readFileSync(new URL('circl_event_5a3c2fcd_sednit.json', testdata), 'utf8'),
      '/feed/57c4445b-c548-4654-af0b-4be3950d210f.json': readFileSync(new URL('circl_event_57c4445b_xorist.json', testdata), 'utf8'),
    };
    const keys: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      keys.push(req.headers['x-api-key'] as string | undefined);
      const body = files[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    const store = await openMemoryStore();
    try {
      const engine = new IntelEngine({ store: store.intel, log: silentLogger(), decay: decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} }), guard: null });
      await engine.start({ seed: false });
      const cfg = configSchema.parse({ intel: { feeds: [{ name: 'circl', url: `http://127.0.0.1:${addr.port}/feed/manifest.json`, format: 'misp', headers: { 'X-Api-Key': 'k1' } }] } });
      const manager = new FeedManager(engine, new FeedFetcher({ cacheDir: mkdtempSync(join(tmpdir(), 'mw-feeds-')) }), cfg.intel.feeds, silentLogger());
      const [r] = await manager.refreshAll();
      expect(r?.result).toBe('updated');
      // Sednit: 19 domain, 12 IP and 37 SHA-1 attributes; Xorist: 3 hashes — all to_ids; 2 repeat a value.
      expect(r?.report?.stored).toBe(69);
      expect(r?.report?.duplicates).toBe(2);
      expect(keys.length).toBe(3);
      expect(keys.every((k) => k === 'k1')).toBe(true);
      const stats = await store.intel.stats();
      expect(stats.byType).toEqual({ domain: 18, ip: 11, sha1: 38, md5: 1, sha256: 1 });
    } finally {
      await store.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
