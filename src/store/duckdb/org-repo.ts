/**
 * OrgStore on DuckDB: one `units` row per unit, `position` keeping the order it was given in.
 * A replace writes only when the set differs, so the revision moves exactly when the tree did.
 */
import { LIST, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { MinewardenError } from '../../core/errors.ts';
import type { Unit, UnitContact } from '../../model/org.ts';
import type { OrgStore } from '../types.ts';
import { type Db, type Row, num, str } from './db.ts';

const SELECT = 'SELECT id, name, parent_id, kind, site, cidrs, egress, contacts FROM units ORDER BY position';
const LIST_OF_TEXT = LIST(VARCHAR);

function texts(v: DuckDBValue | undefined): string[] {
  return v !== null && typeof v === 'object' && 'items' in v ? v.items.map((i) => str(i)) : [];
}

function contactsFrom(text: string, id: string): UnitContact[] {
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) throw new MinewardenError('MW_ERR_STORE', `unit "${id}": stored contacts are not a list`);
  return raw.map((c: unknown) => {
    const o = (c !== null && typeof c === 'object' ? c : {}) as Record<string, unknown>;
    const contact: UnitContact = { name: typeof o.name === 'string' ? o.name : '' };
    for (const key of ['email', 'phone', 'role'] as const) {
      const v = o[key];
      if (typeof v === 'string') contact[key] = v;
    }
    return contact;
  });
}

function toUnit(r: Row): Unit {
  const id = str(r.id);
  const unit: Unit = {
    id,
    name: str(r.name),
    parentId: r.parent_id === null ? null : str(r.parent_id),
    cidrs: texts(r.cidrs),
    site: str(r.site),
    egress: texts(r.egress),
    contacts: contactsFrom(str(r.contacts), id),
  };
  if (r.kind !== null) unit.kind = str(r.kind);
  return unit;
}

/** A canonical form for "did the set change": field order fixed, absent kind = null. */
function canonical(units: readonly Unit[]): string {
  return JSON.stringify(
    units.map((u) => [u.id, u.name, u.parentId, u.kind ?? null, u.site, u.cidrs, u.egress, u.contacts.map((c) => [c.name, c.email ?? null, c.phone ?? null, c.role ?? null])]),
  );
}

async function readAll(c: DuckDBConnection): Promise<Unit[]> {
  const reader = await c.runAndReadAll(SELECT);
  return reader.getRowObjects().map(toUnit);
}

export class DuckDbOrgStore implements OrgStore {
  constructor(private readonly db: Db) {}

  listUnits(): Promise<Unit[]> {
    return this.db.exclusive(readAll);
  }

  replaceUnits(units: readonly Unit[]): Promise<void> {
    return this.db.transaction(async (c) => {
      if (canonical(await readAll(c)) === canonical(units)) return;
      await c.run('DELETE FROM units');
      const app = await c.createAppender('units');
      // A duplicate id fails the flush (primary key) and the transaction rolls back.
      try {
        units.forEach((u, position) => {
          app.appendVarchar(u.id);
          app.appendInteger(position);
          app.appendVarchar(u.name);
          if (u.parentId === null) app.appendNull();
          else app.appendVarchar(u.parentId);
          if (u.kind === undefined) app.appendNull();
          else app.appendVarchar(u.kind);
          app.appendVarchar(u.site);
          app.appendList([...u.cidrs], LIST_OF_TEXT);
          app.appendList([...u.egress], LIST_OF_TEXT);
          app.appendVarchar(JSON.stringify(u.contacts));
          app.endRow();
        });
        app.flushSync();
      } finally {
        try {
          app.closeSync();
        } catch {
          // the flush has already failed with the real reason
        }
      }
      await c.run('UPDATE org_revision SET revision = revision + 1 WHERE id = 1');
    });
  }

  async revision(): Promise<number> {
    const rows = await this.db.all('SELECT revision FROM org_revision WHERE id = 1');
    return num(rows[0]?.revision);
  }
}
