/**
 * The incident operations of OPS (run on the server through the control socket, or locally).
 * Params arrive as JSON from the socket, so each one checks what it reads.
 */
import { MinewardenError } from '../core/errors.ts';
import { INCIDENT_STATES, type Incident, type IncidentState } from '../model/detect.ts';
import { SEVERITIES, type Severity } from '../model/events.ts';
import { parseAlert } from '../incidents/index.ts';
import type { App } from './app.ts';

export interface IncidentListParams {
  state?: string[];
  unit?: string;
  severity?: string;
  since?: number;
  kind?: 'host' | 'campaign';
  limit?: number;
  offset?: number;
}

export function parseState(v: string): IncidentState {
  if ((INCIDENT_STATES as readonly string[]).includes(v)) return v as IncidentState;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown state "${v}" (one of ${INCIDENT_STATES.join(', ')}, or open)`);
}

export function parseSeverity(v: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown severity "${v}" (one of ${SEVERITIES.join(', ')})`);
}

function id(v: unknown): number {
  const n = typeof v === 'string' ? Number(v.replace(/^#/, '')) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${String(v)}" is not an incident id`);
  return n;
}

/**
 * Runs a change to an incident and writes it to the audit log (as the console's actions are),
 * with what `view` shows of the incident before and after.
 */
async function audited(
  app: App, actor: string, action: string, n: number, change: (n: number) => Promise<Incident>, view: (i: Incident, when: 'before' | 'after') => unknown,
): Promise<Incident> {
  const before = await app.incidents.get(n);
  const after = await change(n);
  await app.audit.record(actor, action, `incident:${n}`, action === 'incident.note' ? null : view(before, 'before'), view(after, 'after'));
  return after;
}

/** Workflow moves the CLI names by verb. */
const MOVES = { ack: 'acknowledged', contain: 'contained', resolve: 'resolved' } as const;
export type Move = keyof typeof MOVES;

export const INCIDENT_OPS = {
  'incidents.list': (app: App, p: IncidentListParams) => {
    const tree = app.org.tree();
    if (p.unit !== undefined && tree.get(p.unit) === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${p.unit}"`);
    // "open" is a shorthand for every state that is not closed.
    const states = (p.state ?? []).filter((s) => s !== 'open').map(parseState);
    return app.store.incidents.list({
      ...(states.length === 0 ? {} : { state: states }),
      ...(p.state?.includes('open') === true ? { open: true } : {}),
      ...(p.unit === undefined ? {} : { units: [...tree.subtreeIds(p.unit)] }),
      ...(p.severity === undefined ? {} : { minSeverity: parseSeverity(p.severity) }),
      ...(p.since === undefined ? {} : { since: p.since }),
      ...(p.kind === undefined ? {} : { kind: p.kind }),
      limit: p.limit ?? 100, offset: p.offset ?? 0,
    });
  },
  'incidents.show': async (app: App, p: { id: number }) => {
    const incident = await app.incidents.get(id(p.id));
    return { incident, history: await app.incidents.history(incident.id) };
  },
  'incidents.move': (app: App, p: { id: number; move: Move; actor: string; note?: string }) => {
    if (!Object.hasOwn(MOVES, p.move)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown move "${String(p.move)}"`);
    return audited(app, p.actor, `incident.${p.move}`, id(p.id), (n) => app.incidents.transition(n, MOVES[p.move], p.actor, p.note), (i) => i.state);
  },
  'incidents.reopen': (app: App, p: { id: number; actor: string; note?: string }) =>
    audited(app, p.actor, 'incident.reopen', id(p.id), (n) => app.incidents.reopen(n, p.actor, p.note), (i) => i.state),
  'incidents.fp': (app: App, p: { id: number; actor: string; allowlist: boolean; note?: string }) =>
    audited(app, p.actor, 'incident.false-positive', id(p.id), (n) => app.incidents.falsePositive(n, p.actor, { allowlist: p.allowlist === true, ...(p.note === undefined ? {} : { note: p.note }) }),
      (i, when) => ({ state: i.state, allowlisted: when === 'after' && p.allowlist === true ? i.indicator : null })),
  'incidents.note': (app: App, p: { id: number; actor: string; text: string }) =>
    audited(app, p.actor, 'incident.note', id(p.id), (n) => app.incidents.note(n, p.actor, String(p.text)), () => String(p.text)),
  'incidents.assign': (app: App, p: { id: number; who: string | null; actor: string }) =>
    audited(app, p.actor, 'incident.assign', id(p.id), (n) => app.incidents.assign(n, p.who, p.actor), (i) => i.assignee),
  /** Alerts from a detector (or a test) folded into incidents. */
  'incidents.ingest': (app: App, p: { alerts: unknown[] }) => {
    if (!Array.isArray(p.alerts)) throw new MinewardenError('MW_ERR_BAD_INPUT', 'alerts must be a list');
    return app.incidents.ingest(p.alerts.map((a, i) => parseAlert(a, `alert ${i + 1}`)));
  },
} as const;
