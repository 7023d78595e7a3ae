/**
 * Zeek's logs that describe other logs' records: files.log (what was transferred, its MIME type
 * and hashes) and x509.log (certificates). They make no event of their own.
 *
 * Files: the event model has no hash field, and an HttpEvent is recorded as soon as its line is
 * read, so a file is reported as a FileSeen record through a callback instead. A FileSeen carries
 * the MIME type, the hashes, the conn uids, and — for files that came over HTTP — the request it
 * came with (host, url, server, client), joined by the file id (http.log's resp_fuids/orig_fuids
 * = files.log's fuid). That is what an "executable fetched over HTTP" detector needs in one record.
 * Either log may come first (they are separate files; Zeek writes each when its part ends), so an
 * HTTP file waits (bounded, up to holdMs) for its request, and an HTTP request is remembered for
 * files that come after it.
 *
 * x509: subject and issuer by file id and fingerprint, for ssl.log lines (Zeek ≥ 4 no longer puts
 * them there; ssl.log names its chain by cert_chain_fuids, or cert_chain_fps).
 */

export interface HttpContext {
  ts: number;
  client: string;
  server: string;
  serverPort: number;
  method: string;
  host: string;
  url: string;
  status: number;
  userAgent: string | null;
}

export interface FileSeen {
  ts: number;
  fuid: string;
  /** The connections (Zeek uids) it was carried on. */
  connUids: string[];
  /** The analyzer that saw it: HTTP, SMTP, FTP_DATA, SMB, SSL… */
  source: string | null;
  /** The internal host it went to or came from (the HTTP client when known). */
  client: string | null;
  txHosts: string[];
  rxHosts: string[];
  mimeType: string | null;
  filename: string | null;
  /** Bytes seen (total_bytes when Zeek knew it). */
  size: number | null;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  /** The HTTP request that carried it, when that was read within holdMs. */
  http: HttpContext | null;
  site: string;
  sensor: string;
}

export interface CertInfo {
  subject: string | null;
  issuer: string | null;
}

export interface EnricherOptions {
  onFile?: (f: FileSeen) => void;
  /** Entries remembered per table (default 20,000). */
  keep?: number;
  /** How long an HTTP file waits for its request, wall-clock ms (default 30,000). */
  holdMs?: number;
}

export class Enricher {
  private readonly httpByFuid = new Map<string, HttpContext>();
  private readonly pending = new Map<string, { f: FileSeen; at: number }>();
  private readonly certs = new Map<string, CertInfo>();
  private readonly keep: number;
  private readonly holdMs: number;
  files = 0;

  constructor(private readonly opts: EnricherOptions = {}) {
    this.keep = opts.keep ?? 20_000;
    this.holdMs = opts.holdMs ?? 30_000;
  }

  /** An http.log line with its file ids: completes waiting files, and is kept for later ones. */
  http(fuids: readonly string[], ctx: HttpContext): void {
    for (const fuid of fuids) {
      const waiting = this.pending.get(fuid);
      if (waiting !== undefined) {
        this.pending.delete(fuid);
        waiting.f.http = ctx;
        waiting.f.client = ctx.client;
        this.emit(waiting.f);
      } else {
        put(this.httpByFuid, fuid, ctx, this.keep);
      }
    }
  }

  /** A files.log record: passed on now, or held for its HTTP request. */
  file(f: FileSeen, now = Date.now()): void {
    const ctx = this.httpByFuid.get(f.fuid);
    if (ctx !== undefined) {
      this.httpByFuid.delete(f.fuid);
      f.http = ctx;
      f.client = ctx.client;
      this.emit(f);
    } else if (f.source === 'HTTP') {
      put(this.pending, f.fuid, { f, at: now }, this.keep, (old) => this.emit(old.f));
    } else {
      this.emit(f);
    }
    this.sweep(now);
  }

  /** Files that waited longer than holdMs go out without their request (all of them when force). */
  sweep(now = Date.now(), force = false): void {
    for (const [fuid, p] of this.pending) {
      if (!force && now - p.at < this.holdMs) break; // insertion order is age order
      this.pending.delete(fuid);
      this.emit(p.f);
    }
  }

  cert(ids: readonly string[], info: CertInfo): void {
    for (const id of ids) put(this.certs, id, info, this.keep);
  }

  /** The first certificate of a chain that is known (the server's own comes first). */
  certFor(ids: readonly string[] | undefined): CertInfo | undefined {
    if (ids === undefined) return undefined;
    for (const id of ids) {
      const c = this.certs.get(id);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  private emit(f: FileSeen): void {
    this.files++;
    this.opts.onFile?.(f);
  }
}

/** Insert into a bounded map, dropping (and handing back) the oldest entry when full. */
function put<V>(m: Map<string, V>, key: string, v: V, keep: number, evicted?: (v: V) => void): void {
  m.delete(key);
  m.set(key, v);
  if (m.size > keep) {
    const [k, old] = m.entries().next().value as [string, V];
    m.delete(k);
    evicted?.(old);
  }
}
