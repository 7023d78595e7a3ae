/** The Zeek sensor: Zeek's logs (TSV or JSON) → flow, DNS, HTTP and TLS events. */
export { ZeekSensor, type ZeekSensorConfig } from './sensor.ts';
export { ZeekLineReader, type ZeekReaderOptions } from './reader.ts';
export type { FileSeen, HttpContext } from './enrich.ts';
export type { WeirdSeen } from './map.ts';
