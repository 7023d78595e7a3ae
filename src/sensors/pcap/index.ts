/**
 * The pcap/pcapng reader: a sensor reading capture files once, the file reader function, and the
 * pure pieces (record decoder, frame decoder, flow table, reassembly, ClientHello parser) for
 * tools, tests and benchmarks.
 */
export { PcapSensor, type PcapSensorConfig, type PcapSensorOptions } from './sensor.ts';
export { readPcap, internalWords, type ReadPcapOptions, type PcapSummary } from './reader.ts';
export { PcapDecoder, packetsOf, type RawPacket, type BytesSummary } from './file.ts';
export { Decoded, Res, decodeFrame, formatIp } from './packet.ts';
export { FlowTable, Flow, type FlowHooks, type FlowOptions } from './flows.ts';
export { Stream } from './reassembly.ts';
export { AppLayer, parseClientHello, type AppOptions, type AppSink, type ClientHello, type FiveTuple, type PayloadMessage, type PcapHttp } from './apps/index.ts';
