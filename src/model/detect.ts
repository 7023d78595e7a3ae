/**
 * Detection and incidents: what a detector says (an Alert) and what alerts fold into (an
 * Incident). Plain types, no logic (layer `model`).
 */
import type { Severity } from './events.ts';

/** Kill-chain stages an alert or incident is placed on, in order. */
export const KILL_CHAIN = ['delivery', 'installation', 'command-and-control', 'mining', 'action'] as const;
export type KillChainStage = (typeof KILL_CHAIN)[number];

/** Incident workflow states: new → acknowledged → contained → resolved | false-positive. */
export const INCIDENT_STATES = ['new', 'acknowledged', 'contained', 'resolved', 'false-positive'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** A reference to one stored event (the evidence timeline shows the events themselves). */
export interface EventRef {
  kind: string;
  ts: number;
  client: string;
  site: string;
}

/** What a detector reports about one host. Also recorded as an `alert` event. */
export interface Alert {
  /** Detector id (`intel-match`, `stratum`, `fan-in`, `suricata:2031234`, …). */
  detector: string;
  /** When it happened (the time of the event(s) behind it), ms. */
  ts: number;
  /** The host: its internal address, site and unit. */
  client: string;
  site: string;
  unit?: string | null;
  severity: Severity;
  /** 0–100: how sure the detector is. */
  confidence: number;
  stage: KillChainStage;
  /**
   * What the host is doing, as a key that groups a host's alerts into one incident:
   * `mining:monero`, `c2:203.0.113.7`, `intel:pool.supportxmr.com`, `malware-download:1.2.3.4`.
   */
  threat: string;
  title: string;
  indicator?: string | null;
  /** The external destination (address or name) when many hosts sharing it makes a campaign. */
  controller?: string | null;
  /** Detector-specific facts (wallet, worker, agent, port profile, beacon score…), JSON-serialisable. */
  evidence: Record<string, unknown>;
  /** The events behind the alert. */
  events?: EventRef[];
}

export interface IncidentHost {
  client: string;
  site: string;
  unit: string | null;
  firstSeen: number;
  lastSeen: number;
}

export interface IncidentNote {
  at: number;
  by: string;
  text: string;
}

/** One entry of an incident's evidence timeline: an alert and the events behind it. */
export interface TimelineEntry {
  ts: number;
  client: string;
  detector: string;
  stage: KillChainStage;
  title: string;
  evidence: Record<string, unknown>;
  events: EventRef[];
}

export interface Incident {
  id: number;
  /** `host`: one host and one threat; `campaign`: many hosts sharing one controller. */
  kind: 'host' | 'campaign';
  threat: string;
  title: string;
  severity: Severity;
  confidence: number;
  /** The furthest stage reached. */
  stage: KillChainStage;
  /** The unit of the host (campaign: the nearest common unit, or null). */
  unit: string | null;
  hosts: IncidentHost[];
  controller: string | null;
  indicator: string | null;
  firstSeen: number;
  lastSeen: number;
  state: IncidentState;
  assignee: string | null;
  notes: IncidentNote[];
  alerts: number;
  timeline: TimelineEntry[];
  /** Campaign this host incident belongs to, if any. */
  campaignId: number | null;
  updatedAt: number;
}
