/**
 * `minewarden forwarder`: the light agent for a site behind NAT. It answers the site's clients by
 * asking the central gateway, adding each client's real address (and the site's appliance id) in
 * the ODNS identity option, so the centre logs and blocks per infected host, not per NAT address.
 * It keeps no cache and answers nothing itself: every query reaches the centre and is logged
 * there (a local answer would hide a host from the centre).
 */
import type { Logger } from '../core/log.ts';
import { MinewardenError } from '../core/errors.ts';
import { AccessStage } from './chain/access.ts';
import { Chain } from './chain/chain.ts';
import { writeOdns } from './chain/identity.ts';
import { UpstreamStage } from './chain/upstream.ts';
import { parseListen, parseUpstream } from './gateway.ts';
import { NetSet } from './netset.ts';
import { OPTION } from './wire/index.ts';
import { QueryHandler } from './server/handler.ts';
import { listenUdpTcp, type Bound } from './server/listen.ts';

export interface ForwarderConfig {
  listen: string[];
  /** The central gateway(s), in order. */
  upstreams: string[];
  /** Sent in every query's ODNS option: tells the centre which site this is. */
  applianceId?: number;
  /** Client networks of the site (loopback and private ranges when empty). */
  allow: string[];
  timeout: number;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'];

export class Forwarder {
  private constructor(
    readonly chain: Chain,
    readonly addresses: Bound[],
    private readonly closers: Array<() => Promise<void>>,
    private readonly upstream: UpstreamStage,
  ) {}

  static async start(config: ForwarderConfig, log: Logger): Promise<Forwarder> {
    if (config.upstreams.length === 0) throw new MinewardenError('MW_ERR_CONFIG', 'forwarder.upstreams is empty: name the central gateway (e.g. 10.0.0.53 or tcp://10.0.0.53:53)');
    const allowed = new NetSet(['127.0.0.0/8', '::1', ...(config.allow.length === 0 ? PRIVATE : config.allow)], 'forwarder.allow');
    const upstream = new UpstreamStage({
      upstreams: config.upstreams.map(parseUpstream),
      zones: [],
      timeoutMs: config.timeout * 1000,
      options: (q) => [{ code: OPTION.ODNS, data: writeOdns(q.source, config.applianceId) }],
    });
    // No rate limit here: the centre limits per client; the forwarder only keeps strangers out.
    const chain = new Chain([new AccessStage({ allowed, rate: 0, burst: 1 }), upstream]);
    const handler = new QueryHandler(chain, null);
    const addresses: Forwarder['addresses'] = [];
    const closers: Array<() => Promise<void>> = [];
    try {
      await listenUdpTcp(config.listen.map((l) => parseListen(l, 53)), handler, addresses, closers);
    } catch (e) {
      for (const c of closers) await c();
      upstream.close();
      throw new MinewardenError('MW_ERR_CONFIG', `forwarder: cannot listen on ${config.listen.join(', ')}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    log.debug({ chain: chain.stages.map((s) => `${s.name}: ${s.describe()}`) }, 'forwarder chain');
    return new Forwarder(chain, addresses, closers, upstream);
  }

  async close(): Promise<void> {
    for (const c of this.closers) await c();
    this.upstream.close();
  }
}
