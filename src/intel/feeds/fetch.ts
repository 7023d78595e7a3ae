/**
 * Feed fetcher: one feed's bytes from http(s), a file:// URL or a path, with conditional GET
 * (RFC 9110 §13.1) and a last-good-copy cache on disk.
 *
 * The disk holds only content the engine has committed, i.e. content that parsed into a
 * non-empty set. A download stays "pending" in the caller's hands until commit(): nothing on
 * disk changes, so an empty or garbage body never replaces the good copy, and the validators
 * sent next time are still those of the good copy (the server resends, the engine re-checks).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

export interface FeedSource {
  name: string;
  /** http(s) URL, file:// URL, or a filesystem path */
  location: string;
  /** Extra request headers, e.g. an API key (`Auth-Key` for ThreatFox, `X-OTX-API-KEY` for OTX). */
  headers?: Readonly<Record<string, string>>;
}

export interface CacheMeta {
  etag: string;
  lastModified: string;
  /** Epoch seconds of the last successful check of the source. */
  fetchedAt: number;
  /** UTF-8 length of the decoded text. */
  bytes: number;
  /** Hex SHA-256 of the decoded text as UTF-8. */
  sha256: string;
}

export type FetchResult =
  /** New content (200, or file changed). Pending until commit(). */
  | { status: 'fresh'; text: string; meta: CacheMeta }
  /** 304, or the content hash equals the committed copy's. */
  | { status: 'not-modified'; meta: CacheMeta }
  /** The source failed; here is the last good copy from disk. */
  | { status: 'cached'; text: string; meta: CacheMeta; error: string }
  /** The source failed and there is no copy on disk. */
  | { status: 'failed'; error: string };

export interface FetcherOptions {
  cacheDir: string;
  /** Whole request, body included. Default 30000. */
  timeoutMs?: number;
  /** Limit on the body, before and after gzip decoding. Default 512 MiB. */
  maxBytes?: number;
  userAgent?: string;
  fetchImpl?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const DEFAULT_USER_AGENT = 'Minewarden feed fetcher';
const gunzipAsync = promisify(gunzip);

type Location = { kind: 'http'; url: URL } | { kind: 'file'; path: string };

export class FeedFetcher {
  readonly #cacheDir: string;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #userAgent: string;
  readonly #fetch: typeof fetch;
  /** Per-feed queue so that commit() and meta updates of one feed never interleave. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(opts: FetcherOptions) {
    this.#cacheDir = resolve(opts.cacheDir);
    this.#timeoutMs = positive(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.#maxBytes = positive(opts.maxBytes ?? DEFAULT_MAX_BYTES, 'maxBytes');
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.#fetch = opts.fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  /** Never rejects: every failure becomes 'cached' or 'failed'. `force` sends no validators and skips the hash check. */
  async fetch(src: FeedSource, opts: { force?: boolean } = {}): Promise<FetchResult> {
    const force = opts.force === true;
    try {
      const committed = await this.#readMeta(src.name);
      const loc = classify(src.location);
      return loc.kind === 'http'
        ? await this.#fetchHttp(src.name, loc.url, committed, force, src.headers)
        : await this.#fetchFile(src.name, loc.path, committed, force);
    } catch (err) {
      return this.#fallback(src.name, `feed "${src.name}": ${describe(err, this.#timeoutMs)}`);
    }
  }

  async readCached(name: string): Promise<{ text: string; meta: CacheMeta } | null> {
    // Queued with commits, so the body and meta read are one commit's pair.
    return this.#serial(name, async () => {
      const paths = this.#paths(name);
      const text = await readOptional(paths.body);
      if (text === null) return null;
      const stored = parseMeta(await readOptional(paths.meta));
      const actual = describeText(text);
      if (stored !== null && stored.sha256 === actual.sha256 && stored.bytes === actual.bytes) {
        return { text, meta: stored };
      }
      // A crash between the two renames of a commit (or a hand edit) leaves validators that
      // describe other content. Keep the committed body; drop the validators.
      const fetchedAt = Math.floor((await stat(paths.body)).mtimeMs / 1000);
      const meta: CacheMeta = { etag: '', lastModified: '', fetchedAt, ...actual };
      await writeAtomic(paths.meta, serialiseMeta(meta));
      return { text, meta };
    });
  }

  async commit(name: string, text: string, meta: CacheMeta): Promise<void> {
    const actual = describeText(text);
    if (actual.sha256 !== meta.sha256 || actual.bytes !== meta.bytes) {
      throw new Error(`feed "${name}": commit refused, the text does not match its meta (sha256 ${actual.sha256})`);
    }
    const paths = this.#paths(name);
    await this.#serial(name, async () => {
      await mkdir(this.#cacheDir, { recursive: true });
      // Body first: a crash before the meta lands leaves a mismatch that readCached repairs.
      await writeAtomic(paths.body, text);
      await writeAtomic(paths.meta, serialiseMeta(meta));
    });
  }

  async #fetchHttp(name: string, url: URL, committed: CacheMeta | null, force: boolean, extra: Readonly<Record<string, string>> = {}): Promise<FetchResult> {
    const shown = displayUrl(url);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: '*/*' };
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    if (committed !== null && !force) {
      if (committed.etag !== '') headers['if-none-match'] = committed.etag;
      if (committed.lastModified !== '') headers['if-modified-since'] = committed.lastModified;
    }
    let res: Response;
    let raw: Buffer | null = null;
    try {
      res = await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs), redirect: 'follow' });
      if (res.ok && res.status !== 304) raw = await readLimited(res, this.#maxBytes, shown);
      else await res.body?.cancel();
    } catch (err) {
      if (err instanceof FeedError) throw err;
      throw new Error(`cannot fetch ${shown}: ${describe(err, this.#timeoutMs)}`, { cause: err });
    }
    const etag = res.headers.get('etag') ?? '';
    const lastModified = res.headers.get('last-modified') ?? '';
    if (res.status === 304) {
      if (committed === null) throw new Error(`HTTP 304 Not Modified from ${shown} but there is no cached copy`);
      // RFC 9111 §4.3.4: validators in a 304 replace the stored ones.
      return this.#notModified(name, committed, etag || committed.etag, lastModified || committed.lastModified);
    }
    if (raw === null) {
      const reason = res.statusText === '' ? '' : ` ${res.statusText}`;
      throw new Error(`HTTP ${res.status}${reason} from ${shown}`);
    }
    const text = decodeText(await gunzipIfNeeded(raw, this.#maxBytes, shown));
    const meta: CacheMeta = { etag, lastModified, fetchedAt: nowSeconds(), ...describeText(text) };
    if (!force && committed !== null && committed.sha256 === meta.sha256) {
      return this.#notModified(name, committed, etag, lastModified);
    }
    return { status: 'fresh', text, meta };
  }

  async #fetchFile(name: string, path: string, committed: CacheMeta | null, force: boolean): Promise<FetchResult> {
    let raw: Buffer;
    let mtime: Date;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > this.#maxBytes) throw new FeedError(`${path} is larger than the ${formatBytes(this.#maxBytes)} limit`);
      mtime = st.mtime;
      raw = await readFile(path);
    } catch (err) {
      if (err instanceof FeedError) throw err;
      throw new Error(`cannot read ${path}: ${describe(err, this.#timeoutMs)}`, { cause: err });
    }
    const text = decodeText(await gunzipIfNeeded(raw, this.#maxBytes, path));
    const meta: CacheMeta = { etag: '', lastModified: mtime.toUTCString(), fetchedAt: nowSeconds(), ...describeText(text) };
    if (!force && committed !== null && committed.sha256 === meta.sha256) {
      return this.#notModified(name, committed, '', meta.lastModified);
    }
    return { status: 'fresh', text, meta };
  }

  /** Records the check time (and any new validators) on the committed copy's meta. */
  async #notModified(name: string, committed: CacheMeta, etag: string, lastModified: string): Promise<FetchResult> {
    const meta: CacheMeta = { ...committed, etag, lastModified, fetchedAt: nowSeconds() };
    const paths = this.#paths(name);
    await this.#serial(name, async () => {
      // A commit may have landed since we read the meta; never pair its body with old validators.
      const current = parseMeta(await readOptional(paths.meta));
      if (current?.sha256 === committed.sha256) await writeAtomic(paths.meta, serialiseMeta(meta));
    });
    return { status: 'not-modified', meta };
  }

  async #fallback(name: string, error: string): Promise<FetchResult> {
    try {
      const cached = await this.readCached(name);
      return cached === null ? { status: 'failed', error } : { status: 'cached', ...cached, error };
    } catch (err) {
      return { status: 'failed', error: `${error}; the cached copy is unreadable: ${describe(err, this.#timeoutMs)}` };
    }
  }

  /** The committed meta, only when its body is on disk with the size the meta states. */
  async #readMeta(name: string): Promise<CacheMeta | null> {
    const paths = this.#paths(name);
    const meta = parseMeta(await readOptional(paths.meta));
    if (meta === null) return null;
    try {
      return (await stat(paths.body)).size === meta.bytes ? meta : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  #paths(name: string): { body: string; meta: string } {
    const safe = safeFileName(name);
    return { body: join(this.#cacheDir, `${safe}.body`), meta: join(this.#cacheDir, `${safe}.meta.json`) };
  }

  #serial<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(name, settled);
    void settled.then(() => {
      if (this.#queues.get(name) === settled) this.#queues.delete(name);
    });
    return next;
  }
}

/**
 * A feed name as a file name: [a-z0-9._-] only, no leading dot, at most 80 characters. Any
 * change (including case, for case-insensitive file systems) appends a hash of the original,
 * so two different names never share a file.
 */
export function safeFileName(name: string): string {
  if (name.length === 0) throw new Error('feed name is empty');
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]/g, '_').replace(/^\./, '_').slice(0, 80);
  return cleaned === name ? cleaned : `${cleaned}-${sha256Hex(name).slice(0, 12)}`;
}

/** An error whose message is complete: not wrapped as a network or read error. */
class FeedError extends Error {}

function classify(location: string): Location {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return { kind: 'file', path: resolve(location) };
  const url = new URL(location);
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url };
  if (url.protocol === 'file:') return { kind: 'file', path: fileURLToPath(url) };
  throw new Error(`unsupported scheme ${url.protocol} in ${displayUrl(url)}`);
}

/** The URL without credentials or query string: feed URLs often carry API keys there. */
function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

async function readLimited(res: Response, max: number, shown: string): Promise<Buffer> {
  const tooLarge = (): FeedError => new FeedError(`body from ${shown} is larger than the ${formatBytes(max)} limit`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (res.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Gzip is recognised by its magic bytes (RFC 1952 §2.3.1), not by a `.gz` name alone: when a
 * server sends a .gz file with Content-Encoding: gzip, fetch has already decoded it.
 */
async function gunzipIfNeeded(raw: Buffer, max: number, shown: string): Promise<Buffer> {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    // maxOutputLength stops a gzip bomb before it fills memory.
    return await gunzipAsync(raw, { maxOutputLength: max });
  } catch (err) {
    if (errorCode(err) === 'ERR_BUFFER_TOO_LARGE') {
      throw new FeedError(`decompressed body from ${shown} is larger than the ${formatBytes(max)} limit`);
    }
    throw new FeedError(`invalid gzip data from ${shown}: ${describe(err, 0)}`);
  }
}

function decodeText(body: Buffer): string {
  // Invalid UTF-8 becomes U+FFFD rather than an error: the parsers report bad lines.
  return new TextDecoder('utf-8').decode(body);
}

function describeText(text: string): { bytes: number; sha256: string } {
  return { bytes: Buffer.byteLength(text, 'utf8'), sha256: sha256Hex(text) };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data, 'utf8');
      // Flush before the rename, or a power cut can leave the new name on an empty file.
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function serialiseMeta(m: CacheMeta): string {
  const { etag, lastModified, fetchedAt, bytes, sha256 } = m;
  return `${JSON.stringify({ etag, lastModified, fetchedAt, bytes, sha256 }, null, 2)}\n`;
}

function parseMeta(text: string | null): CacheMeta | null {
  let v: unknown;
  try {
    v = JSON.parse(text ?? 'null');
  } catch {
    return null;
  }
  const { etag, lastModified, fetchedAt, bytes, sha256 } = (v ?? {}) as Record<string, unknown>;
  const strings = typeof etag === 'string' && typeof lastModified === 'string' && typeof sha256 === 'string';
  if (!strings || typeof fetchedAt !== 'number' || typeof bytes !== 'number') return null;
  return { etag, lastModified, fetchedAt, bytes, sha256 };
}

/** A short cause for an error message: undici hides the socket error in `cause`. */
function describe(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'aborted';
  const cause: unknown = err.cause;
  if (err.message === 'fetch failed' && cause instanceof Error) {
    if (cause.message !== '') return cause.message;
    const inner = cause instanceof AggregateError ? (cause.errors[0] as unknown) : undefined;
    if (inner instanceof Error && inner.message !== '') return inner.message;
    return errorCode(cause) ?? cause.name;
  }
  return err.message;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function isNotFound(err: unknown): boolean {
  return errorCode(err) === 'ENOENT';
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  return `${n} bytes`;
}

function positive(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`FeedFetcher: ${what} must be a positive number, got ${n}`);
  return n;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
