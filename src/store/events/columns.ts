/**
 * The column layout of each event kind, shared by the batch builder (main thread), the writer
 * (worker thread) and every backend. Numbers travel in typed arrays, strings in arrays, so a batch
 * crosses to the writer thread with its buffers transferred, not copied object by object.
 *
 * A column is never renamed or re-typed: a change is a new column and a new migration.
 */
import { DNS_OUTCOMES, SEVERITIES, type EventKind } from '../../model/events.ts';

/**
 * time: ms since the epoch (Float64Array, stored as BIGINT); big: non-negative integer up to 2^53
 * (Float64Array, BIGINT); u32/u16/u8: unsigned integers; str: text or null; json: text (JSON).
 */
export type ColumnType = 'time' | 'big' | 'u32' | 'u16' | 'u8' | 'str' | 'json';

export interface ColumnDef {
  /** Field of the event object (model/events.ts). */
  field: string;
  /** Column name in the store. */
  col: string;
  type: ColumnType;
  /** Codes stored as the index into this list (outcome, severity). */
  codes?: readonly string[];
  /** A text column that is never null: a missing value is stored as ''. */
  required?: true;
}

/**
 * Columns every kind starts with. `client` and `site` name the host; the writer turns them into
 * a host id (`host_id` in the store) and keeps the hosts table.
 */
export const COMMON_COLUMNS: readonly ColumnDef[] = [
  { field: 'ts', col: 'ts', type: 'time' },
  { field: 'client', col: 'client', type: 'str', required: true },
  { field: 'site', col: 'site', type: 'str', required: true },
  { field: 'unit', col: 'unit', type: 'str' },
];

export const KIND_COLUMNS: Readonly<Record<EventKind, readonly ColumnDef[]>> = {
  dns: [
    { field: 'via', col: 'via', type: 'str' },
    { field: 'name', col: 'name', type: 'str', required: true },
    { field: 'qtype', col: 'qtype', type: 'u16' },
    { field: 'rcode', col: 'rcode', type: 'u8' },
    { field: 'outcome', col: 'outcome', type: 'u8', codes: DNS_OUTCOMES },
    { field: 'reason', col: 'reason', type: 'str' },
    { field: 'indicator', col: 'indicator', type: 'str' },
    { field: 'category', col: 'category', type: 'str' },
    { field: 'latencyUs', col: 'latency_us', type: 'u32' },
  ],
  flow: [
    { field: 'end', col: 'ts_end', type: 'time' },
    { field: 'src', col: 'src', type: 'str', required: true },
    { field: 'srcPort', col: 'src_port', type: 'u16' },
    { field: 'dst', col: 'dst', type: 'str', required: true },
    { field: 'dstPort', col: 'dst_port', type: 'u16' },
    { field: 'proto', col: 'proto', type: 'u8' },
    { field: 'bytesOut', col: 'bytes_out', type: 'big' },
    { field: 'pktsOut', col: 'pkts_out', type: 'big' },
    { field: 'bytesIn', col: 'bytes_in', type: 'big' },
    { field: 'pktsIn', col: 'pkts_in', type: 'big' },
    { field: 'tcpState', col: 'tcp_state', type: 'str' },
    { field: 'sensor', col: 'sensor', type: 'str' },
  ],
  http: [
    { field: 'server', col: 'server', type: 'str' },
    { field: 'serverPort', col: 'server_port', type: 'u16' },
    { field: 'method', col: 'method', type: 'str' },
    { field: 'host', col: 'host', type: 'str' },
    { field: 'url', col: 'url', type: 'str' },
    { field: 'status', col: 'status', type: 'u16' },
    { field: 'userAgent', col: 'user_agent', type: 'str' },
    { field: 'contentType', col: 'content_type', type: 'str' },
    { field: 'size', col: 'size', type: 'big' },
    { field: 'sensor', col: 'sensor', type: 'str' },
  ],
  tls: [
    { field: 'server', col: 'server', type: 'str' },
    { field: 'serverPort', col: 'server_port', type: 'u16' },
    { field: 'sni', col: 'sni', type: 'str' },
    { field: 'ja3', col: 'ja3', type: 'str' },
    { field: 'ja4', col: 'ja4', type: 'str' },
    { field: 'version', col: 'version', type: 'str' },
    { field: 'subject', col: 'subject', type: 'str' },
    { field: 'issuer', col: 'issuer', type: 'str' },
    { field: 'sensor', col: 'sensor', type: 'str' },
  ],
  sinkhole: [
    { field: 'port', col: 'port', type: 'u16' },
    { field: 'proto', col: 'proto', type: 'str' },
    { field: 'name', col: 'name', type: 'str' },
    { field: 'said', col: 'said', type: 'str' },
  ],
  alert: [
    { field: 'detector', col: 'detector', type: 'str', required: true },
    { field: 'severity', col: 'severity', type: 'u8', codes: SEVERITIES },
    { field: 'title', col: 'title', type: 'str', required: true },
    { field: 'indicator', col: 'indicator', type: 'str' },
    { field: 'evidence', col: 'evidence', type: 'json' },
  ],
};

/** Every column of a kind, common ones first, in store order. */
export function columnsOf(kind: EventKind): readonly ColumnDef[] {
  return [...COMMON_COLUMNS, ...KIND_COLUMNS[kind]];
}

/** The table that holds a kind. */
export function tableOf(kind: EventKind): string {
  return `${kind}_events`;
}
