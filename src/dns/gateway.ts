/**
 * The DNS gateway assembled from config: the resolver chain (in `buildChain`, the one place that
 * decides the order) and its UDP and TCP listeners.
 */
import { readFileSync } from 'node:fs';
import type { DnsConfig } from '../config/index.ts';
import type { Logger } from '../core/log.ts';
import { MinewardenError } from '../core/errors.ts';
import { AccessStage } from './chain/access.ts';
import type { BlockOptions } from './chain/block.ts';
import { CacheStage } from './chain/cache.ts';
import { Chain } from './chain/chain.ts';
import { IdentityStage, type TrustedForwarder, type UnitLookup } from './chain/identity.ts';
import { IntelStage, type ThreatLookup } from './chain/intel.ts';
import { PolicyStage, type UnitPolicy } from './chain/policy.ts';
import { UpstreamStage, type UpstreamConfig } from './chain/upstream.ts';
import { NetSet } from './netset.ts';
import { QueryHandler, type HandlerStats, type QueryLog } from './server/handler.ts';
import { listenDoh } from './server/doh.ts';
import { listenDot, type TlsIdentity } from './server/dot.ts';
import { listenUdpTcp } from './server/listen.ts';
import { LatencyCounts } from './server/latency.ts';
import { loadUdpBatch, udpBatchLoadError } from './server/udp-batch.ts';
import type { Listen } from './server/udp.ts';
import { DnsWorkers, type WorkerSources } from './workers/pool.ts';
import { availableParallelism } from 'node:os';

export interface GatewayDeps {
  config: DnsConfig;
  intel: ThreatLookup;
  /** Address → unit, and a unit's lineage (itself, then its ancestors). */
  org: UnitLookup & { lineage(unitId: string): readonly string[] };
  queryLog: QueryLog | null;
  log: Logger;
  /** /etc/resolv.conf's text, for the default upstreams (tests pass their own). */
  resolvConf?: string;
  /** What DNS worker threads need (dns.workers > 1); without it the main thread answers alone. */
  workers?: WorkerSources;
}

/** Counters of every thread that answers, summed (see metrics.ts). */
export interface GatewayTotals extends HandlerStats {
  threads: number;
  cache: { hits: number; misses: number; stale: number; prefetches: number; size: number };
  latency: LatencyCounts;
}

export interface Stages {
  identity: IdentityStage;
  access: AccessStage;
  policy: PolicyStage;
  intel: IntelStage;
  cache: CacheStage;
  upstream: UpstreamStage;
}

export function parseListen(text: string, defaultPort: number): Listen {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text);
  if (m === null) throw new MinewardenError('MW_ERR_CONFIG', `"${text}" is not ADDRESS:PORT`);
  return { host: m[1] ?? m[2]!, port: m[3] === undefined ? defaultPort : Number(m[3]) };
}

export function parseUpstream(text: string): UpstreamConfig {
  const m = /^(?:(udp|tcp):\/\/)?(.*)$/.exec(text)!;
  const at = parseListen(m[2]!, 53);
  return { host: at.host, port: at.port, protocol: (m[1] ?? 'udp') as 'udp' | 'tcp' };
}

/** The nameservers of resolv.conf, except our own listen addresses (which would loop). */
export function systemUpstreams(resolvConf: string, own: readonly Listen[]): UpstreamConfig[] {
  const out: UpstreamConfig[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m === null) continue;
    const host = m[1]!.replace(/%.*$/, '');
    if (own.some((l) => l.port === 53 && (l.host === host || l.host === '0.0.0.0' || l.host === '::'))) continue;
    out.push({ host, port: 53, protocol: 'udp' });
  }
  return out;
}

/**
 * The chain, in order. Each stage's place:
 * 1. identity — everything after keys on the real client and its unit, not the packet source;
 * 2. access — refuse strangers and floods before any work is spent on them;
 * 3. policy — a unit's deny list blocks without asking anyone; its allow list and category
 *    actions tell the intel stage what a match means;
 * 4. intel — before the cache, so a new indicator blocks names already cached, and around the
 *    upstream answer, to check CNAME targets and addresses;
 * 5. cache — answers from memory, serves stale when upstreams fail;
 * 6. upstream — the forwarders.
 */
export function buildChain(deps: GatewayDeps, own: readonly Listen[], keep: Partial<Pick<Stages, 'cache' | 'upstream'>> = {}): { chain: Chain; stages: Stages } {
  const c = deps.config;
  const block: BlockOptions = { action: c.block.action, ttl: c.block.ttl, sinkholeV4: c.block.sinkhole.ipv4, sinkholeV6: c.block.sinkhole.ipv6 };
  const forwarders: TrustedForwarder[] = c.forwarders.map((f) => ({
    from: new NetSet(f.from, 'dns.forwarders.from'), site: f.site, ...(f.applianceId === undefined ? {} : { applianceId: f.applianceId }),
  }));
  const fixed = new NetSet(['127.0.0.0/8', '::1', ...c.allow, ...c.forwarders.flatMap((f) => f.from)], 'dns.allow');
  // Every unit's networks may ask too, as the tree is now (an import takes effect at once).
  const allowed = { has: (ip: string) => fixed.has(ip) || deps.org.resolve(ip, '') !== null, texts: [...fixed.texts, 'the networks of every unit'] };
  let upstreams = c.upstreams.map(parseUpstream);
  if (upstreams.length === 0) {
    upstreams = systemUpstreams(deps.resolvConf ?? readResolvConf(), own);
    if (upstreams.length === 0) deps.log.warn('dns: no upstreams configured and none in /etc/resolv.conf; queries that need one get SERVFAIL (set dns.upstreams)');
  }
  const toPolicy = (p: DnsConfig['policy']['units'][string]): UnitPolicy => ({
    allow: p.allow, deny: p.deny, categories: p.categories,
    ...(p.default === undefined ? {} : { defaultAction: p.default }),
    ...(p.blockAction === undefined ? {} : { blockAction: p.blockAction }),
  });
  const stages: Stages = {
    identity: new IdentityStage(forwarders, deps.org),
    access: new AccessStage({ allowed, rate: c.rateLimit.qps, burst: c.rateLimit.burst }),
    policy: new PolicyStage({
      global: toPolicy(c.policy),
      units: Object.fromEntries(Object.entries(c.policy.units).map(([k, v]) => [k, toPolicy(v)])),
      lineage: (u) => deps.org.lineage(u),
      block,
    }),
    intel: new IntelStage(deps.intel, block),
    cache: keep.cache ?? new CacheStage({ maxEntries: c.cache.size, maxTtl: c.cache.maxTtl, staleSeconds: c.cache.stale, prefetchHits: c.cache.prefetch }),
    upstream: keep.upstream ?? new UpstreamStage({
      upstreams,
      zones: c.forwardZones.map((z) => ({ zone: z.zone.toLowerCase().replace(/\.$/, ''), upstreams: z.upstreams.map(parseUpstream) })),
      timeoutMs: c.timeout * 1000,
    }),
  };
  const chain = new Chain([stages.identity, stages.access, stages.policy, stages.intel, stages.cache, stages.upstream]);
  return { chain, stages };
}

function readResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/** The PEM certificate chain and key of dns.tls, which DoT and DoH (unless dohPlain) need. */
function readTls(files: DnsConfig['tls']): TlsIdentity {
  if (files === undefined) throw new MinewardenError('MW_ERR_CONFIG', 'dns.dot and dns.doh need dns.tls: { cert: FILE, key: FILE } (PEM)');
  try {
    return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (e) {
    throw new MinewardenError('MW_ERR_CONFIG', `dns.tls: cannot read ${files.cert} or ${files.key}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export class Gateway {
  private constructor(
    private deps: GatewayDeps,
    private readonly listens: readonly Listen[],
    public chain: Chain,
    public stages: Stages,
    readonly handler: QueryHandler,
    /** Where it listens, with the ports actually bound. */
    readonly addresses: Array<{ proto: 'udp' | 'tcp' | 'dot' | 'doh'; host: string; port: number }>,
    private readonly closers: Array<() => Promise<void>>,
    /** Worker threads answering UDP beside this one (dns.workers > 1), or null. */
    readonly workers: DnsWorkers | null,
  ) {}

  static async start(deps: GatewayDeps): Promise<Gateway> {
    const listens = deps.config.listen.map((l) => parseListen(l, 53));
    const { chain, stages } = buildChain(deps, listens);
    const handler = new QueryHandler(chain, deps.queryLog);
    const addresses: Gateway['addresses'] = [];
    const closers: Array<() => Promise<void>> = [];
    const threads = deps.config.workers === 0 ? availableParallelism() : deps.config.workers;
    let extra = deps.workers === undefined ? 0 : threads - 1;
    if (extra > 0 && loadUdpBatch() === null) {
      deps.log.warn(`dns.workers is ${deps.config.workers} but one thread answers: ${udpBatchLoadError() ?? 'the native udp-batch addon did not load'} (run npm install with a C compiler)`);
      extra = 0;
    }
    let workers: DnsWorkers | null = null;
    try {
      // With workers every UDP socket on the port sets SO_REUSEPORT, the main thread's included.
      await listenUdpTcp(listens, handler, addresses, closers, { reusePort: extra > 0 });
      if (extra > 0) {
        const udp = addresses.filter((a) => a.proto === 'udp').map((a) => ({ host: a.host, port: a.port }));
        workers = await DnsWorkers.start(extra, deps.workers!, { config: deps.config, udp, resolvConf: deps.resolvConf ?? readResolvConf() });
        closers.unshift(() => workers!.close());
      }
      const c = deps.config;
      // DNS over TLS (RFC 7858, port 853) and over HTTPS (RFC 8484, port 443) answer through the
      // same handler as UDP and TCP; the certificate is read once, at start.
      const tls = c.dot.length > 0 || (c.doh.length > 0 && !c.dohPlain) ? readTls(c.tls) : null;
      for (const at of c.dot.map((l) => parseListen(l, 853))) {
        const d = await listenDot(at, handler, tls!);
        closers.push(d.close);
        addresses.push({ proto: 'dot', host: at.host, port: d.port });
      }
      for (const at of c.doh.map((l) => parseListen(l, 443))) {
        const h = await listenDoh(at, handler, { tls: c.dohPlain ? null : tls!, path: c.dohPath, forwardedFor: c.dohForwardedFor });
        closers.push(h.close);
        addresses.push({ proto: 'doh', host: at.host, port: h.port });
      }
    } catch (e) {
      for (const c of closers) await c();
      stages.upstream.close();
      if (e instanceof MinewardenError) throw e;
      const err = e as NodeJS.ErrnoException;
      throw new MinewardenError('MW_ERR_CONFIG', `dns: cannot listen on ${[...deps.config.listen, ...deps.config.dot, ...deps.config.doh].join(', ')}: ${err.code ?? err.message}${err.code === 'EACCES' ? ' (port 53 needs root or CAP_NET_BIND_SERVICE)' : ''}`);
    }
    return new Gateway(deps, listens, chain, stages, handler, addresses, closers, workers);
  }

  /**
   * Applies a new `dns` config without a restart and without a lost query: a new chain is built
   * and swapped in; the cache is kept, and the upstreams too unless their config changed. Listen
   * addresses are not changed by a reload.
   */
  reload(config: DnsConfig): string[] {
    const sameUpstreams = JSON.stringify([config.upstreams, config.forwardZones, config.timeout]) ===
      JSON.stringify([this.deps.config.upstreams, this.deps.config.forwardZones, this.deps.config.timeout]);
    const old = this.stages;
    this.deps = { ...this.deps, config };
    const { chain, stages } = buildChain(this.deps, this.listens, { cache: old.cache, ...(sameUpstreams ? { upstream: old.upstream } : {}) });
    this.chain = chain;
    this.stages = stages;
    this.handler.setChain(chain);
    if (!sameUpstreams) old.upstream.close();
    this.workers?.reload(config);
    return this.describe();
  }

  /** This thread's counters plus every worker's last report. */
  totals(): GatewayTotals {
    const h = this.handler.stats;
    const c = this.stages.cache;
    const latency = new LatencyCounts();
    latency.add(this.handler.latency);
    const t: GatewayTotals = {
      threads: 1 + (this.workers?.size ?? 0), queries: h.queries, malformed: h.malformed, dropped: h.dropped, errors: h.errors, logDrops: h.logDrops,
      byOutcome: new Map(h.byOutcome), byCategory: new Map(h.byCategory), cache: { ...c.stats, size: c.size }, latency,
    };
    for (const w of this.workers?.stats.values() ?? []) {
      t.queries += w.queries;
      t.malformed += w.malformed;
      t.dropped += w.dropped;
      t.errors += w.errors;
      t.logDrops += w.logDrops;
      for (const [k, n] of w.byOutcome) t.byOutcome.set(k, (t.byOutcome.get(k) ?? 0) + n);
      for (const [k, n] of w.byCategory) t.byCategory.set(k, (t.byCategory.get(k) ?? 0) + n);
      t.cache.hits += w.cache.hits;
      t.cache.misses += w.cache.misses;
      t.cache.stale += w.cache.stale;
      t.cache.prefetches += w.cache.prefetches;
      t.cache.size += w.cache.size;
      latency.add(w.latency);
    }
    return t;
  }

  describe(): string[] {
    return this.chain.stages.map((s, i) => `${i + 1}. ${s.name}: ${s.describe()}`);
  }

  async close(): Promise<void> {
    for (const c of this.closers) await c();
    this.stages.upstream.close();
  }
}
