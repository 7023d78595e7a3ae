import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedFetcher, safeFileName } from './fetch.ts';
import type { FetchResult } from './fetch.ts';

const FEED_V1 = 'pool.supportxmr.com\nmoneroocean.stream\n';
const FEED_V2 = 'pool.supportxmr.com\nmoneroocean.stream\nnanopool.org\n';

/** What the loopback server serves on /feed.txt; tests change it between requests. */
interface FeedState {
  status: number;
  body: string;
  etag: string;
  lastModified: string;
}

interface TestServer {
  url(path: string): string;
  state: FeedState;
  /** Request headers of every request to /feed.txt, in order. */
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': String(body.length), ...headers });
  res.end(body);
}

async function startServer(): Promise<TestServer> {
  const state: FeedState = { status: 200, body: FEED_V1, etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' };
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    switch (path) {
      case '/feed.txt': {
        seen.push(req.headers);
        if (state.status !== 200) return send(res, state.status, Buffer.from('oops'));
        const validators = { etag: state.etag, 'last-modified': state.lastModified };
        const inm = req.headers['if-none-match'];
        const ims = req.headers['if-modified-since'];
        // RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
        const unchanged = inm !== undefined ? inm === state.etag : ims === state.lastModified;
        if (unchanged) {
          res.writeHead(304, validators);
          return res.end();
        }
        return send(res, 200, Buffer.from(state.body), validators);
      }
      case '/feed.txt.gz':
        return send(res, 200, gzipSync(FEED_V1), { 'content-type': 'application/gzip' });
      case '/encoded.txt':
        return send(res, 200, gzipSync(FEED_V2), { 'content-encoding': 'gzip' });
      case '/big':
        return send(res, 200, Buffer.alloc(4096, 0x61));
      case '/big-chunked': {
        // No Content-Length: the limit must hold while the body streams in.
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024, 0x62));
        return res.end();
      }
      case '/bomb.gz':
        // About 1 KB on the wire, 1 MiB decoded.
        return send(res, 200, gzipSync(Buffer.alloc(1024 * 1024)));
      case '/hang':
        return; // never answers; the client must time out
      default:
        return send(res, 404, Buffer.from('not found'));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    state,
    seen,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A loopback port with nothing listening: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

function expectStatus<S extends FetchResult['status']>(r: FetchResult, status: S): Extract<FetchResult, { status: S }> {
  expect(r.status, 'error' in r ? r.error : '').toBe(status);
  return r as Extract<FetchResult, { status: S }>;
}

let dir: string;
let srv: TestServer;
let fetcher: FeedFetcher;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-fetch-'));
  srv = await startServer();
  fetcher = new FeedFetcher({ cacheDir: join(dir, 'cache'), timeoutMs: 2000, maxBytes: 2048 });
});

afterEach(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FeedFetcher over HTTP', () => {
  it('fetches fresh, then after commit sends If-None-Match and gets not-modified', async () => {
    const src = { name: 'maltrail-mining', location: srv.url('/feed.txt') };
    const first = expectStatus(await fetcher.fetch(src), 'fresh');
    expect(first.text).toBe(FEED_V1);
    expect(first.meta).toMatchObject({ etag: '"v1"', lastModified: srv.state.lastModified, bytes: FEED_V1.length });
    expect(srv.seen[0]?.['if-none-match']).toBeUndefined();
    expect(srv.seen[0]?.['user-agent']).toBe('Minewarden feed fetcher');

    await fetcher.commit(src.name, first.text, first.meta);
    const second = expectStatus(await fetcher.fetch(src), 'not-modified');
    expect(srv.seen[1]?.['if-none-match']).toBe('"v1"');
    expect(srv.seen[1]?.['if-modified-since']).toBe(srv.state.lastModified);
    expect(second.meta.sha256).toBe(first.meta.sha256);
    expect(await fetcher.readCached(src.name)).toEqual({ text: FEED_V1, meta: second.meta });
  });

  it('returns new content as fresh when the ETag changes', async () => {
    const src = { name: 'f', location: srv.url('/feed.txt') };
    const first = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, first.text, first.meta);
    Object.assign(srv.state, { body: FEED_V2, etag: '"v2"' });
    const second = expectStatus(await fetcher.fetch(src), 'fresh');
    expect(second.text).toBe(FEED_V2);
    expect(second.meta.etag).toBe('"v2"');
  });

  it('never returns pending (uncommitted) content from readCached, and keeps the good validators', async () => {
    const src = { name: 'f', location: srv.url('/feed.txt') };
    const good = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, good.text, good.meta);
    // The source now serves garbage the engine will refuse to commit.
    Object.assign(srv.state, { body: '<html>maintenance</html>', etag: '"garbage"' });
    const garbage = expectStatus(await fetcher.fetch(src), 'fresh');
    expect(garbage.text).toContain('maintenance');
    expect((await fetcher.readCached(src.name))?.text).toBe(FEED_V1);
    // Next request still asks about the good copy, so the garbage comes back to be judged again.
    await fetcher.fetch(src);
    expect(srv.seen.at(-1)?.['if-none-match']).toBe('"v1"');
  });

  it('falls back to the last good copy with an error naming the feed, status and URL on HTTP 500', async () => {
    const src = { name: 'abuse-feodo', location: srv.url('/feed.txt') };
    const good = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, good.text, good.meta);
    srv.state.status = 500;
    const r = expectStatus(await fetcher.fetch(src), 'cached');
    expect(r.text).toBe(FEED_V1);
    expect(r.meta.sha256).toBe(good.meta.sha256);
    expect(r.error).toBe(`feed "abuse-feodo": HTTP 500 Internal Server Error from ${srv.url('/feed.txt')}`);
  });

  it('fails with no copy on disk when the first fetch gets HTTP 503', async () => {
    srv.state.status = 503;
    const r = expectStatus(await fetcher.fetch({ name: 'x', location: srv.url('/feed.txt') }), 'failed');
    expect(r.error).toMatch(/^feed "x": HTTP 503 Service Unavailable from http:\/\/127\.0\.0\.1:\d+\/feed\.txt$/);
  });

  it('reports an unreachable source as failed, or cached once a copy exists', async () => {
    const port = await closedPort();
    const src = { name: 'gone', location: `http://127.0.0.1:${port}/feed.txt` };
    const failed = expectStatus(await fetcher.fetch(src), 'failed');
    expect(failed.error).toContain(`feed "gone": cannot fetch http://127.0.0.1:${port}/feed.txt: `);
    expect(failed.error).toContain('ECONNREFUSED');

    const good = expectStatus(await fetcher.fetch({ name: 'gone', location: srv.url('/feed.txt') }), 'fresh');
    await fetcher.commit('gone', good.text, good.meta);
    const cached = expectStatus(await fetcher.fetch(src), 'cached');
    expect(cached.text).toBe(FEED_V1);
    expect(cached.error).toContain('ECONNREFUSED');
  });

  it('times out a source that never answers', async () => {
    const quick = new FeedFetcher({ cacheDir: join(dir, 'cache'), timeoutMs: 200 });
    const r = expectStatus(await quick.fetch({ name: 'slow', location: srv.url('/hang') }), 'failed');
    expect(r.error).toBe(`feed "slow": cannot fetch ${srv.url('/hang')}: timed out after 200 ms`);
  });

  it('decodes a gzip body named .gz and one sent with Content-Encoding: gzip', async () => {
    const gz = expectStatus(await fetcher.fetch({ name: 'gz', location: srv.url('/feed.txt.gz') }), 'fresh');
    expect(gz.text).toBe(FEED_V1);
    const enc = expectStatus(await fetcher.fetch({ name: 'enc', location: srv.url('/encoded.txt') }), 'fresh');
    expect(enc.text).toBe(FEED_V2);
  });

  it('rejects a body over maxBytes, declared or streamed, and a gzip bomb', async () => {
    const big = expectStatus(await fetcher.fetch({ name: 'big', location: srv.url('/big') }), 'failed');
    expect(big.error).toBe(`feed "big": body from ${srv.url('/big')} is larger than the 2048 bytes limit`);
    const chunked = expectStatus(await fetcher.fetch({ name: 'c', location: srv.url('/big-chunked') }), 'failed');
    expect(chunked.error).toContain('larger than the 2048 bytes limit');
    const bomb = expectStatus(await fetcher.fetch({ name: 'b', location: srv.url('/bomb.gz') }), 'failed');
    expect(bomb.error).toContain('decompressed body');
  });

  it('treats a 200 with unchanged content as not-modified and stores the new validators', async () => {
    const src = { name: 'f', location: srv.url('/feed.txt') };
    const good = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, good.text, good.meta);
    srv.state.etag = '"v1-regenerated"';
    const r = expectStatus(await fetcher.fetch(src), 'not-modified');
    expect(r.meta.etag).toBe('"v1-regenerated"');
    expect((await fetcher.readCached(src.name))?.meta.etag).toBe('"v1-regenerated"');
  });

  it('sends no validators and returns fresh content when forced', async () => {
    const src = { name: 'f', location: srv.url('/feed.txt') };
    const good = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, good.text, good.meta);
    const r = expectStatus(await fetcher.fetch(src, { force: true }), 'fresh');
    expect(r.text).toBe(FEED_V1);
    expect(srv.seen.at(-1)?.['if-none-match']).toBeUndefined();
    expect(srv.seen.at(-1)?.['if-modified-since']).toBeUndefined();
  });

  it('keeps API keys in the query string out of error messages', async () => {
    srv.state.status = 403;
    const r = await fetcher.fetch({ name: 'k', location: `${srv.url('/feed.txt')}?auth-key=SECRET` });
    expect(expectStatus(r, 'failed').error).toBe(`feed "k": HTTP 403 Forbidden from ${srv.url('/feed.txt')}?…`);
  });
});

describe('FeedFetcher over files', () => {
  it('reads a path, reports not-modified while the hash is unchanged, fresh when it changes', async () => {
    const path = join(dir, 'list.txt');
    await writeFile(path, FEED_V1);
    const src = { name: 'local', location: path };
    const first = expectStatus(await fetcher.fetch(src), 'fresh');
    expect(first.text).toBe(FEED_V1);
    await fetcher.commit(src.name, first.text, first.meta);
    expectStatus(await fetcher.fetch(src), 'not-modified');
    expectStatus(await fetcher.fetch(src, { force: true }), 'fresh');
    await writeFile(path, FEED_V2);
    expect(expectStatus(await fetcher.fetch(src), 'fresh').text).toBe(FEED_V2);
  });

  it('reads a file:// URL and decodes a gzip file', async () => {
    const path = join(dir, 'list.txt.gz');
    await writeFile(path, gzipSync(FEED_V2));
    const r = expectStatus(await fetcher.fetch({ name: 'gzfile', location: pathToFileURL(path).href }), 'fresh');
    expect(r.text).toBe(FEED_V2);
  });

  it('serves the last good copy when the file disappears', async () => {
    const path = join(dir, 'list.txt');
    await writeFile(path, FEED_V1);
    const good = expectStatus(await fetcher.fetch({ name: 'local', location: path }), 'fresh');
    await fetcher.commit('local', good.text, good.meta);
    await rm(path);
    const r = expectStatus(await fetcher.fetch({ name: 'local', location: path }), 'cached');
    expect(r.text).toBe(FEED_V1);
    expect(r.error).toMatch(/^feed "local": cannot read .*list\.txt: ENOENT/);
  });
});

describe('FeedFetcher cache', () => {
  it('writes <safe-name>.body and .meta.json inside cacheDir, with no temp files left', async () => {
    const name = '../Evil/feed name';
    const path = join(dir, 'list.txt');
    await writeFile(path, FEED_V1);
    const r = expectStatus(await fetcher.fetch({ name, location: path }), 'fresh');
    await fetcher.commit(name, r.text, r.meta);
    const safe = safeFileName(name);
    expect(safe).toMatch(/^[a-z0-9._-]+$/);
    expect((await readdir(join(dir, 'cache'))).sort()).toEqual([`${safe}.body`, `${safe}.meta.json`]);
    expect(await readFile(join(dir, 'cache', `${safe}.body`), 'utf8')).toBe(FEED_V1);
  });

  it('gives distinct file names to names that differ only in case or punctuation', () => {
    const names = ['feed', 'Feed', 'a/b', 'a_b', 'a:b', '.hidden'];
    expect(new Set(names.map(safeFileName)).size).toBe(names.length);
    expect(safeFileName('abuse-feodo')).toBe('abuse-feodo');
    expect(safeFileName('.hidden').startsWith('.')).toBe(false);
  });

  it('returns null from readCached before any commit', async () => {
    expect(await fetcher.readCached('never')).toBeNull();
  });

  it('refuses to commit text that does not match its meta', async () => {
    const path = join(dir, 'list.txt');
    await writeFile(path, FEED_V1);
    const r = expectStatus(await fetcher.fetch({ name: 'local', location: path }), 'fresh');
    await expect(fetcher.commit('local', FEED_V2, r.meta)).rejects.toThrow(/does not match its meta/);
    expect(await fetcher.readCached('local')).toBeNull();
  });

  it('repairs a meta that no longer matches the body by dropping its validators', async () => {
    const src = { name: 'f', location: srv.url('/feed.txt') };
    const good = expectStatus(await fetcher.fetch(src), 'fresh');
    await fetcher.commit(src.name, good.text, good.meta);
    // As if a crash landed a new body but not its meta.
    await writeFile(join(dir, 'cache', 'f.body'), FEED_V2);
    const cached = await fetcher.readCached('f');
    expect(cached?.text).toBe(FEED_V2);
    expect(cached?.meta).toMatchObject({ etag: '', lastModified: '', bytes: FEED_V2.length });
    await fetcher.fetch(src);
    expect(srv.seen.at(-1)?.['if-none-match']).toBeUndefined();
  });
});
