/**
 * Schema of the events database (`DATA_DIR/events.duckdb`), kept apart from the state database so
 * that the event writer owns its file (and, at scale-out, ClickHouse takes this part). Same rules
 * as ../migrations.ts: a released migration is never edited; a change is a new one.
 *
 * Times are BIGINT milliseconds. A host is (site, address) → `hosts.id`; events keep only the id,
 * which compresses to two or three bytes. Codes (outcome, severity) are indexes into the lists in
 * model/events.ts. The tables' columns must match store/events/columns.ts (a test checks it).
 */
import type { Migration } from '../migrations.ts';

export const EVENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events: hosts, one table per kind, roll-ups',
    sql: [
      `CREATE TABLE hosts (
        id UINTEGER PRIMARY KEY,
        site VARCHAR NOT NULL,
        address VARCHAR NOT NULL,
        unit VARCHAR,
        first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        names VARCHAR NOT NULL DEFAULT '[]'
      )`,
      `CREATE TABLE dns_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        via VARCHAR, name VARCHAR NOT NULL, qtype USMALLINT NOT NULL, rcode UTINYINT NOT NULL,
        outcome UTINYINT NOT NULL, reason VARCHAR, indicator VARCHAR, category VARCHAR,
        latency_us UINTEGER NOT NULL
      )`,
      `CREATE TABLE flow_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        ts_end BIGINT NOT NULL, src VARCHAR NOT NULL, src_port USMALLINT NOT NULL,
        dst VARCHAR NOT NULL, dst_port USMALLINT NOT NULL, proto UTINYINT NOT NULL,
        bytes_out BIGINT NOT NULL, pkts_out BIGINT NOT NULL, bytes_in BIGINT NOT NULL, pkts_in BIGINT NOT NULL,
        tcp_state VARCHAR, sensor VARCHAR
      )`,
      `CREATE TABLE http_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        server VARCHAR, server_port USMALLINT NOT NULL, method VARCHAR, host VARCHAR, url VARCHAR,
        status USMALLINT NOT NULL, user_agent VARCHAR, content_type VARCHAR, size BIGINT NOT NULL, sensor VARCHAR
      )`,
      `CREATE TABLE tls_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        server VARCHAR, server_port USMALLINT NOT NULL, sni VARCHAR, ja3 VARCHAR, ja4 VARCHAR,
        version VARCHAR, subject VARCHAR, issuer VARCHAR, sensor VARCHAR
      )`,
      `CREATE TABLE sinkhole_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        port USMALLINT NOT NULL, proto VARCHAR, name VARCHAR, said VARCHAR
      )`,
      `CREATE TABLE alert_events (
        ts BIGINT NOT NULL, host_id UINTEGER NOT NULL, unit VARCHAR,
        detector VARCHAR NOT NULL, severity UTINYINT NOT NULL, title VARCHAR NOT NULL,
        indicator VARCHAR, evidence VARCHAR
      )`,
      // Per unit per hour: DNS queries by outcome and category (category '' when none).
      `CREATE TABLE rollup_dns_unit_hour (
        hour BIGINT NOT NULL, unit VARCHAR NOT NULL, outcome UTINYINT NOT NULL, category VARCHAR NOT NULL,
        queries BIGINT NOT NULL
      )`,
      // Per name per day: queries and how many were blocked.
      `CREATE TABLE rollup_dns_name_day (
        day BIGINT NOT NULL, name VARCHAR NOT NULL, queries BIGINT NOT NULL, blocked BIGINT NOT NULL
      )`,
      // Hours that received DNS events since their roll-up was computed (durable, so a restart
      // or an import of old logs never leaves a roll-up stale).
      `CREATE TABLE rollup_dirty (hour BIGINT PRIMARY KEY)`,
      `CREATE TABLE maintenance (task VARCHAR PRIMARY KEY, last_run BIGINT NOT NULL, detail VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'events: days rewritten in (host, time) order',
    sql: [
      // A closed day is rewritten sorted by host_id then ts (compact()), so that DuckDB's zone maps
      // skip every row group but the host's own when one host's events are read. A late event for
      // such a day removes the mark, and the day is rewritten again.
      `CREATE TABLE compacted_days (kind VARCHAR NOT NULL, day BIGINT NOT NULL, PRIMARY KEY (kind, day))`,
    ],
  },
  {
    version: 3,
    name: 'events: flow destinations per hour, for the fan-in lookback',
    sql: [
      // Per hour per destination: the hosts that sent flows to it (distinct, ascending), the flows
      // and the earliest start. The fan-in rarity rule reads whole clean hours of its lookback from
      // here and the edges and dirty hours from flow_events; one row per (hour, dst) keeps the scan
      // of destination strings several times shorter than the flows'.
      `CREATE TABLE rollup_flow_dst_hour (
        hour BIGINT NOT NULL, dst VARCHAR NOT NULL, hosts UINTEGER[] NOT NULL, flows BIGINT NOT NULL, first BIGINT NOT NULL
      )`,
      // Hours that received flows since their roll-up was computed (as rollup_dirty for DNS).
      `CREATE TABLE rollup_flow_dirty (hour BIGINT PRIMARY KEY)`,
      // Flows written before this version: every hour of them is computed by the next roll-up.
      `INSERT INTO rollup_flow_dirty SELECT DISTINCT ts // 3600000 * 3600000 FROM flow_events`,
    ],
  },
];
