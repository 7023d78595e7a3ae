/**
 * Report data: the daily patrol and the monthly summary as plain JSON (layer `model`). src/reports
 * makes them, the API answers them, the console and the PDF read them.
 */
import type { IncidentState, KillChainStage } from './detect.ts';
import type { Severity } from './events.ts';

/** One sensor's or feed's health, handed in by the caller (reports may not import sensors). */
export interface HealthLine {
  kind: 'sensor' | 'feed';
  name: string;
  /** Events produced (sensor) or entries held (feed); null when unknown. */
  events: number | null;
  errors: number | null;
  /** Last event (sensor) or last successful refresh (feed), ms; null = never. */
  lastEvent: number | null;
  status: 'ok' | 'stale' | 'failing';
  detail: string;
}

export interface DnsFigures {
  queries: number;
  blocked: number;
}

export interface IncidentLine {
  id: number;
  kind: 'host' | 'campaign';
  title: string;
  threat: string;
  severity: Severity;
  state: IncidentState;
  stage: KillChainStage;
  unit: string | null;
  unitName: string | null;
  /** The host (address, or address@site), or "N hosts" for a campaign. */
  host: string;
  hosts: number;
  firstSeen: number;
  lastSeen: number;
  /** From first seen to the report's time (the end of its window, or now if earlier), ms. */
  ageMs: number;
  /** Closed incidents: when they were closed (null when unknown). */
  closedAt: number | null;
}

export interface TopLine {
  key: string;
  count: number;
}

export interface UnitLine {
  id: string;
  name: string;
  open: number;
  maxSeverity: Severity;
  hosts: number;
}

/** A figure compared with the period before; `direction` says which way it went. */
export interface Change {
  metric: 'queries' | 'blocked' | 'opened' | 'newHosts' | 'affectedUnits' | 'miningCases' | 'poolBlocks' | 'threatEvents' | 'resolved';
  current: number;
  previous: number;
  delta: number;
  direction: 'up' | 'down' | 'same';
}

export interface DailyPatrol {
  kind: 'daily';
  date: string;
  timeZone: string;
  from: number;
  to: number;
  generatedAt: number;
  scope: string[] | null;
  dns: { today: DnsFigures; yesterday: DnsFigures };
  incidents: {
    openedToday: IncidentLine[];
    openedYesterday: number;
    /** Every incident open now, most severe first. */
    open: IncidentLine[];
    /** Resolved or marked false-positive during the day. */
    closedToday: IncidentLine[];
  };
  /** Hosts with an incident first seen that day, and their units. */
  infected: {
    today: { hosts: string[]; units: string[] };
    yesterday: { hosts: number; units: number };
  };
  topBlocked: TopLine[];
  topCategories: TopLine[];
  /** Units with open incidents, most first. */
  units: UnitLine[];
  health: HealthLine[];
  /** A note on the health lines (why some are missing), or null. */
  healthNote: string | null;
  changes: Change[];
}

/** The figures a month is summed up by (the month and the one before it). */
export interface MonthFigures {
  month: string;
  /** Host incidents whose threat starts with `mining`, opened in the month. */
  miningCases: number;
  /** …of which resolved (now). */
  miningResolved: number;
  /** DNS queries blocked in a mining category plus sinkhole connections. */
  poolBlocks: number;
  poolBlocksDns: number;
  poolBlocksSinkhole: number;
  /** Host incidents that are not mining, opened in the month. */
  threatEvents: number;
  /** Campaigns (many hosts, one controller) opened in the month. */
  campaigns: number;
  queries: number;
  blocked: number;
}

export interface MonthUnitLine {
  id: string;
  name: string;
  cases: number;
  threatEvents: number;
  /** Distinct hosts with an incident opened in the month. */
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
  scope: string[] | null;
  figures: MonthFigures;
  previous: MonthFigures;
  series: { days: string[]; queries: number[]; blocked: number[]; incidents: number[] };
  /** Units with cases, threat events or blocks, by cases then blocks. */
  units: MonthUnitLine[];
  /** Units by infected hosts. */
  topInfectedUnits: MonthUnitLine[];
  topBlocked: TopLine[];
  /** Alert events by detector. */
  detectors: TopLine[];
  changes: Change[];
}

export type Report = DailyPatrol | MonthlySummary;
