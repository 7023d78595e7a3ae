/**
 * Incidents as a principal sees them: lists and details cut to its units (a campaign shows only
 * the hosts the principal may see), and the workflow actions, each recorded in the audit log.
 */
import { MinewardenError } from '../core/errors.ts';
import { INCIDENT_STATES, type Incident, type IncidentState } from '../model/detect.ts';
import { SEVERITIES, type Severity } from '../model/events.ts';
import type { IncidentChange, IncidentQuery, IncidentSummary } from '../store/index.ts';
import { actorOf, need, unitFilter, visibleIncident, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';

export interface IncidentListInput {
  state?: IncidentState[];
  open?: boolean;
  severity?: Severity;
  unit?: string;
  kind?: 'host' | 'campaign';
  q?: string;
  since?: number;
  limit?: number;
  offset?: number;
}

export type IncidentMove = 'ack' | 'contain' | 'resolve' | 'reopen';
const MOVES: Record<Exclude<IncidentMove, 'reopen'>, IncidentState> = { ack: 'acknowledged', contain: 'contained', resolve: 'resolved' };


export class IncidentService {
  constructor(private readonly d: ServiceDeps) {}

  async list(a: Access, input: IncidentListInput): Promise<{ items: IncidentSummary[]; total: number }> {
    need(a, 'read');
    for (const s of input.state ?? []) if (!INCIDENT_STATES.includes(s)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown state "${s}"`);
    if (input.severity !== undefined && !SEVERITIES.includes(input.severity)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown severity "${input.severity}"`);
    const units = unitFilter(a, this.d.org.tree(), input.unit);
    const q: IncidentQuery = {
      ...(input.state === undefined || input.state.length === 0 ? {} : { state: input.state }),
      ...(input.open === true ? { open: true } : {}),
      ...(input.severity === undefined ? {} : { minSeverity: input.severity }),
      ...(units === undefined ? {} : { units }),
      ...(input.kind === undefined ? {} : { kind: input.kind }),
      ...(input.q === undefined ? {} : { text: input.q }),
      ...(input.since === undefined ? {} : { since: input.since }),
    };
    const [items, total] = await Promise.all([
      this.d.store.incidents.list({ ...q, limit: input.limit ?? 50, offset: input.offset ?? 0 }),
      this.d.store.incidents.count(q),
    ]);
    return { items: items.map((i) => visibleIncident(a, i)).filter((i) => i !== null), total };
  }

  /** One incident with its audit trail; not found when the principal may not see it. */
  async get(a: Access, id: number): Promise<{ incident: Incident; history: IncidentChange[] }> {
    need(a, 'read');
    const incident = await this.require(a, id);
    return { incident, history: await this.d.incidents.history(id) };
  }

  private async require(a: Access, id: number): Promise<Incident> {
    const i = await this.d.store.incidents.get(id);
    const v = i === null ? null : visibleIncident(a, i);
    if (v === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `no incident #${id}`);
    return v;
  }

  async move(a: Access, id: number, move: IncidentMove, note?: string): Promise<Incident> {
    need(a, 'incidents:act');
    const before = await this.require(a, id);
    const actor = actorOf(a);
    const after = move === 'reopen' ? await this.d.incidents.reopen(id, actor, note) : await this.d.incidents.transition(id, MOVES[move], actor, note);
    await this.record(a, `incident.${move}`, id, before.state, after.state);
    return this.publish(after);
  }

  async falsePositive(a: Access, id: number, o: { allowlist: boolean; note?: string }): Promise<Incident> {
    need(a, 'incidents:act');
    if (o.allowlist) need(a, 'intel:write');
    const before = await this.require(a, id);
    const after = await this.d.incidents.falsePositive(id, actorOf(a), o);
    await this.record(a, 'incident.false-positive', id, before.state, { state: after.state, allowlisted: o.allowlist ? before.indicator : null });
    return this.publish(after);
  }

  async note(a: Access, id: number, text: string): Promise<Incident> {
    need(a, 'incidents:act');
    await this.require(a, id);
    const after = await this.d.incidents.note(id, actorOf(a), text);
    await this.record(a, 'incident.note', id, null, text);
    return this.publish(after);
  }

  async assign(a: Access, id: number, who: string | null): Promise<Incident> {
    need(a, 'incidents:act');
    const before = await this.require(a, id);
    const after = await this.d.incidents.assign(id, who, actorOf(a));
    await this.record(a, 'incident.assign', id, before.assignee, after.assignee);
    return this.publish(after);
  }

  private record(a: Access, action: string, id: number, before: unknown, after: unknown): Promise<unknown> {
    return this.d.audit.record(actorOf(a), action, `incident:${id}`, before, after, a.principal.ip ?? null);
  }

  private publish(i: Incident): Incident {
    const { timeline: _t, notes: _n, ...summary } = i;
    this.d.live.incident(summary);
    return i;
  }
}
