/** Response shapes of docs/api.md. Domain types come from src/model (types only). */
import type { Permission, User } from '../model/auth.ts';
import type { Incident } from '../model/detect.ts';
import type { DnsEvent, FlowEvent, AlertEvent, Host, Severity } from '../model/events.ts';
import type { Unit } from '../model/org.ts';
import type { GatewayStatus, PolicyVersion } from '../model/policy.ts';
import type { IndicatorType, StoredIndicator } from '../model/indicator.ts';

export type { Permission, User, Role, ApiToken, AuditEntry } from '../model/auth.ts';
export type { Incident, IncidentState, KillChainStage, TimelineEntry } from '../model/detect.ts';
export type { DnsEvent, FlowEvent, AlertEvent, Host, Severity, DnsOutcome } from '../model/events.ts';
export type { Unit } from '../model/org.ts';
export type { PolicyDocument, PolicyVersion, PolicyGroup, GatewayStatus, CategoryAction, BlockAction } from '../model/policy.ts';
export type { StoredIndicator, FeedStatus, AllowEntry, IndicatorType } from '../model/indicator.ts';
export type { FeedView } from '../model/indicator.ts';

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

export type { LiveBlock, LiveStats } from '../model/live.ts';

/* Reports: the data src/reports makes (src/model/report.ts). */
export type {
  IncidentLine as ReportIncidentLine, TopLine, Change as ReportChange, HealthLine as ReportHealthLine, DailyPatrol, MonthFigures, MonthUnitLine, MonthlySummary,
} from '../model/report.ts';
import type { HealthLine as ReportHealthLine } from '../model/report.ts';

/** GET /api/sensors: one health line per sensor (fields as src/services names them). */
export type SensorHealth = ReportHealthLine;

/** GET /api/policies/effective/:unit */
export type { EffectivePolicy, Origin as PolicyOrigin } from '../model/policy.ts';
