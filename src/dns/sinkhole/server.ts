/**
 * The sinkhole: where the gateway sends a blocked client (its A/AAAA answer for a blocked name is
 * the sinkhole address). It listens on the ports such a client tries next — web and common pool
 * ports — reads what the client says first, answers something harmless so it may say a little
 * more (a pool login after a subscribe, HTTP headers), records one sinkhole event per connection
 * and closes. A connection here is proof that the host acted on the blocked name, not only that
 * it looked the name up.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { errorMessage } from '../../core/errors.ts';
import type { SinkholeEvent } from '../../model/events.ts';
import { plainAddress, RecentBlocks } from './recent.ts';
import { httpHeadComplete, parseHttpRequest, sniff, stratumStage, tlsHelloComplete, type MiningLogin } from './sniff.ts';

/** Web ports and the ports pools commonly listen on (maltrail's crypto_mining trails, pool docs). */
export const DEFAULT_SINKHOLE_PORTS: readonly number[] = [80, 443, 3333, 4444, 5555, 7777, 8888, 9999, 14444, 45700];

/** What it needs of the logger (pino's `warn(obj, msg)`). */
export interface SinkholeLog {
  warn(obj: object, msg: string): void;
}

export interface SinkholeOptions {
  /** Address(es) to listen on: the sinkhole address(es) the gateway answers with. */
  host: string | readonly string[];
  ports: readonly number[];
  events: { record(ev: SinkholeEvent): boolean };
  log: SinkholeLog;
  now?: () => number;
  /** How long a client may take to say something (ms). */
  timeoutMs?: number;
  /** Bytes read from a client at most. */
  maxBytes?: number;
  /** Open connections at most; beyond, a new one is closed at once (and counted). */
  maxConnections?: number;
  /** How long a name noted by `noteBlocked` is remembered (ms). */
  recentTtlMs?: number;
  /** Site key put on the events ('' when there is one site). */
  site?: string;
}

export interface SinkholeStats {
  connections: number;
  events: number;
  /** Events the sink refused or could not take. */
  dropped: number;
  /** Connections closed at once because too many were open. */
  refused: number;
  errors: number;
  active: number;
}

export interface SinkholeAddress {
  host: string;
  port: number;
}

// RFC 8446 §6.2: a fatal handshake_failure(40) alert in a TLS 1.2-framed record — no certificate to offer.
const TLS_ALERT = Buffer.from([21, 3, 3, 0, 2, 2, 40]);
const HTTP_BODY = 'Blocked by Minewarden.\n\nThis address is a sinkhole: the name you asked for is on a block list (cryptomining or botnet infrastructure).\nThis connection has been recorded. If you think this is a mistake, contact your network administrators.\n';
// RFC 9110 §15.5.4 403 Forbidden; Connection: close (RFC 9112 §9.6).
const HTTP_403 = `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(HTTP_BODY)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${HTTP_BODY}`;

function stratumError(id: number | string): string {
  return `${JSON.stringify({ id, jsonrpc: '2.0', error: { code: -1, message: 'blocked by Minewarden' } })}\n`;
}

/** A plausible subscribe result, so a Stratum v1 miner goes on to `mining.authorize` (and names its wallet). */
function subscribeResult(l: MiningLogin): string {
  const result = l.protocol === 'ethstratum'
    ? [['mining.notify', '00', 'EthereumStratum/1.0.0'], '0000']
    : [[['mining.set_difficulty', '1'], ['mining.notify', '1']], '00000000', 4];
  return `${JSON.stringify({ id: l.id, result, error: null })}\n`;
}

function isBindError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EPERM';
}

export class Sinkhole {
  readonly stats: SinkholeStats = { connections: 0, events: 0, dropped: 0, refused: 0, errors: 0, active: 0 };
  private readonly recent: RecentBlocks;
  private readonly sockets = new Set<Socket>();
  private readonly now: () => number;

  private constructor(
    private readonly opts: SinkholeOptions,
    private readonly servers: Server[],
    /** Where it listens (ports that could not be bound are left out). */
    readonly addresses: SinkholeAddress[],
  ) {
    this.now = opts.now ?? Date.now;
    this.recent = new RecentBlocks({ ttlMs: opts.recentTtlMs ?? 10 * 60_000 });
  }

  /** Listens on every host × port it can; a port it cannot bind is skipped with a warning. */
  static async start(opts: SinkholeOptions): Promise<Sinkhole> {
    const hosts = typeof opts.host === 'string' ? [opts.host] : [...opts.host];
    const servers: Server[] = [];
    const addresses: SinkholeAddress[] = [];
    const sinkhole = new Sinkhole(opts, servers, addresses);
    for (const host of hosts) {
      for (const port of opts.ports) {
        const server = createServer({ allowHalfOpen: true }, (s) => sinkhole.accept(s));
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen({ host, port, exclusive: true }, () => {
              server.off('error', reject);
              resolve();
            });
          });
        } catch (e) {
          if (!isBindError(e)) {
            await sinkhole.close();
            throw e;
          }
          opts.log.warn({ host, port, error: errorMessage(e) }, `sinkhole: cannot listen on ${host}:${port}, skipping it`);
          continue;
        }
        server.on('error', (e) => {
          sinkhole.stats.errors++;
          opts.log.warn({ host, port, error: errorMessage(e) }, 'sinkhole: listener error');
        });
        const a = server.address();
        servers.push(server);
        addresses.push({ host, port: typeof a === 'object' && a !== null ? a.port : port });
      }
    }
    return sinkhole;
  }

  /** The ports it listens on. */
  get ports(): number[] {
    return [...new Set(this.addresses.map((a) => a.port))];
  }

  /** The gateway answered `name` with the sinkhole address for `client`. */
  noteBlocked(client: string, name: string): void {
    this.recent.note(client, name, this.now());
  }

  /** The client's most recent blocked name, if noted within the TTL. */
  lastBlockedName(client: string): string | null {
    return this.recent.last(client, this.now());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }

  private accept(s: Socket): void {
    this.stats.connections++;
    s.on('error', () => {}); // a reset from the client is normal here; counted where it matters
    if (this.stats.active >= (this.opts.maxConnections ?? 1000)) {
      this.stats.refused++;
      s.destroy();
      return;
    }
    this.stats.active++;
    this.sockets.add(s);
    s.once('close', () => {
      if (this.sockets.delete(s)) this.stats.active--;
    });
    try {
      this.converse(s);
    } catch (e) {
      this.stats.errors++;
      this.opts.log.warn({ error: errorMessage(e) }, 'sinkhole: connection failed');
      s.destroy();
    }
  }

  /** Reads until the client has said enough, the byte limit, the timeout or its end; then records and closes. */
  private converse(s: Socket): void {
    const client = plainAddress(s.remoteAddress ?? '');
    const port = s.localPort ?? 0;
    const started = this.now();
    const maxBytes = this.opts.maxBytes ?? 4096;
    const chunks: Buffer[] = [];
    let size = 0;
    let subscribed = false;
    let done = false;
    let failed = false;

    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.pause();
      const bytes = Buffer.concat(chunks, size);
      let reply: string | Buffer | null = null;
      try {
        reply = failed ? null : this.reply(bytes);
        this.record(client, port, started, bytes);
      } catch (e) {
        this.stats.errors++;
        this.opts.log.warn({ error: errorMessage(e) }, 'sinkhole: could not record a connection');
      }
      if (reply === null || s.destroyed || !s.writable) {
        s.destroy();
        return;
      }
      s.end(reply);
      // A client that does not read must not hold the slot: destroy after a grace period regardless.
      setTimeout(() => s.destroy(), 1000).unref();
    };

    const timer = setTimeout(finish, this.opts.timeoutMs ?? 3000);
    timer.unref();
    s.on('data', (d: Buffer) => {
      if (done) return;
      const room = maxBytes - size;
      const piece = d.length > room ? d.subarray(0, room) : d;
      chunks.push(piece);
      size += piece.length;
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      if (size >= maxBytes || tlsHelloComplete(bytes) || (parseHttpRequest(bytes) !== null && httpHeadComplete(bytes))) {
        finish();
        return;
      }
      const st = stratumStage(bytes);
      if (st?.stage === 'login') finish();
      else if (st?.stage === 'subscribe' && !subscribed) {
        subscribed = true;
        s.write(subscribeResult(st.login));
      }
    });
    s.on('end', finish);
    s.on('error', () => {
      if (done) return;
      failed = true;
      this.stats.errors++;
      finish();
    });
  }

  /** What to send back before closing, by what the client said. */
  private reply(bytes: Buffer): string | Buffer | null {
    const st = stratumStage(bytes);
    if (st !== null) return stratumError(st.login.id);
    if (parseHttpRequest(bytes) !== null) return HTTP_403;
    if (bytes.length > 0 && bytes[0] === 22) return TLS_ALERT;
    return null;
  }

  private record(client: string, port: number, ts: number, bytes: Buffer): void {
    const what = sniff(bytes);
    const ev: SinkholeEvent = {
      kind: 'sinkhole', ts, client, port, proto: 'tcp',
      name: what.name ?? this.recent.last(client, this.now()),
      said: what.said === '' ? null : what.said,
    };
    if (this.opts.site !== undefined) ev.site = this.opts.site;
    if (this.opts.events.record(ev)) this.stats.events++;
    else this.stats.dropped++;
  }
}
