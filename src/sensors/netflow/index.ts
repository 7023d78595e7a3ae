/** NetFlow v5/v9 and IPFIX: the collector sensor, and its decoder for tests, benchmarks and replay. */
export { NetflowCollector, parseListen, type NetflowConfig } from './collector.ts';
export { decodeNetflow, type DecodeResult, type FlowRecord } from './decode.ts';
export { TemplateCache, type TemplateCacheOptions } from './cache.ts';
export { FlowJoiner, tcpLetters, type JoinOptions } from './join.ts';
