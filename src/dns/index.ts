/**
 * Front door of the DNS gateway: the gateway and its chain, and the pieces the sinkhole,
 * forwarder and metrics use.
 */
export { Gateway, buildChain, systemUpstreams, parseListen, type GatewayDeps, type Stages } from './gateway.ts';
export type { ThreatHit, ThreatLookup } from './chain/intel.ts';
export type { Answer, Query, Stage } from './chain/types.ts';
export { readOdns, writeOdns, readEcs } from './chain/identity.ts';
export { registerDnsMetrics } from './metrics.ts';
export { intelLookup, orgLookup } from './adapters.ts';
export { Forwarder, type ForwarderConfig } from './forwarder.ts';
export { Sinkhole, DEFAULT_SINKHOLE_PORTS, localSinkholeHosts, tapBlocked, registerSinkholeMetrics, type SinkholeStats } from './sinkhole/index.ts';
export { decode as decodeDnsMessage, type Message as DnsMessage } from './wire/index.ts';
