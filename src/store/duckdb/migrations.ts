/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each.
 * A migration is never edited once released: a change is a new migration, so no data is lost.
 */
import type { Db } from './db.ts';
import { num } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'threat intelligence: indicators, feeds, allowlist',
    sql: [
      `CREATE TABLE indicators (
        source VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        category VARCHAR NOT NULL,
        family VARCHAR NOT NULL,
        confidence UTINYINT NOT NULL,
        first_seen DOUBLE NOT NULL,
        last_seen DOUBLE NOT NULL,
        valid_until DOUBLE NOT NULL,
        tags VARCHAR NOT NULL,
        reference VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        hold_reason VARCHAR NOT NULL
      )`,
      `CREATE TABLE feeds (
        name VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        entries INTEGER NOT NULL,
        rejected_lines INTEGER NOT NULL,
        held INTEGER NOT NULL,
        last_attempt DOUBLE NOT NULL,
        last_success DOUBLE NOT NULL,
        last_error VARCHAR NOT NULL,
        etag VARCHAR NOT NULL,
        last_modified VARCHAR NOT NULL
      )`,
      `CREATE TABLE allowlist (
        type VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        comment VARCHAR NOT NULL,
        added_at DOUBLE NOT NULL,
        PRIMARY KEY (type, value)
      )`,
      `CREATE TABLE review_releases (
        type VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        released_at DOUBLE NOT NULL,
        PRIMARY KEY (type, value)
      )`,
    ],
  },
  {
    version: 2,
    name: 'intel revision counter (lets a matcher snapshot on disk prove it is current)',
    sql: [
      `CREATE TABLE intel_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)`,
      `INSERT INTO intel_revision VALUES (1, 1)`,
    ],
  },
  {
    version: 3,
    name: 'organisation units and their revision counter',
    sql: [
      // position keeps the order the org file gave (siblings are listed in that order);
      // contacts are JSON text, since a contact is a small open record (name, email, phone, role).
      `CREATE TABLE units (
        id VARCHAR PRIMARY KEY,
        position INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        parent_id VARCHAR,
        kind VARCHAR,
        site VARCHAR NOT NULL,
        cidrs VARCHAR[] NOT NULL,
        egress VARCHAR[] NOT NULL,
        contacts VARCHAR NOT NULL
      )`,
      `CREATE TABLE org_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)`,
      `INSERT INTO org_revision VALUES (1, 1)`,
    ],
  },
  {
    version: 4,
    name: 'incidents: hosts, evidence timeline, notes, audit trail',
    sql: [
      `CREATE SEQUENCE incident_ids START 1`,
      // severity is the index in SEVERITIES so "at least high" is a comparison; hosts are JSON text
      // (a campaign lists hundreds, always read whole with the incident).
      `CREATE TABLE incidents (
        id BIGINT PRIMARY KEY,
        kind VARCHAR NOT NULL,
        threat VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        severity UTINYINT NOT NULL,
        confidence DOUBLE NOT NULL,
        stage VARCHAR NOT NULL,
        unit VARCHAR,
        controller VARCHAR,
        indicator VARCHAR,
        first_seen DOUBLE NOT NULL,
        last_seen DOUBLE NOT NULL,
        state VARCHAR NOT NULL,
        assignee VARCHAR,
        campaign_id BIGINT,
        alerts INTEGER NOT NULL,
        hosts VARCHAR NOT NULL,
        updated_at DOUBLE NOT NULL
      )`,
      // seq keeps the timeline in the order it was given (ties in ts stay in alert order).
      `CREATE TABLE incident_timeline (
        incident_id BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        ts DOUBLE NOT NULL,
        client VARCHAR NOT NULL,
        detector VARCHAR NOT NULL,
        stage VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        evidence VARCHAR NOT NULL,
        events VARCHAR NOT NULL
      )`,
      `CREATE TABLE incident_notes (incident_id BIGINT NOT NULL, ts DOUBLE NOT NULL, actor VARCHAR NOT NULL, text VARCHAR NOT NULL)`,
      `CREATE TABLE incident_changes (
        incident_id BIGINT NOT NULL,
        ts DOUBLE NOT NULL,
        actor VARCHAR NOT NULL,
        field VARCHAR NOT NULL,
        from_value VARCHAR,
        to_value VARCHAR
      )`,
    ],
  },
  {
    version: 5,
    name: 'users, sessions, API tokens, role settings, audit log',
    sql: [
      `CREATE SEQUENCE user_ids START 1`,
      `CREATE SEQUENCE audit_ids START 1`,
      // username_key (lower case) carries the case-insensitive uniqueness; units are JSON text.
      // No foreign keys: deleteUser removes sessions and tokens in the same transaction.
      `CREATE TABLE users (
        id BIGINT PRIMARY KEY,
        username VARCHAR NOT NULL,
        username_key VARCHAR NOT NULL UNIQUE,
        display_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        units VARCHAR NOT NULL,
        language VARCHAR NOT NULL,
        disabled BOOLEAN NOT NULL,
        totp_enabled BOOLEAN NOT NULL,
        created_at DOUBLE NOT NULL,
        last_login_at DOUBLE,
        failed_logins INTEGER NOT NULL,
        locked_until DOUBLE,
        password_hash VARCHAR NOT NULL,
        totp_secret VARCHAR,
        totp_pending VARCHAR,
        totp_last_step BIGINT
      )`,
      `CREATE TABLE sessions (
        id_hash VARCHAR PRIMARY KEY,
        user_id BIGINT NOT NULL,
        created_at DOUBLE NOT NULL,
        last_seen_at DOUBLE NOT NULL,
        expires_at DOUBLE NOT NULL,
        csrf VARCHAR NOT NULL,
        totp_passed BOOLEAN NOT NULL,
        ip VARCHAR,
        user_agent VARCHAR
      )`,
      `CREATE TABLE api_tokens (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        user_id BIGINT NOT NULL,
        prefix VARCHAR NOT NULL,
        hash VARCHAR NOT NULL UNIQUE,
        created_at DOUBLE NOT NULL,
        last_used_at DOUBLE,
        expires_at DOUBLE
      )`,
      `CREATE TABLE role_settings (role VARCHAR PRIMARY KEY, totp_required BOOLEAN NOT NULL)`,
      // before/after are JSON text (null when there is nothing on that side).
      `CREATE TABLE audit_log (
        id BIGINT PRIMARY KEY,
        ts DOUBLE NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        before_value VARCHAR,
        after_value VARCHAR,
        ip VARCHAR
      )`,
    ],
  },
  {
    version: 6,
    name: 'policies: versions per scope, groups of units, revision counter, gateways',
    sql: [
      // Versions are append-only; the document is JSON text (a small open record, read whole).
      `CREATE TABLE policy_versions (
        scope VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        document VARCHAR NOT NULL,
        author VARCHAR NOT NULL,
        created_at DOUBLE NOT NULL,
        comment VARCHAR NOT NULL,
        rolled_back_from INTEGER,
        PRIMARY KEY (scope, version)
      )`,
      `CREATE TABLE policy_groups (name VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, units VARCHAR NOT NULL, updated_at DOUBLE NOT NULL)`,
      `CREATE TABLE policy_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)`,
      `INSERT INTO policy_revision VALUES (1, 1)`,
      `CREATE TABLE gateways (
        id VARCHAR PRIMARY KEY,
        hostname VARCHAR NOT NULL,
        started_at DOUBLE NOT NULL,
        last_seen_at DOUBLE NOT NULL,
        policy_revision BIGINT NOT NULL,
        applied_at DOUBLE
      )`,
    ],
  },
];

export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`);
  const rows = await db.all('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((r) => num(r.version)));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await db.transaction(async (c) => {
      for (const stmt of m.sql) await c.run(stmt);
      await c.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}
