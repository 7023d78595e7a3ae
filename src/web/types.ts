/** Response shapes of docs/api.md. Domain types come from src/model (types only). */
import type { Permission, User } from '../model/auth.ts';
import type { Incident, IncidentState, KillChainStage } from '../model/detect.ts';
import type { DnsEvent, FlowEvent, AlertEvent, Host, Severity } from '../model/events.ts';
import type { Unit } from '../model/org.ts';
import type { BlockAction, CategoryAction, GatewayStatus, PolicyVersion } from '../model/policy.ts';
import type { IndicatorType, StoredIndicator } from '../model/indicator.ts';

export type { Permission, User, Role, ApiToken, AuditEntry } from '../model/auth.ts';
export type { Incident, IncidentState, KillChainStage, TimelineEntry } from '../model/detect.ts';
export type { DnsEvent, FlowEvent, AlertEvent, Host, Severity, DnsOutcome } from '../model/events.ts';
export type { Unit } from '../model/org.ts';
export type { PolicyDocument, PolicyVersion, PolicyGroup, GatewayStatus, CategoryAction, BlockAction } from '../model/policy.ts';
export type { StoredIndicator, FeedStatus, AllowEntry, IndicatorType } from '../model/indicator.ts';
import type { FeedStatus as FeedStatusT } from '../model/indicator.ts';

/** A feed or stored source, as GET /api/intel/feeds gives it. */
export interface FeedView {
  name: string;
  url: string;
  format: string;
  category: string | null;
  refreshSeconds: number;
  indicators: number;
  status: FeedStatusT | null;
}

export interface Paged<T> {
  items: T[];
  /** GET /api/hosts answers null while more pages follow (counting is costly). */
  total: number | null;
}

export interface Me {
  user: User;
  permissions: Permission[];
  csrfToken: string;
  mustEnrollTotp: boolean;
}

export interface LoginAnswer {
  user: User;
  csrfToken: string;
  mustEnrollTotp: boolean;
}

export type UnitStatus = 'ok' | 'warning' | 'infected';

export interface UnitNode {
  id: string;
  name: string;
  parentId: string | null;
  kind?: string;
  status: UnitStatus;
  openIncidents: number;
  maxSeverity: Severity | null;
  /** docs/api.md names `hosts`; the server answers `infectedHosts` and `blocked24h`. */
  hosts?: number;
  infectedHosts?: number;
  blocked24h?: number;
}

export interface Series {
  t: number[];
  queries: number[];
  blocked: number[];
}

export interface Overview {
  totals: { queries: number; blocked: number; incidentsOpen: number; infectedHosts: number; affectedUnits: number };
  series: Series;
  incidentsBySeverity: Record<Severity, number>;
  incidentSeries: { t: number[]; opened: number[]; infectedHosts: number[]; affectedUnits: number[] };
  topBlocked: Array<{ key: string; count: number }>;
}

/** An incident without its timeline and notes (lists). */
export type IncidentSummary = Omit<Incident, 'timeline' | 'notes'>;

export interface IncidentChange {
  at: number;
  by: string;
  field: 'state' | 'assignee';
  from: string | null;
  to: string | null;
}

export interface IncidentDetail {
  incident: Incident;
  history: IncidentChange[];
}

/** The path may come as unit ids or as `{ id, name }` pairs. */
export type PathEntry = string | { id: string; name?: string };

export interface UnitDetail {
  unit: Unit;
  path: PathEntry[];
  /** The unit's status, or its tree node (status inside). */
  status: UnitStatus | UnitNode;
  hosts: Host[];
  incidents: IncidentSummary[];
  history: Series;
}

export interface HostDetail {
  host: Host;
  queries: StoredDns[];
  flows: FlowEvent[];
  alerts: AlertEvent[];
  incidents: IncidentSummary[];
}

export type StoredDns = DnsEvent & { hostId?: number; site?: string; unit?: string | null };

export interface QueryPage {
  items: StoredDns[];
  next: string | null;
}

export interface IntelStats {
  total: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
}

/**
 * GET /api/intel/lookup. docs/api.md says `{ value, type, matches, allowed }`; the server answers
 * the intel lookup (`query, verdict, reason, hit, records`). Both are read.
 */
export interface LookupAnswer {
  query?: string;
  value: string;
  type: IndicatorType | null;
  verdict?: 'match' | 'allowlisted' | 'held' | 'expired' | 'decayed' | 'unknown' | 'invalid';
  reason?: string;
  hit?: Record<string, unknown> | null;
  records?: StoredIndicator[];
  matches?: Array<Partial<StoredIndicator> & Record<string, unknown>>;
  allowed?: boolean;
}

export interface RoleInfo {
  role: string;
  permissions: Permission[];
  totpRequired: boolean;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/** GET /api/gateways: a list, or the list with the current revision beside it. */
export type GatewaysAnswer =
  | Array<GatewayStatus & { current?: number; currentRevision?: number; applied?: boolean }>
  | { current?: number; revision?: number; currentRevision?: number; gateways?: GatewayStatus[]; items?: GatewayStatus[] };

export type PolicyList = PolicyVersion[] | { items: PolicyVersion[] };

export interface LiveBlock {
  ts: number;
  client: string;
  unit: string | null;
  name: string;
  category: string | null;
  reason: string | null;
}

export interface LiveStats {
  ts: number;
  queries: number;
  blocked: number;
  qps: number;
}

/* Reports (copied from src/reports/types.ts: the console may import only src/model). */
export interface ReportIncidentLine {
  id: number;
  kind: 'host' | 'campaign';
  title: string;
  threat: string;
  severity: Severity;
  state: IncidentState;
  stage: KillChainStage;
  unit: string | null;
  unitName: string | null;
  host: string;
  hosts: number;
  firstSeen: number;
  lastSeen: number;
  ageMs: number;
  closedAt: number | null;
}
export interface TopLine {
  key: string;
  count: number;
}
export interface ReportChange {
  metric: string;
  current: number;
  previous: number;
  delta: number;
  direction: 'up' | 'down' | 'same';
}
export interface ReportHealthLine {
  kind: string;
  name?: string;
  id?: string;
  events: number | null;
  errors: number | null;
  lastEvent?: number | null;
  lastEventAt?: number | null;
  status: string;
  detail: string;
}
export interface DailyPatrol {
  kind: 'daily';
  date: string;
  timeZone: string;
  from: number;
  to: number;
  generatedAt: number;
  dns: { today: { queries: number; blocked: number }; yesterday: { queries: number; blocked: number } };
  incidents: { openedToday: ReportIncidentLine[]; openedYesterday: number; open: ReportIncidentLine[]; closedToday: ReportIncidentLine[] };
  infected: { today: { hosts: string[]; units: string[] }; yesterday: { hosts: number; units: number } };
  topBlocked: TopLine[];
  topCategories: TopLine[];
  units: Array<{ id: string; name: string; open: number; maxSeverity: Severity; hosts: number }>;
  health: ReportHealthLine[];
  healthNote: string | null;
  changes: ReportChange[];
}
export interface MonthFigures {
  month: string;
  miningCases: number;
  miningResolved: number;
  poolBlocks: number;
  poolBlocksDns: number;
  poolBlocksSinkhole: number;
  threatEvents: number;
  campaigns: number;
  queries: number;
  blocked: number;
}
export interface MonthUnitLine {
  id: string;
  name: string;
  cases: number;
  threatEvents: number;
  infectedHosts: number;
  queries: number;
  blocked: number;
}
export interface MonthlySummary {
  kind: 'monthly';
  month: string;
  timeZone: string;
  from: number;
  to: number;
  generatedAt: number;
  figures: MonthFigures;
  previous: MonthFigures;
  series: { days: string[]; queries: number[]; blocked: number[]; incidents: number[] };
  units: MonthUnitLine[];
  topInfectedUnits: MonthUnitLine[];
  topBlocked: TopLine[];
  detectors: TopLine[];
  changes: ReportChange[];
}

/** GET /api/sensors: one health line per sensor (fields as src/services names them). */
export type SensorHealth = ReportHealthLine;

/** GET /api/policies/effective/:unit (copied from src/policy: the console imports only src/model). */
export interface PolicyOrigin {
  scope: string;
  version: number;
}
export interface EffectivePolicy {
  unit: string;
  scopes: string[];
  categories: Record<string, { action: CategoryAction; from: PolicyOrigin }>;
  defaultAction: { action: CategoryAction; from: PolicyOrigin | null };
  allow: Array<{ name: string; from: PolicyOrigin }>;
  deny: Array<{ name: string; from: PolicyOrigin }>;
  blockAction: { action: BlockAction; from: PolicyOrigin } | null;
}
