/**
 * A DNS worker thread: the same chain as the main thread (built by buildChain from the same
 * config), answering UDP on the main thread's ports through its own SO_REUSEPORT sockets. Its
 * intelligence is the main thread's matcher memory (shared, not copied), its units a copy of the
 * tree, its cache its own. Its query log goes to the main thread's event writer as columnar
 * batches; blocked names go there too, for the sinkhole, and queries that matched an indicator,
 * for the detectors.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nowSeconds } from '../../core/time.ts';
import { silentLogger } from '../../core/log.ts';
import { EventSink, type BatchWriter } from '../../events/index.ts';
import { IntelMatcher } from '../../intel/index.ts';
import type { DnsEvent } from '../../model/events.ts';
import type { Unit } from '../../model/org.ts';
import { AddressResolver, UnitTree } from '../../org/index.ts';
import { transferList } from '../../store/index.ts';
import type { ThreatHit, ThreatLookup } from '../chain/intel.ts';
import { buildChain, type GatewayDeps, type Stages } from '../gateway.ts';
import { QueryHandler } from '../server/handler.ts';
import { listenUdp, type UdpListener } from '../server/udp.ts';
import { tapBlocked } from '../sinkhole/local.ts';
import type { FromWorker, SharedIntel, ToWorker, WorkerInit, WorkerStats } from './protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** The intelligence as the engine answers it: the matcher, then the allowlist's veto. */
function lookupOver(shared: SharedIntel): ThreatLookup {
  const current = new IntelMatcher(shared.matcher);
  const allow = new IntelMatcher(shared.allow);
  const hit = (id: number): ThreatHit | null => {
    if (id < 0) return null;
    const e = current.entry(id);
    return { value: e.value, category: e.category, source: e.source };
  };
  return {
    domain: (name) => {
      const id = current.matchDomain(name, nowSeconds());
      return id >= 0 && allow.size > 0 && allow.matchDomain(name, 0) >= 0 ? null : hit(id);
    },
    ip: (address) => {
      const id = current.matchIp(address, nowSeconds());
      return id >= 0 && allow.size > 0 && allow.matchIp(address, 0) >= 0 ? null : hit(id);
    },
    size: () => current.size,
    generation: () => shared.generation,
  };
}

function orgOver(units: readonly Unit[]): GatewayDeps['org'] {
  const tree = UnitTree.build(units);
  const resolver = new AddressResolver(tree);
  return {
    resolve: (ip, site) => resolver.resolve(ip, site ?? ''),
    lineage: (unitId) => (tree.get(unitId) === undefined ? [] : [unitId, ...tree.ancestors(unitId).map((u) => u.id).reverse()]),
  };
}

let pending = 0;
const writer: BatchWriter = {
  write: (batch) => {
    post({ t: 'events', batch }, transferList(batch));
    return true;
  },
  noteHostNames: () => undefined,
  flush: () => Promise.resolve(),
  status: () => ({ pending }),
};

// Indirections the chain holds, so that an update swaps what they point at.
let intel = lookupOver(init.intel);
let org = orgOver(init.units);
const deps: GatewayDeps = {
  config: init.config,
  intel: { domain: (n) => intel.domain(n), ip: (a) => intel.ip(a), size: () => intel.size(), generation: () => intel.generation!() },
  org: { resolve: (ip, site) => org.resolve(ip, site), lineage: (u) => org.lineage(u) },
  queryLog: null,
  // The main thread built the same chain from the same config and said what there was to say.
  log: silentLogger(),
  resolvConf: init.resolvConf,
};
const sink = new EventSink(writer, { resolve: (ip, site) => org.resolve(ip, site) });
const blockedTap = tapBlocked(sink, { noteBlocked: (client, name) => post({ t: 'blocked', client, name }) });
// Queries that matched an indicator also go to the main thread, whole: its stream detectors turn
// them into alerts (they are few; every query still reaches the store through the batches).
deps.queryLog = {
  record(ev: DnsEvent): boolean {
    if (ev.indicator !== undefined && ev.indicator !== null) post({ t: 'matched', ev });
    return blockedTap.record(ev);
  },
};

const listens = init.udp;
let { chain, stages } = buildChain(deps, listens);
const handler = new QueryHandler(chain, deps.queryLog);
const sockets: UdpListener[] = [];

function stats(s: Stages): WorkerStats {
  const h = handler.stats;
  return {
    queries: h.queries, malformed: h.malformed, dropped: h.dropped, errors: h.errors, logDrops: h.logDrops,
    byOutcome: [...h.byOutcome], byCategory: [...h.byCategory],
    cache: { ...s.cache.stats, size: s.cache.size },
    latency: handler.latency.snapshot(),
  };
}

const timer = setInterval(() => post({ t: 'stats', index: init.index, stats: stats(stages) }), 1000);

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'config': {
      const sameUpstreams = JSON.stringify([m.config.upstreams, m.config.forwardZones, m.config.timeout]) === JSON.stringify([deps.config.upstreams, deps.config.forwardZones, deps.config.timeout]);
      const old = stages;
      deps.config = m.config;
      ({ chain, stages } = buildChain(deps, listens, { cache: old.cache, ...(sameUpstreams ? { upstream: old.upstream } : {}) }));
      handler.setChain(chain);
      if (!sameUpstreams) old.upstream.close();
      break;
    }
    case 'intel':
      intel = lookupOver(m.intel);
      break;
    case 'units':
      org = orgOver(m.units);
      break;
    case 'pending':
      pending = m.pending;
      break;
    case 'stop':
      void stop();
      break;
  }
});

async function stop(): Promise<void> {
  clearInterval(timer);
  for (const s of sockets) await s.close();
  stages.upstream.close();
  await sink.close();
  post({ t: 'stats', index: init.index, stats: stats(stages) });
  post({ t: 'stopped', index: init.index });
  port.close();
}

try {
  for (const at of listens) sockets.push(await listenUdp(at, handler, { reusePort: true }));
  post({ t: 'ready', index: init.index });
} catch (e) {
  for (const s of sockets) await s.close();
  post({ t: 'failed', index: init.index, message: e instanceof Error ? e.message : String(e) });
  clearInterval(timer);
  port.close();
}
