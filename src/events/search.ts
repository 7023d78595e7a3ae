/**
 * From what a person asks ("the last 24 hours, unit east-district and everything below it,
 * blocked only, names under pool.example") to the store's EventFilter. Shared by the CLI and the
 * API, so both read times and units the same way.
 */
import { DNS_OUTCOMES, EVENT_KINDS, type DnsOutcome, type EventKind } from '../model/events.ts';
import { MinewardenError } from '../core/errors.ts';
import { parseDuration } from '../core/time.ts';
import type { EventQuery } from '../store/index.ts';

/** What the sink and the searches need of the organisation tree. */
export interface UnitTreeView {
  get(id: string): unknown;
  subtreeIds(id: string): Set<string>;
}

export interface EventSearch {
  kind: string;
  /** Start: ISO date-time, epoch ms, or a duration back from now (15m, 24h, 7d). */
  since?: string | number;
  /** End (exclusive), same forms; default now + 1 minute (events stamped a little ahead still show). */
  until?: string | number;
  /** A unit id: the unit and every unit below it. */
  unit?: string;
  /** A host's address (with `site`) or its id as `#12`. */
  host?: string;
  site?: string;
  outcome?: readonly string[];
  category?: string;
  detector?: string;
  /** A name and everything under it. */
  name?: string;
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
}

export function parseKind(kind: string): EventKind {
  if ((EVENT_KINDS as readonly string[]).includes(kind)) return kind as EventKind;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown event kind "${kind}" (one of ${EVENT_KINDS.join(', ')})`);
}

/** A point in time as ms: ISO date-time, epoch ms, or a duration before `now`. */
export function parseTime(v: string | number, now: number, what: string): number {
  if (typeof v === 'number') return v;
  const t = v.trim();
  if (/^\d{12,}$/.test(t)) return Number(t);
  const d = parseDuration(t);
  if (d !== null && /[smhdw]$/.test(t)) return now - d * 1000;
  const ms = Date.parse(t);
  if (!Number.isNaN(ms)) return ms;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `${what} "${v}" is not a time: use an ISO date-time (2026-11-22T08:00Z), epoch ms, or a duration back from now (15m, 24h, 7d)`);
}

export function toQuery(s: EventSearch, tree: UnitTreeView, now: number): EventQuery {
  const kind = parseKind(s.kind);
  const q: EventQuery = { kind };
  if (s.since !== undefined) q.from = parseTime(s.since, now, 'since');
  q.to = s.until === undefined ? now + 60_000 : parseTime(s.until, now, 'until');
  if (q.from !== undefined && q.from >= q.to) throw new MinewardenError('MW_ERR_BAD_INPUT', 'since must be before until');
  if (s.unit !== undefined) {
    if (tree.get(s.unit) === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${s.unit}" (see minewarden units list)`);
    q.units = [...tree.subtreeIds(s.unit)];
  }
  if (s.host !== undefined) {
    const m = /^#(\d+)$/.exec(s.host);
    if (m !== null) q.hostId = Number(m[1]);
    else {
      q.client = s.host;
      q.site = s.site ?? '';
    }
  }
  if (s.outcome !== undefined && s.outcome.length > 0) {
    for (const o of s.outcome) {
      if (!(DNS_OUTCOMES as readonly string[]).includes(o)) {
        throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown outcome "${o}" (one of ${DNS_OUTCOMES.join(', ')})`);
      }
    }
    q.outcomes = s.outcome as readonly DnsOutcome[];
  }
  if (s.category !== undefined) q.category = s.category;
  if (s.detector !== undefined) q.detector = s.detector;
  if (s.name !== undefined) q.nameSuffix = s.name;
  if (s.limit !== undefined) q.limit = s.limit;
  if (s.offset !== undefined) q.offset = s.offset;
  if (s.order !== undefined) q.order = s.order;
  return q;
}
