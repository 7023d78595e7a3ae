/**
 * Front door of the sensors: the runtime `serve` starts from config (NetFlow/IPFIX, Zeek,
 * Suricata EVE, syslog, HTTP ingest), one-shot file reading (pcap, Zeek, EVE, NetFlow captures),
 * their metrics, and the pieces the detectors will read.
 */
export { SensorRuntime, SENSORS, describeSensors, internalTest, type SensorContext, type SensorDeclaration } from './runtime.ts';
export { readFiles, detectKind, FILE_KINDS, type FileKind, type ReadResult } from './read.ts';
export { registerSensorMetrics } from './metrics.ts';
export { SensorHealth, type EventOutput, type Sensor, type SensorHealthView, type BadSample } from './types.ts';
export { isInternalDefault } from './net.ts';
export { HttpIngest, type IngestReply } from './http/receiver.ts';
export type { PayloadMessage, PcapHttp } from './pcap/index.ts';
export type { FileSeen as ZeekFileSeen } from './zeek/index.ts';
export type { FileSeen as EveFileSeen } from './eve/index.ts';
