/** Line files for the sensors that read logs (Zeek, Suricata EVE): see lines.ts. */
export {
  ByteLineSplitter, isGzip, LineSplitter, LOG_FILE, readLines, type ByteLineChunk, type ByteLines, type FilePosition, type LineChunk, type ReadLinesOptions,
} from './lines.ts';
