/**
 * Syslog receiver: UDP (RFC 5426, one message per datagram) and TCP (RFC 6587 framing, see
 * framing.ts), both at once if configured. Each message is parsed (parse.ts), turned into events
 * by the known formats (formats/), and recorded; unknown messages are counted, not errors.
 * Garbage never crashes it: parsing is total, and each message is handled inside a guard.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { isInternalDefault } from '../net.ts';
import { SensorHealth, type EventOutput, type Sensor, type SensorHealthView } from '../types.ts';
import { SyslogFramer } from './framing.ts';
import { messageEvent, type FormatName } from './formats/index.ts';
import { parseSyslog } from './parse.ts';

export interface SyslogConfig {
  id?: string;
  /** 'host:port' or '[v6]:port'; port 0 picks a free one (see addresses()). */
  udp?: string;
  tcp?: string;
  site?: string;
  isInternal?: (ip: string) => boolean;
  /** Longest message kept, bytes (default 64 KiB); longer ones are counted and dropped. */
  maxBytes?: number;
}

export interface SyslogStats {
  messages: number;
  unknown: number;
  oversized: number;
  byFormat: Record<FormatName, number>;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m || Number(m[3]) > 65535) throw new Error(`syslog: bad listen address ${s} (host:port or [v6]:port)`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export class SyslogReceiver implements Sensor {
  readonly id: string;
  readonly kind = 'syslog';
  private readonly health_: SensorHealth;
  private readonly maxBytes: number;
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly conns = new Set<Socket>();
  private readonly stats_: SyslogStats = { messages: 0, unknown: 0, oversized: 0, byFormat: { bind: 0, unbound: 0, netfilter: 0 } };
  private behind = false;

  constructor(private readonly config: SyslogConfig, private readonly output: EventOutput) {
    if (config.udp === undefined && config.tcp === undefined) throw new Error('syslog: set udp and/or tcp');
    if (config.udp !== undefined) parseHostPort(config.udp);
    if (config.tcp !== undefined) parseHostPort(config.tcp);
    this.id = config.id ?? `syslog:${[config.udp && `udp/${config.udp}`, config.tcp && `tcp/${config.tcp}`].filter(Boolean).join(',')}`;
    this.health_ = new SensorHealth(this.id, this.kind);
    this.maxBytes = config.maxBytes ?? 65_536;
  }

  async start(): Promise<void> {
    if (this.config.udp !== undefined) {
      const { host, port } = parseHostPort(this.config.udp);
      const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
      sock.on('message', (buf, rinfo) => {
        if (buf.length > this.maxBytes) {
          this.stats_.oversized++;
          return;
        }
        this.handle(buf.toString('utf8'), rinfo.address);
      });
      sock.on('error', (e) => this.health_.bad(`udp: ${e.message}`));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, host, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      this.udp = sock;
    }
    if (this.config.tcp !== undefined) {
      const { host, port } = parseHostPort(this.config.tcp);
      const server = createServer((conn) => this.accept(conn));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.health_.bad(`tcp: ${e.message}`));
      this.tcp = server;
    }
    const a = this.addresses();
    this.health_.detail = [a.udp && `udp ${a.udp}`, a.tcp && `tcp ${a.tcp}`].filter(Boolean).join(', ');
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    if (udp !== null) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp !== null) await new Promise<void>((r) => tcp.close(() => r()));
  }

  /** Where it listens, as host:port (the real port when configured with 0). */
  addresses(): { udp?: string; tcp?: string } {
    const fmt = (a: AddressInfo) => (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    const out: { udp?: string; tcp?: string } = {};
    if (this.udp !== null) out.udp = fmt(this.udp.address());
    const t = this.tcp?.address();
    if (t != null && typeof t === 'object') out.tcp = fmt(t);
    return out;
  }

  health(): SensorHealthView {
    return this.health_.view();
  }

  stats(): SyslogStats {
    return { ...this.stats_, byFormat: { ...this.stats_.byFormat }, oversized: this.stats_.oversized };
  }

  private accept(conn: Socket): void {
    this.conns.add(conn);
    const framer = new SyslogFramer(this.maxBytes);
    const peer = conn.remoteAddress ?? '';
    let counted = 0;
    conn.on('data', (buf: Buffer) => {
      for (const msg of framer.push(buf)) this.handle(msg, peer);
      this.stats_.oversized += framer.oversized - counted;
      counted = framer.oversized;
      if (this.behind) {
        // Back-pressure to the sender through TCP flow control.
        this.behind = false;
        conn.pause();
        void this.output.drained().then(() => conn.resume());
      }
    });
    conn.on('end', () => {
      const last = framer.end();
      if (last !== null) this.handle(last, peer);
    });
    conn.on('error', (e) => this.health_.bad(`tcp connection: ${e.message}`));
    conn.on('close', () => this.conns.delete(conn));
  }

  private handle(text: string, peer: string): void {
    this.stats_.messages++;
    try {
      const now = Date.now();
      const m = parseSyslog(text, now);
      const r = messageEvent(m, { isInternal: this.config.isInternal ?? isInternalDefault, now, peer, site: this.config.site });
      if (r === null) {
        this.stats_.unknown++;
        return;
      }
      this.stats_.byFormat[r.format]++;
      if (!this.output.record(r.event)) this.behind = true;
      this.health_.ok(1, now);
    } catch (e) {
      // Parsers are total; this guard is for a bug, so that one message cannot stop the receiver.
      this.health_.bad(`internal: ${String(e)}`, text);
    }
  }
}
