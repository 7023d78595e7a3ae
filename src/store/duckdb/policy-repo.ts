/**
 * PolicyStore on DuckDB (migration 6): `policy_versions` append-only, one row per version of a
 * scope (the document as JSON text); `policy_groups` one row per group (units as JSON text);
 * `policy_revision` one counter bumped in the same transaction as every change; `gateways` one row
 * per gateway, upserted by its heartbeat.
 */
import type { GatewayStatus, PolicyDocument, PolicyGroup, PolicyScope, PolicyVersion } from '../../model/policy.ts';
import type { PolicyStore } from '../policy.ts';
import { type Db, type Row, num, str } from './db.ts';

const VERSION_COLUMNS = 'scope, version, document, author, created_at, comment, rolled_back_from';

function toVersion(r: Row): PolicyVersion {
  return {
    scope: str(r.scope),
    version: num(r.version),
    document: JSON.parse(str(r.document)) as PolicyDocument,
    author: str(r.author),
    createdAt: num(r.created_at),
    comment: str(r.comment),
    rolledBackFrom: r.rolled_back_from === null || r.rolled_back_from === undefined ? null : num(r.rolled_back_from),
  };
}

function toGateway(r: Row): GatewayStatus {
  return {
    id: str(r.id),
    hostname: str(r.hostname),
    startedAt: num(r.started_at),
    lastSeenAt: num(r.last_seen_at),
    policyRevision: num(r.policy_revision),
    appliedAt: r.applied_at === null || r.applied_at === undefined ? null : num(r.applied_at),
  };
}

const BUMP = 'UPDATE policy_revision SET revision = revision + 1 WHERE id = 1';

export class DuckDbPolicyStore implements PolicyStore {
  constructor(private readonly db: Db) {}

  async current(): Promise<PolicyVersion[]> {
    const rows = await this.db.all(
      `SELECT ${VERSION_COLUMNS} FROM policy_versions v
       WHERE version = (SELECT max(version) FROM policy_versions w WHERE w.scope = v.scope)
       ORDER BY scope`,
    );
    return rows.map(toVersion);
  }

  async history(scope: PolicyScope, limit?: number): Promise<PolicyVersion[]> {
    const rows = await this.db.all(
      `SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE scope = $1 ORDER BY version DESC${limit === undefined ? '' : ' LIMIT $2'}`,
      limit === undefined ? [scope] : [scope, Math.max(0, Math.floor(limit))],
    );
    return rows.map(toVersion);
  }

  async getVersion(scope: PolicyScope, version: number): Promise<PolicyVersion | null> {
    const [row] = await this.db.all(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE scope = $1 AND version = $2`, [scope, version]);
    return row === undefined ? null : toVersion(row);
  }

  append(v: { scope: PolicyScope; document: PolicyDocument; author: string; createdAt: number; comment: string; rolledBackFrom: number | null }): Promise<PolicyVersion> {
    return this.db.transaction(async (c) => {
      const r = await c.runAndReadAll('SELECT coalesce(max(version), 0) AS v FROM policy_versions WHERE scope = $1', [v.scope]);
      const version = num(r.getRowObjects()[0]?.v) + 1;
      await c.run(`INSERT INTO policy_versions (${VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        v.scope, version, JSON.stringify(v.document), v.author, v.createdAt, v.comment, v.rolledBackFrom,
      ]);
      await c.run(BUMP);
      return { scope: v.scope, version, document: v.document, author: v.author, createdAt: v.createdAt, comment: v.comment, rolledBackFrom: v.rolledBackFrom };
    });
  }

  async listGroups(): Promise<PolicyGroup[]> {
    const rows = await this.db.all('SELECT name, description, units, updated_at FROM policy_groups ORDER BY name');
    return rows.map((r) => ({ name: str(r.name), description: str(r.description), units: JSON.parse(str(r.units)) as string[], updatedAt: num(r.updated_at) }));
  }

  putGroup(g: PolicyGroup): Promise<void> {
    return this.db.transaction(async (c) => {
      await c.run('DELETE FROM policy_groups WHERE name = $1', [g.name]);
      await c.run('INSERT INTO policy_groups VALUES ($1, $2, $3, $4)', [g.name, g.description, JSON.stringify(g.units), g.updatedAt]);
      await c.run(BUMP);
    });
  }

  deleteGroup(name: string): Promise<boolean> {
    return this.db.transaction(async (c) => {
      const r = await c.runAndReadAll('SELECT count(*) AS n FROM policy_groups WHERE name = $1', [name]);
      if (num(r.getRowObjects()[0]?.n) === 0) return false;
      await c.run('DELETE FROM policy_groups WHERE name = $1', [name]);
      await c.run(BUMP);
      return true;
    });
  }

  async revision(): Promise<number> {
    const [row] = await this.db.all('SELECT revision FROM policy_revision WHERE id = 1');
    return num(row?.revision);
  }

  heartbeat(g: GatewayStatus): Promise<void> {
    return this.db.transaction(async (c) => {
      await c.run('DELETE FROM gateways WHERE id = $1', [g.id]);
      await c.run('INSERT INTO gateways VALUES ($1, $2, $3, $4, $5, $6)', [g.id, g.hostname, g.startedAt, g.lastSeenAt, g.policyRevision, g.appliedAt]);
    });
  }

  async gateways(since: number): Promise<GatewayStatus[]> {
    const rows = await this.db.all('SELECT * FROM gateways WHERE last_seen_at >= $1 ORDER BY id', [since]);
    return rows.map(toGateway);
  }
}
