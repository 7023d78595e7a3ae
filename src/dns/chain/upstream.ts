/**
 * Stage 6, upstreams: the query goes to a forwarder — the upstreams of the longest matching
 * forward zone (conditional forwarding), else the default ones — in order, skipping those marked
 * down; a timeout or error tries the next. Three failures in a row mark an upstream down for
 * `downMs`; after that one query probes it again. A truncated UDP reply is asked again over TCP
 * (RFC 7766 §5). Nothing of the client's EDNS options goes upstream (identity options are already
 * gone; cookies and padding are per hop): the gateway sends its own OPT with a 1232-byte size.
 */
import { CLASS_IN, decode, encode, OPTION, RCODE, TYPE, type EdnsOption, type Message } from '../wire/index.ts';

const decoder = new TextDecoder();
import { tcpQuery } from '../upstream/tcp.ts';
import { UdpUpstream, UpstreamTimeout } from '../upstream/udp.ts';
import { answer, EDE, type Answer, type Next, type Query, type Stage } from './types.ts';

export interface UpstreamConfig {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
}

export interface ForwardZone {
  /** Lower-case zone name, no trailing dot. */
  zone: string;
  upstreams: UpstreamConfig[];
}

export interface UpstreamOptions {
  upstreams: UpstreamConfig[];
  /** EDNS options to add to each upstream query (the site forwarder's identity option). */
  options?: (q: Query) => EdnsOption[];
  zones: ForwardZone[];
  timeoutMs: number;
  downMs?: number;
  /** How often an upstream marked down is probed (a query for the root's NS); 0: never. */
  healthCheckMs?: number;
  now?: () => number;
}

class Upstream {
  failures = 0;
  downUntil = 0;
  answered = 0;
  failed = 0;
  readonly udp: UdpUpstream | null;

  constructor(readonly cfg: UpstreamConfig) {
    this.udp = cfg.protocol === 'udp' ? new UdpUpstream(cfg.host, cfg.port) : null;
  }

  get label(): string {
    return `${this.cfg.protocol}://${this.cfg.host.includes(':') ? `[${this.cfg.host}]` : this.cfg.host}:${this.cfg.port}`;
  }
}

export interface UpstreamHealth {
  upstream: string;
  up: boolean;
  answered: number;
  failed: number;
}

export class UpstreamStage implements Stage {
  readonly name = 'upstream';
  private readonly defaults: Upstream[];
  private readonly zones: Array<{ zone: string; upstreams: Upstream[] }>;
  private readonly now: () => number;

  constructor(private readonly opts: UpstreamOptions) {
    this.defaults = opts.upstreams.map((u) => new Upstream(u));
    this.zones = opts.zones.map((z) => ({ zone: z.zone, upstreams: z.upstreams.map((u) => new Upstream(u)) })).sort((a, b) => b.zone.length - a.zone.length);
    this.now = opts.now ?? Date.now;
    const every = opts.healthCheckMs ?? 5000;
    if (every > 0) {
      this.healthTimer = setInterval(() => void this.checkDown(), every);
      this.healthTimer.unref();
    }
  }

  private healthTimer: NodeJS.Timeout | null = null;

  /**
   * Health checks: every upstream marked down is asked for the root's NS; any well-formed reply,
   * whatever its rcode, means it is back, and it is marked up before a client query has to find out.
   */
  async checkDown(): Promise<number> {
    const t = this.now();
    const down = this.all().filter((u) => u.downUntil > t);
    let back = 0;
    await Promise.all(down.map(async (u) => {
      const wire = encode({
        id: 0, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
        questions: [{ name: '', type: TYPE.NS, class: CLASS_IN }], answers: [], authorities: [], additionals: [], edns: null,
      });
      try {
        const reply = u.udp !== null ? await u.udp.query(wire, wire.length, this.opts.timeoutMs) : await tcpQuery(u.cfg.host, u.cfg.port, wire, this.opts.timeoutMs);
        decode(reply);
        u.failures = 0;
        u.downUntil = 0;
        back++;
      } catch {
        // still down: the next check tries again
      }
    }));
    return back;
  }

  private all(): Upstream[] {
    return [...this.defaults, ...this.zones.flatMap((z) => z.upstreams)];
  }

  describe(): string {
    const zones = this.zones.map((z) => `${z.zone} → ${z.upstreams.map((u) => u.label).join(', ')}`);
    return `forward to ${this.defaults.map((u) => u.label).join(', ') || 'nothing'}${zones.length > 0 ? `; ${zones.join('; ')}` : ''}`;
  }

  health(): UpstreamHealth[] {
    const t = this.now();
    return [...this.defaults, ...this.zones.flatMap((z) => z.upstreams)].map((u) => ({ upstream: u.label, up: u.downUntil <= t, answered: u.answered, failed: u.failed }));
  }

  private pick(name: string): Upstream[] {
    for (const z of this.zones) if (name === z.zone || name.endsWith(`.${z.zone}`)) return z.upstreams;
    return this.defaults;
  }

  async resolve(q: Query, _next: Next): Promise<Answer> {
    const list = this.pick(q.name);
    if (list.length === 0) return answer('servfail', 'no-upstream', RCODE.SERVFAIL, { ede: { code: EDE.NOT_READY, text: 'no upstream configured' } });
    const msg: Message = {
      id: 0,
      flags: { qr: false, opcode: 0, aa: false, tc: false, rd: q.rd, ra: false, ad: false, cd: q.cd, rcode: 0 },
      questions: [{ name: q.qname, type: q.qtype, class: q.qclass || CLASS_IN }],
      answers: [], authorities: [], additionals: [],
      edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: q.edns?.dnssecOk === true, options: this.opts.options?.(q) ?? [] },
    };
    const wire = encode(msg);
    const questionEnd = 12 + questionLength(wire);
    const t = this.now();
    const usable = list.filter((u) => u.downUntil <= t);
    const order = usable.length > 0 ? usable : list;
    let lastError = 'upstream-failed';
    for (const u of order) {
      try {
        let reply = u.udp !== null ? await u.udp.query(wire.slice(), questionEnd, this.opts.timeoutMs) : await tcpQuery(u.cfg.host, u.cfg.port, wire.slice(), this.opts.timeoutMs);
        let m = decode(reply);
        if (m.flags.tc && u.udp !== null) {
          reply = await tcpQuery(u.cfg.host, u.cfg.port, wire.slice(), this.opts.timeoutMs);
          m = decode(reply);
        }
        u.failures = 0;
        u.answered++;
        const rcode = ((m.edns?.extendedRcode ?? 0) << 4) | m.flags.rcode;
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) {
          lastError = rcode === RCODE.SERVFAIL ? 'upstream-servfail' : 'upstream-refused';
          continue;
        }
        // An upstream's Extended DNS Error (a central gateway's block reason) is passed on.
        const ede = m.edns?.options.find((o) => o.code === OPTION.EDE && o.data.length >= 2);
        return answer('resolved', 'upstream', rcode, {
          answers: m.answers, authorities: m.authorities, additionals: m.additionals, ad: m.flags.ad,
          ...(ede === undefined ? {} : { ede: { code: (ede.data[0]! << 8) | ede.data[1]!, text: decoder.decode(ede.data.subarray(2)) } }),
        });
      } catch (e) {
        u.failed++;
        lastError = e instanceof UpstreamTimeout ? 'upstream-timeout' : 'upstream-error';
        if (++u.failures >= 3) u.downUntil = this.now() + (this.opts.downMs ?? 10_000);
      }
    }
    return answer('servfail', lastError, RCODE.SERVFAIL, { ede: { code: EDE.NETWORK_ERROR, text: `no upstream answered (${lastError})` } });
  }

  close(): void {
    if (this.healthTimer !== null) clearInterval(this.healthTimer);
    for (const u of this.all()) u.udp?.close();
  }
}

/** Bytes of the (single, uncompressed) question after the 12-byte header: name, type, class. */
function questionLength(wire: Uint8Array): number {
  let i = 12;
  while (i < wire.length && wire[i] !== 0) i += wire[i]! + 1;
  return i + 1 + 4 - 12;
}
