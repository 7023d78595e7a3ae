/**
 * The sensors `serve` runs, as declarations (../../shared/STYLE.md): each kind says how to make
 * its sensors from its part of the config; one runtime starts them all, stops them cleanly, and
 * reports their health to metrics and the CLI. A sensor that cannot start (a port taken, a path
 * missing) is reported and the others run.
 */
import ipaddr from 'ipaddr.js';
import type { SensorsConfig } from '../config/index.ts';
import type { Logger } from '../core/log.ts';
import { EveSensor, type FileSeen as EveFileSeen } from './eve/index.ts';
import { HttpIngest } from './http/receiver.ts';
import { isInternalDefault } from './net.ts';
import { NetflowCollector } from './netflow/index.ts';
import { SyslogReceiver } from './syslog/index.ts';
import type { PayloadMessage, PcapHttp } from './pcap/index.ts';
import type { EventOutput, Sensor, SensorHealthView } from './types.ts';
import { ZeekSensor, type FileSeen as ZeekFileSeen } from './zeek/index.ts';

/** What every sensor gets from the process. */
export interface SensorContext {
  output: EventOutput;
  /** Address (and site) → ours? Decides a flow's client side. */
  isInternal(ip: string, site?: string): boolean;
  log: Logger;
  /** Files seen in HTTP (Zeek files.log, Suricata fileinfo), for the detectors. */
  onFile?(f: ZeekFileSeen | EveFileSeen): void;
  /** JSON-RPC lines in TCP payloads (pcap), for the mining-protocol detector. */
  onPayload?(m: PayloadMessage): void;
  /** HTTP exchanges with the first body bytes (pcap), for the executable detector. */
  onHttp?(h: PcapHttp): void;
}

export interface SensorDeclaration {
  kind: string;
  /** One line for `minewarden sensors` when nothing runs. */
  describe(config: SensorsConfig): string[];
  create(config: SensorsConfig, ctx: SensorContext): Sensor[];
}

const onFile = (ctx: SensorContext): { onFile?: (f: ZeekFileSeen | EveFileSeen) => void } => (ctx.onFile === undefined ? {} : { onFile: (f) => ctx.onFile!(f) });

export const SENSORS: readonly SensorDeclaration[] = [
  {
    kind: 'netflow',
    describe: (c) => c.netflow.map((n) => `netflow: udp ${n.listen}`),
    create: (c, ctx) => c.netflow.map((n) => new NetflowCollector({
      listen: n.listen, site: n.site, sampling: n.sampling, templateTimeoutMs: n.templateTimeout * 1000, isInternal: (ip) => ctx.isInternal(ip, n.site),
    }, ctx.output)),
  },
  {
    kind: 'zeek',
    describe: (c) => c.zeek.map((z) => `zeek: ${z.follow ? 'follow' : 'read'} ${z.paths.join(', ')}`),
    create: (c, ctx) => c.zeek.map((z) => new ZeekSensor({ paths: z.paths, follow: z.follow, site: z.site, isInternal: (ip) => ctx.isInternal(ip, z.site), ...onFile(ctx) }, ctx.output)),
  },
  {
    kind: 'suricata',
    describe: (c) => c.suricata.map((s) => `suricata: ${[...s.paths.map((p) => `${s.follow ? 'follow' : 'read'} ${p}`), ...(s.socket === undefined ? [] : [`unix:${s.socket}`])].join(', ')}`),
    create: (c, ctx) => c.suricata.map((s) => new EveSensor({
      ...(s.paths.length > 0 ? { paths: s.paths } : {}), ...(s.socket === undefined ? {} : { socket: s.socket }),
      follow: s.follow, site: s.site, isInternal: (ip) => ctx.isInternal(ip, s.site), ...onFile(ctx),
    }, ctx.output)),
  },
  {
    kind: 'syslog',
    describe: (c) => c.syslog.map((s) => `syslog: ${[s.udp === undefined ? '' : `udp ${s.udp}`, s.tcp === undefined ? '' : `tcp ${s.tcp}`].filter((x) => x !== '').join(', ')}`),
    create: (c, ctx) => c.syslog.map((s) => new SyslogReceiver({
      ...(s.udp === undefined ? {} : { udp: s.udp }), ...(s.tcp === undefined ? {} : { tcp: s.tcp }), site: s.site, isInternal: (ip) => ctx.isInternal(ip, s.site),
    }, ctx.output)),
  },
  {
    kind: 'http',
    describe: (c) => (c.http.listen === '' ? [] : [`http: POST ${c.http.listen}/ingest`]),
    create: (c, ctx) => (c.http.listen === '' ? [] : [new HttpIngest({ listen: c.http.listen, token: c.http.token, maxBytes: c.http.maxBytes }, ctx.output)]),
  },
];

/**
 * "Ours": the private ranges, every unit's networks and egress addresses (through `resolve`), and
 * `sensors.internal`. The extra list is tried last: it is the only test that parses the address.
 */
export function internalTest(resolve: (ip: string, site: string) => unknown, extra: readonly string[]): (ip: string, site?: string) => boolean {
  const ranges = extra.map((c) => {
    try {
      return c.includes('/') ? ipaddr.parseCIDR(c) : ([ipaddr.parse(c), ipaddr.parse(c).kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number]);
    } catch {
      throw new Error(`sensors.internal: "${c}" is not an address or CIDR`);
    }
  });
  return (ip, site = '') => {
    if (isInternalDefault(ip) || resolve(ip, site) !== null) return true;
    if (ranges.length === 0 || !ipaddr.isValid(ip)) return false;
    const a = ipaddr.process(ip);
    return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  };
}

export class SensorRuntime {
  private readonly running: Sensor[] = [];
  /** Sensors that could not start, and why. */
  readonly failed: Array<{ id: string; kind: string; error: string }> = [];

  constructor(private readonly config: SensorsConfig, private readonly ctx: SensorContext) {}

  async start(): Promise<void> {
    for (const d of SENSORS) {
      for (const s of d.create(this.config, this.ctx)) {
        try {
          await s.start();
          this.running.push(s);
          this.ctx.log.info({ component: 'sensors', sensor: s.id }, `${d.kind} sensor started`);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          this.failed.push({ id: s.id, kind: d.kind, error });
          this.ctx.log.error({ component: 'sensors', sensor: s.id }, `${d.kind} sensor not started: ${error}`);
        }
      }
    }
  }

  health(): SensorHealthView[] {
    return this.running.map((s) => s.health());
  }

  get size(): number {
    return this.running.length;
  }

  async stop(): Promise<void> {
    for (const s of this.running.splice(0)) await s.stop();
  }
}

/** What the configuration asks for, one line per sensor (when nothing runs). */
export function describeSensors(config: SensorsConfig): string[] {
  return SENSORS.flatMap((d) => d.describe(config));
}
