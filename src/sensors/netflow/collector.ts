/**
 * The NetFlow/IPFIX collector: a UDP listener (node:dgram) that decodes each datagram, joins the two
 * directions of a conversation and records FlowEvents. Nothing an exporter sends can stop it: the
 * decoder does not throw, and the message handler catches anyway (a bug must cost one datagram,
 * not the listener). Exporters are told apart by source address (RFC 7011 §10.3.4: over UDP the
 * transport session is the source address and port; the port changes when an exporter restarts, and
 * its templates would be re-sent then anyway).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { EventOutput, Sensor, SensorHealthView } from '../types.ts';
import { SensorHealth } from '../types.ts';
import { TemplateCache } from './cache.ts';
import { decodeNetflow } from './decode.ts';
import { FlowJoiner } from './join.ts';

export interface NetflowConfig {
  /** Sensor id; default `netflow:<listen>`. */
  id?: string;
  /** 'host:port', '[v6]:port' or ':port' (all IPv4 addresses). Port 0 picks one (see `address()`). */
  listen: string;
  /** Forget templates not re-announced for this long. Default 30 min. */
  templateTimeoutMs?: number;
  /** Sampling rate per exporter address, overriding what the exporter announces. */
  sampling?: Record<string, number>;
  /** How long one direction waits for the other. Default 2000 ms. */
  joinWindowMs?: number;
  /** Data sets held per exporter while their template is unknown. Default 1000. */
  maxPendingSets?: number;
  /** Read post counters (IE 23/24) as the reply direction. Default false. */
  postAsReverse?: boolean;
  isInternal?: (ip: string) => boolean;
  site?: string;
  /** Socket receive buffer, bytes (exporters burst). Default 4 MiB, as far as the OS allows. */
  recvBufferSize?: number;
}

const TICK_MS = 250;

export class NetflowCollector implements Sensor {
  readonly id: string;
  readonly kind = 'netflow';
  private readonly health_: SensorHealth;
  private readonly cache: TemplateCache;
  private readonly joiner: FlowJoiner;
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private bound = '';
  /** Events the output refused (UDP cannot be paced). */
  dropped = 0;
  packets = 0;

  constructor(private readonly config: NetflowConfig, private readonly output: EventOutput) {
    this.id = config.id ?? `netflow:${config.listen}`;
    this.health_ = new SensorHealth(this.id, this.kind);
    this.cache = new TemplateCache({
      templateTimeoutMs: config.templateTimeoutMs,
      sampling: config.sampling,
      maxPendingSets: config.maxPendingSets,
      postAsReverse: config.postAsReverse,
    });
    this.joiner = new FlowJoiner({ windowMs: config.joinWindowMs, isInternal: config.isInternal, site: config.site });
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const { host, port } = parseListen(this.config.listen);
    const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    sock.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // After bind, a socket error (e.g. ICMP-induced) is noted, never fatal.
    sock.on('error', (err) => this.health_.bad(`socket: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      sock.once('error', fail);
      sock.bind(port, host, () => {
        sock.off('error', fail);
        resolve();
      });
    });
    try {
      sock.setRecvBufferSize(this.config.recvBufferSize ?? 4 << 20);
    } catch {
      // The OS cap (net.core.rmem_max) applies; the default buffer still works.
    }
    const a = sock.address();
    this.bound = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    this.socket = sock;
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
    this.updateDetail();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const sock = this.socket;
    this.socket = null;
    if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
    // What still waits for its other direction goes out alone.
    this.emit(this.joiner.flush(Date.now(), true), Date.now());
    this.updateDetail();
  }

  health(): SensorHealthView {
    this.updateDetail();
    return this.health_.view();
  }

  /** The bound address as 'host:port' (useful with port 0). */
  address(): string {
    return this.bound;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    this.datagram(msg, rinfo.address, Date.now());
  }

  /**
   * One export datagram from `from` (also how a capture of exports is replayed: `now` is then the
   * capture time). Flush with `drain` at the end of a replay.
   */
  datagram(msg: Uint8Array, from: string, now: number): void {
    this.packets++;
    // An IPv4 exporter reaching a dual-stack socket shows up as ::ffff:a.b.c.d; key it by its IPv4 address.
    const exporter = from.startsWith('::ffff:') && from.includes('.') ? from.slice(7) : from;
    try {
      const { flows, errors } = decodeNetflow(msg, exporter, this.cache, now);
      // Every error counts; only the first few of a packet are kept as samples (a garbage flood stays cheap).
      for (let i = 0; i < errors.length; i++) {
        if (i < 3) this.health_.bad(`${exporter}: ${errors[i]!}`, msg, now);
        else this.health_.errors++;
      }
      for (const f of flows) this.emit(this.joiner.push(f, now), now);
    } catch (err) {
      this.health_.bad(`${exporter}: decoder failed: ${(err as Error).message}`, msg, now);
    }
  }

  /** Every flow still waiting for its other direction goes out now (end of a replayed capture). */
  drain(): void {
    this.emit(this.joiner.flush(Date.now(), true), Date.now());
  }

  private tick(now: number): void {
    this.emit(this.joiner.flush(now), now);
    for (const p of this.cache.sweep(now)) this.health_.bad(`no template ${p.setId} (domain ${p.domain})`, p.body, now);
  }

  private emit(events: ReturnType<FlowJoiner['flush']>, now: number): void {
    for (const ev of events) {
      if (this.output.record(ev)) this.health_.ok(1, now);
      else this.dropped++;
    }
  }

  private updateDetail(): void {
    const s = this.cache.stats();
    this.health_.detail = `udp ${this.bound || this.config.listen}${this.socket ? '' : ' (stopped)'}; ${s.exporters} exporters, ${s.templates} templates, ${s.pending} sets waiting for a template; ${this.packets} packets, ${this.dropped} events refused`;
  }
}

/** 'host:port' | '[v6]:port' | ':port' | 'port'. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`netflow: listen '${listen}' is not host:port`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
