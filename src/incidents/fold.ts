/**
 * What an alert folds into, decided without I/O: the open incident of its host and threat, or a
 * new one; and, when enough hosts reach the same controller, a campaign over them. Incidents are
 * never changed in place: the changed and new ones are returned as new objects, new ones with
 * placeholder ids ≤ 0 (IncidentStore.save turns them into real ids).
 */
import type { Alert, Incident, IncidentHost, KillChainStage, TimelineEntry } from '../model/detect.ts';
import { KILL_CHAIN } from '../model/detect.ts';
import { SEVERITIES, type Severity } from '../model/events.ts';

export interface FoldOptions {
  /** Distinct hosts with open incidents naming one controller that make a campaign. */
  campaignHosts: number;
  /** How recent (ms before the alert) a host's last alert must be to count towards a campaign. */
  campaignWindowMs: number;
  /** Timeline entries kept per incident. */
  timelineCap: number;
  /** A unit's ids from the root down to the unit itself (for a campaign's common unit). */
  lineage: (unit: string) => readonly string[];
}

export const FOLD_DEFAULTS: Omit<FoldOptions, 'lineage'> = { campaignHosts: 3, campaignWindowMs: 24 * 3_600_000, timelineCap: 500 };

export function isOpen(i: Pick<Incident, 'state'>): boolean {
  return i.state !== 'resolved' && i.state !== 'false-positive';
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

export function furthestStage(a: KillChainStage, b: KillChainStage): KillChainStage {
  return KILL_CHAIN.indexOf(a) >= KILL_CHAIN.indexOf(b) ? a : b;
}

/** Independent evidence: 1 − Π(1 − cᵢ), on the 0–100 scale, to 0.01. */
export function combineConfidence(...cs: number[]): number {
  const miss = cs.reduce((p, c) => p * (1 - Math.min(100, Math.max(0, c)) / 100), 1);
  return Math.round((1 - miss) * 10_000) / 100;
}

/**
 * Keeps the first tenth (how it started) and the latest rest (what it does now); the middle of a
 * long-running incident is the least useful part and is what goes.
 */
export function capTimeline(timeline: readonly TimelineEntry[], cap: number): TimelineEntry[] {
  if (timeline.length <= cap) return [...timeline];
  const head = Math.max(1, Math.floor(cap / 10));
  return [...timeline.slice(0, head), ...timeline.slice(timeline.length - (cap - head))];
}

/** Inserts by time (usually at the end; late alerts go where they belong). */
function withEntry(timeline: readonly TimelineEntry[], e: TimelineEntry, cap: number): TimelineEntry[] {
  const out = [...timeline];
  let at = out.length;
  while (at > 0 && (out[at - 1] as TimelineEntry).ts > e.ts) at--;
  out.splice(at, 0, e);
  return capTimeline(out, cap);
}

function entryOf(a: Alert): TimelineEntry {
  return { ts: a.ts, client: a.client, detector: a.detector, stage: a.stage, title: a.title, evidence: a.evidence, events: a.events ?? [] };
}

/** The deepest unit every lineage shares; null when a host has no unit or they share no root. */
export function commonUnit(units: ReadonlyArray<string | null>, lineage: FoldOptions['lineage']): string | null {
  let common: readonly string[] | null = null;
  for (const u of units) {
    if (u === null) return null;
    const l = lineage(u);
    if (common === null) common = l;
    else {
      let n = 0;
      while (n < common.length && n < l.length && common[n] === l[n]) n++;
      common = common.slice(0, n);
    }
  }
  return common === null || common.length === 0 ? null : (common[common.length - 1] ?? null);
}

const hostKey = (h: { client: string; site: string }): string => `${h.site}|${h.client}`;

/** Adds or widens a host (first/last seen) in a host list. */
function withHost(hosts: readonly IncidentHost[], h: IncidentHost): IncidentHost[] {
  const out = hosts.map((x) => ({ ...x }));
  const same = out.find((x) => hostKey(x) === hostKey(h));
  if (same === undefined) out.push({ ...h });
  else {
    same.firstSeen = Math.min(same.firstSeen, h.firstSeen);
    same.lastSeen = Math.max(same.lastSeen, h.lastSeen);
    if (h.unit !== null) same.unit = h.unit;
  }
  return out;
}

/**
 * How well a detector's words describe an incident: a decoded mining login says more than a
 * listed name, so a host incident takes the title of its most telling alert.
 */
function titleRank(detector: string): number {
  if (detector === 'mining-protocol') return 5;
  if (detector === 'fan-in') return 4;
  if (detector === 'http-file' || detector === 'http-executable') return 3;
  if (detector === 'mining-shape' || detector.startsWith('suricata:')) return 2;
  return 1;
}

/** One more alert on an incident (host or campaign). */
function absorb(i: Incident, a: Alert, opts: FoldOptions): Incident {
  const best = i.timeline.reduce((m, e) => Math.max(m, titleRank(e.detector)), 0);
  return {
    ...i,
    title: i.kind === 'host' && titleRank(a.detector) > best ? a.title : i.title,
    severity: maxSeverity(i.severity, a.severity),
    confidence: combineConfidence(i.confidence, a.confidence),
    stage: furthestStage(i.stage, a.stage),
    controller: a.controller ?? i.controller,
    indicator: i.indicator ?? a.indicator ?? null,
    firstSeen: Math.min(i.firstSeen, a.ts),
    lastSeen: Math.max(i.lastSeen, a.ts),
    alerts: i.alerts + 1,
    timeline: withEntry(i.timeline, entryOf(a), opts.timelineCap),
    updatedAt: Math.max(i.updatedAt, a.ts),
  };
}

function campaignTitle(hosts: number, controller: string): string {
  return `Botnet: ${hosts} hosts → ${controller}`;
}

/**
 * Folds one alert into the open incidents. Returns every incident it created or changed (new ones
 * with ids ≤ 0, below any placeholder already in `open`); the caller puts them in place of the old.
 */
export function foldAlert(open: readonly Incident[], a: Alert, opts: FoldOptions): Incident[] {
  let nextId = open.reduce((m, i) => Math.min(m, i.id), 0) - 1;
  const unit = a.unit ?? null;
  const host: IncidentHost = { client: a.client, site: a.site, unit, firstSeen: a.ts, lastSeen: a.ts };
  const existing = open.find((i) => i.kind === 'host' && isOpen(i) && i.threat === a.threat && hostKey(i.hosts[0] ?? { client: '', site: '' }) === hostKey(a));
  let mine: Incident;
  if (existing !== undefined) {
    mine = { ...absorb(existing, a, opts), hosts: withHost(existing.hosts, host), unit: unit ?? existing.unit };
  } else {
    mine = {
      id: nextId--, kind: 'host', threat: a.threat, title: a.title, severity: a.severity, confidence: combineConfidence(a.confidence),
      stage: a.stage, unit, hosts: [host], controller: a.controller ?? null, indicator: a.indicator ?? null, firstSeen: a.ts, lastSeen: a.ts,
      state: 'new', assignee: null, notes: [], alerts: 1, timeline: [entryOf(a)], campaignId: null, updatedAt: a.ts,
    };
  }
  const controller = a.controller ?? null;
  if (controller === null) return [mine];

  const campaign = open.find((i) => i.kind === 'campaign' && isOpen(i) && i.controller === controller);
  if (campaign !== undefined) {
    const hosts = withHost(campaign.hosts, host);
    const grown = { ...absorb(campaign, a, opts), hosts, title: campaignTitle(hosts.length, controller), unit: commonUnit(hosts.map((h) => h.unit), opts.lineage) };
    return [{ ...mine, campaignId: campaign.id }, grown];
  }

  // Members: this host's incident and every other open host incident naming the controller recently.
  const since = a.ts - opts.campaignWindowMs;
  const members = [mine, ...open.filter((i) => i.kind === 'host' && i.id !== mine.id && isOpen(i) && i.controller === controller && i.lastSeen >= since)];
  const hosts = members.reduce<IncidentHost[]>((hs, m) => m.hosts.reduce(withHost, hs), []);
  if (hosts.length < opts.campaignHosts) return [mine];

  const created: Incident = {
    id: nextId--, kind: 'campaign', threat: `campaign:${controller}`, title: campaignTitle(hosts.length, controller),
    severity: members.map((m) => m.severity).reduce(maxSeverity), confidence: combineConfidence(...members.map((m) => m.confidence)),
    stage: members.map((m) => m.stage).reduce(furthestStage), unit: commonUnit(hosts.map((h) => h.unit), opts.lineage), hosts,
    // A campaign is defined by its controller: that is what a false positive would allowlist.
    controller, indicator: controller,
    firstSeen: Math.min(...members.map((m) => m.firstSeen)), lastSeen: Math.max(...members.map((m) => m.lastSeen)), state: 'new', assignee: null,
    notes: [], alerts: members.reduce((n, m) => n + m.alerts, 0),
    timeline: capTimeline(members.flatMap((m) => m.timeline).sort((x, y) => x.ts - y.ts), opts.timelineCap), campaignId: null,
    updatedAt: Math.max(...members.map((m) => m.updatedAt)),
  };
  return [created, ...members.map((m) => ({ ...m, campaignId: created.id }))];
}

/**
 * Folds alerts one after another (in the order given) and returns the open set afterwards plus
 * the incidents that changed, each once: existing ones, then new ones in the order they opened.
 */
export function foldAlerts(open: readonly Incident[], alerts: readonly Alert[], opts: FoldOptions): { open: Incident[]; changed: Incident[] } {
  const current = new Map(open.map((i) => [i.id, i]));
  const changed = new Set<number>();
  for (const a of alerts) {
    for (const i of foldAlert([...current.values()], a, opts)) {
      current.set(i.id, i);
      changed.add(i.id);
    }
  }
  // Existing ones first, then new ones in the order they were opened (so ids follow that order).
  const rank = (id: number): number => (id > 0 ? 0 : -id);
  const out = [...changed].sort((x, y) => rank(x) - rank(y)).map((id) => current.get(id) as Incident);
  return { open: [...current.values()], changed: out };
}
