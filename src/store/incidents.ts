/**
 * The incident store's interface: incidents with their hosts, evidence timeline, notes and an
 * audit trail. Deciding what an alert folds into is `src/incidents`' job; the store keeps what it
 * is given, so every backend (DuckDB today, PostgreSQL later) behaves the same.
 */
import type { Incident, IncidentState } from '../model/detect.ts';
import type { Severity } from '../model/events.ts';

/** An incident without its timeline and notes: what a list shows. */
export type IncidentSummary = Omit<Incident, 'timeline' | 'notes'>;

export interface IncidentQuery {
  /** One state or any of several. */
  state?: IncidentState | readonly IncidentState[];
  /** Only incidents not resolved and not false-positive. */
  open?: boolean;
  /** Unit ids (the caller expands a subtree into its ids). */
  units?: readonly string[];
  /** This severity or higher. */
  minSeverity?: Severity;
  /** Last seen at or after (ms). */
  since?: number;
  kind?: Incident['kind'];
  /** Substring of the title, threat, indicator or a host address (case-insensitive). */
  text?: string;
  /** Newest activity (lastSeen) first. */
  limit?: number;
  offset?: number;
}

/** One line of the audit trail: a state change or an assignment. */
export interface IncidentChange {
  at: number;
  by: string;
  field: 'state' | 'assignee';
  from: string | null;
  to: string | null;
}

export interface IncidentStore {
  /**
   * Stores incidents as given, timeline included, in one transaction, and returns them as stored.
   * An id ≤ 0 is a new incident: it gets a real id, and a campaignId equal to that placeholder
   * anywhere in the same call is rewritten to it (a campaign and its members are created together).
   * For an existing incident, state, assignee and notes are kept: they change only through
   * setState, assign and addNote, which keep the audit trail.
   */
  save(incidents: readonly Incident[]): Promise<Incident[]>;
  /** Every open incident (not resolved, not false-positive), whole: what alerts may fold into. */
  listOpen(): Promise<Incident[]>;
  get(id: number): Promise<Incident | null>;
  list(q: IncidentQuery): Promise<IncidentSummary[]>;
  /** How many incidents the query matches (limit and offset aside). */
  count(q: IncidentQuery): Promise<number>;
  /** Sets the state and records who changed it, from what; `note` is added as a note. No workflow check. */
  setState(id: number, state: IncidentState, actor: string, note?: string, at?: number): Promise<Incident>;
  /** Sets the assignee (null: nobody) and records the change. */
  assign(id: number, who: string | null, actor: string, at?: number): Promise<Incident>;
  addNote(id: number, actor: string, text: string, at?: number): Promise<Incident>;
  /** State changes and assignments, oldest first. */
  history(id: number): Promise<IncidentChange[]>;
}
