/** Line files for the sensors that read logs (Zeek, Suricata EVE): see lines.ts. */
export { isGzip, LineSplitter, LOG_FILE, readLines, type FilePosition, type LineChunk, type ReadLinesOptions } from './lines.ts';
