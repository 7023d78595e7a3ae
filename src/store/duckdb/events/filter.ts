/**
 * EventFilter → SQL WHERE clause. Times and ids are validated integers written into the SQL (so
 * DuckDB prunes row groups on `ts` with its zone maps); text goes in as bound parameters.
 */
import { DNS_OUTCOMES, type EventKind } from '../../../model/events.ts';
import { MinewardenError } from '../../../core/errors.ts';
import type { EventFilter, EventGroup } from '../../types.ts';

export interface Where {
  sql: string;
  params: string[];
}

/** The column a name-suffix filter applies to, per kind. */
const NAME_COLUMN: Partial<Record<EventKind, string>> = { dns: 'name', http: 'host', tls: 'sni', sinkhole: 'name' };

export function int(v: number, what: string): string {
  if (!Number.isFinite(v)) throw new MinewardenError('MW_ERR_BAD_INPUT', `${what} must be a number, not ${String(v)}`);
  return String(Math.trunc(v));
}

/**
 * Splits [from, to) into whole clean buckets of `size` ms (to read from a roll-up) and the rest —
 * the edges and the buckets in `dirty` — (to read from the events), as SQL conditions on `ts`.
 * `ranges` is the rest as disjoint [lo, hi) ranges, ascending and merged: one scan per range reads
 * only its row groups, where `raw` (an OR) scans the whole of [from, to).
 */
export function splitRange(
  from: number, to: number, size: number, dirty: Iterable<number>,
): { rollup: string; raw: string; ranges: Array<[number, number]> } {
  int(from, 'from');
  int(to, 'to');
  const fullFrom = Math.ceil(from / size) * size;
  const fullTo = Math.floor(Math.min(to, 8.64e15) / size) * size;
  if (fullTo <= fullFrom) {
    return { rollup: 'false', raw: `ts >= ${int(from, 'from')} AND ts < ${int(to, 'to')}`, ranges: from < to ? [[from, to]] : [] };
  }
  const inRange = [...new Set(dirty)].filter((d) => d >= fullFrom && d < fullTo).sort((a, b) => a - b);
  const list = inRange.map((d) => int(d, 'bucket')).join(', ');
  const rollup = `ts >= ${fullFrom} AND ts < ${fullTo}${inRange.length === 0 ? '' : ` AND ts NOT IN (${list})`}`;
  const rawParts = [`(ts >= ${int(from, 'from')} AND ts < ${fullFrom})`, `(ts >= ${fullTo} AND ts < ${int(to, 'to')})`];
  if (inRange.length > 0) rawParts.push(`(ts // ${size} * ${size} IN (${list}))`);
  const ranges: Array<[number, number]> = [];
  for (const [lo, hi] of [[from, fullFrom], ...inRange.map((d) => [d, d + size]), [fullTo, to]] as Array<[number, number]>) {
    if (hi <= lo) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] >= lo) last[1] = Math.max(last[1], hi);
    else ranges.push([Math.trunc(lo), Math.trunc(hi)]);
  }
  return { rollup, raw: `(${rawParts.join(' OR ')})`, ranges };
}

/**
 * Builds the WHERE clause; `hostId` must already be resolved from client/site by the caller
 * (null: the filter names a host that does not exist, so nothing matches).
 */
export function buildWhere(f: EventFilter, hostId: number | null | undefined, alias = ''): Where {
  const a = alias === '' ? '' : `${alias}.`;
  const parts: string[] = [];
  const params: string[] = [];
  const param = (v: string): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.from !== undefined) parts.push(`${a}ts >= ${int(f.from, 'from')}`);
  if (f.to !== undefined) parts.push(`${a}ts < ${int(f.to, 'to')}`);
  if (f.units !== undefined) {
    parts.push(f.units.length === 0 ? 'false' : `${a}unit IN (${f.units.map(param).join(', ')})`);
  }
  if (hostId === null) parts.push('false');
  else if (hostId !== undefined) parts.push(`${a}host_id = ${int(hostId, 'hostId')}`);
  if (f.outcomes !== undefined) {
    requireKind(f, 'dns', 'outcome');
    const codes = f.outcomes.map((o) => {
      const i = DNS_OUTCOMES.indexOf(o);
      if (i < 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown outcome "${o}" (one of ${DNS_OUTCOMES.join(', ')})`);
      return String(i);
    });
    parts.push(codes.length === 0 ? 'false' : `${a}outcome IN (${codes.join(', ')})`);
  }
  if (f.category !== undefined) {
    requireKind(f, 'dns', 'category');
    parts.push(`${a}category = ${param(f.category)}`);
  }
  if (f.detector !== undefined) {
    requireKind(f, 'alert', 'detector');
    parts.push(`${a}detector = ${param(f.detector)}`);
  }
  if (f.nameSuffix !== undefined) {
    const col = NAME_COLUMN[f.kind];
    if (col === undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', `${f.kind} events have no name to filter on`);
    const s = f.nameSuffix.toLowerCase().replace(/\.$/, '');
    const p = param(s);
    const p2 = param(`.${s}`);
    parts.push(`(${a}${col} = ${p} OR ends_with(${a}${col}, ${p2}))`);
  }
  return { sql: parts.length === 0 ? 'true' : parts.join(' AND '), params };
}

function requireKind(f: EventFilter, kind: EventKind, what: string): void {
  if (f.kind !== kind) throw new MinewardenError('MW_ERR_BAD_INPUT', `${f.kind} events have no ${what}`);
}

/** The SQL expression a group reads, per kind (null: the kind has no such field). */
export function groupColumn(kind: EventKind, by: EventGroup): string | null {
  switch (by) {
    case 'unit':
      return 'unit';
    case 'host':
      return 'host_id';
    case 'outcome':
      return kind === 'dns' ? 'outcome' : null;
    case 'category':
      return kind === 'dns' ? 'category' : null;
    case 'indicator':
      return kind === 'dns' || kind === 'alert' ? 'indicator' : null;
    case 'name':
      return NAME_COLUMN[kind] ?? null;
    case 'dst':
      return kind === 'flow' ? 'dst' : kind === 'http' || kind === 'tls' ? 'server' : null;
    case 'detector':
      return kind === 'alert' ? 'detector' : null;
  }
}

export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
