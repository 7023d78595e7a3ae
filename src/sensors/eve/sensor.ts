/**
 * The Suricata EVE reader: EVE files (plain or gzip, read once or followed like `tail -F`, through
 * ../files) and/or a Unix stream socket that Suricata's `eve-log: filetype: unix_stream` connects
 * to (we listen; Suricata reconnects when we restart). Lines come as bytes (no JS string per line)
 * and each goes through mapEveBytes (flow fast path, else decoded and JSON.parse'd); events
 * are recorded into the EventOutput, and reading waits for output.drained() whenever record()
 * says the writer is behind, so a large file never outruns the store.
 */
import { unlinkSync, lstatSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { readLines, ByteLineSplitter, type ByteLines } from '../files/index.ts';
import { SensorHealth, type EventOutput, type Sensor, type SensorHealthView } from '../types.ts';
import type { MinewardenEvent } from '../../model/events.ts';
import type { DnsFrom, FileSeen } from './apps.ts';
import { isInternalDefault } from '../net.ts';
import { mapEveBytes, type EveMapContext, type EveSink } from './map.ts';

export interface EveSensorConfig {
  id?: string;
  /** EVE files or directories of them. */
  paths?: string[];
  /** Follow the files (tail -F) instead of reading them once. */
  follow?: boolean;
  /** Follow only: read what the files hold before waiting for more (default false, as tail -F). */
  fromStart?: boolean;
  /** Unix stream socket path to listen on for Suricata's unix_stream EVE output. */
  socket?: string;
  site?: string;
  /** Which address is ours (a flow's client); default RFC 1918/6598/4193, loopback, link-local. */
  isInternal?: (ip: string) => boolean;
  dnsFrom?: DnsFrom;
  /** Files Suricata saw (fileinfo records). */
  onFile?: (f: FileSeen) => void;
  /** Follow only: poll interval, ms. */
  pollMs?: number;
  /** Use the flow fast path (fast.ts); default true (false: JSON.parse only). */
  fast?: boolean;
}

export interface EveStats {
  /** Lines by how they were read. */
  fast: number;
  json: number;
  bad: number;
  /** Records skipped, by event_type (stats, anomaly, …). */
  skipped: Record<string, number>;
  files: number;
}

export class EveSensor implements Sensor {
  readonly id: string;
  readonly kind = 'suricata-eve';
  /** Resolves when reading files once has finished (never while following). */
  done: Promise<void> = Promise.resolve();
  private readonly health_: SensorHealth;
  private readonly abort = new AbortController();
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();
  private readonly stats_: EveStats = { fast: 0, json: 0, bad: 0, skipped: {}, files: 0 };
  /** Set when record() said the writer is behind; the reader awaits drained() before reading on. */
  private behind = false;
  private readonly sink: EveSink;

  constructor(private readonly config: EveSensorConfig, private readonly output: EventOutput) {
    if (config.paths === undefined && config.socket === undefined) throw new Error('eve sensor: set paths and/or socket');
    this.id = config.id ?? `suricata-eve:${config.socket ?? config.paths?.join(',') ?? ''}`;
    this.health_ = new SensorHealth(this.id, this.kind);
    this.sink = {
      event: (ev: MinewardenEvent) => {
        if (!this.output.record(ev)) this.behind = true;
        this.health_.ok();
      },
      file: (f: FileSeen) => {
        this.stats_.files++;
        this.config.onFile?.(f);
      },
      skip: (t: string) => {
        this.stats_.skipped[t] = (this.stats_.skipped[t] ?? 0) + 1;
      },
      bad: (reason: string, line: string) => this.health_.bad(reason, line),
    };
  }

  async start(): Promise<void> {
    const parts: string[] = [];
    if (this.config.socket !== undefined) {
      await this.listen(this.config.socket);
      parts.push(`listening on unix:${this.config.socket}`);
    }
    if (this.config.paths !== undefined && this.config.paths.length > 0) {
      parts.push(`${this.config.follow === true ? 'following' : 'reading'} ${this.config.paths.join(', ')}`);
      this.done = this.readFiles(this.config.paths).catch((e: unknown) => this.health_.bad(`read failed: ${String(e)}`));
    }
    this.health_.detail = parts.join('; ');
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const c of this.conns) c.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((r) => server.close(() => r()));
    await this.done;
  }

  health(): SensorHealthView {
    return this.health_.view();
  }

  stats(): EveStats {
    return { ...this.stats_, skipped: { ...this.stats_.skipped } };
  }

  private ctx(source: string): EveMapContext {
    return { isInternal: this.config.isInternal ?? isInternalDefault, source, site: this.config.site, dnsFrom: this.config.dnsFrom, fast: this.config.fast };
  }

  /** Lines given as byte ranges of one buffer; empty lines are passed over. */
  private lines(l: ByteLines, ctx: EveMapContext): void {
    const { buf, starts, ends, count } = l;
    const stats = this.stats_;
    for (let i = 0; i < count; i++) {
      const from = starts[i]!, to = ends[i]!;
      if (to > from) stats[mapEveBytes(buf, from, to, ctx, this.sink)]++;
    }
  }

  private async readFiles(paths: string[]): Promise<void> {
    const ctxs = new Map<string, EveMapContext>();
    const chunks = readLines(paths, {
      bytes: true,
      follow: this.config.follow === true,
      fromStart: this.config.fromStart,
      signal: this.abort.signal,
      pollMs: this.config.pollMs,
      onError: (file, err) => this.health_.bad(`cannot read ${file}: ${err.message}`),
    });
    for await (const chunk of chunks) {
      let ctx = ctxs.get(chunk.file);
      if (ctx === undefined) ctxs.set(chunk.file, (ctx = this.ctx(chunk.file)));
      this.lines(chunk, ctx);
      if (this.behind) {
        this.behind = false;
        await this.output.drained();
      }
    }
  }

  private async listen(path: string): Promise<void> {
    removeStaleSocket(path);
    const ctx = this.ctx(path);
    const server = createServer((conn) => {
      this.conns.add(conn);
      const split = new ByteLineSplitter();
      conn.on('data', (buf: Buffer) => {
        const l = split.push(buf);
        if (l !== null) this.lines(l, ctx);
        if (this.behind) {
          // Back-pressure reaches Suricata through the socket buffer: it blocks or drops as configured.
          this.behind = false;
          conn.pause();
          void this.output.drained().then(() => conn.resume());
        }
      });
      conn.on('end', () => {
        const last = split.flush();
        if (last !== null) this.lines(last, ctx);
      });
      conn.on('error', (e) => this.health_.bad(`socket: ${e.message}`));
      conn.on('close', () => this.conns.delete(conn));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.health_.bad(`socket server: ${e.message}`));
    this.server = server;
  }
}

/** A socket file left by a previous run would make listen() fail with EADDRINUSE; other files are left alone. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Absent: nothing to remove.
  }
}
