/** Suricata EVE JSON: the sensor, and the pure line mapper for tools, tests and benchmarks. */
export { EveSensor, type EveSensorConfig, type EveStats } from './sensor.ts';
export { mapEveLine, CollectingSink, type EveSink, type EveMapContext } from './map.ts';
export type { FileSeen, DnsFrom } from './apps.ts';
export type { EveContext } from './flow.ts';
export { qtypeNumber, rcodeNumber, protoNumber, tcpFlagLetters, parseSuricataTime } from './codes.ts';
