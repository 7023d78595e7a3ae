/**
 * What reports read (through interfaces: reports import no sensor) and the data they return. The
 * data is plain JSON: the CLI sends it over the control socket, the API answers it, and the text
 * and PDF renderings read only it.
 */
import type { Unit } from '../model/org.ts';
import type { EventStore, IncidentStore } from '../store/index.ts';
import type { HealthLine } from '../model/report.ts';

export type {
  Change, DailyPatrol, DnsFigures, HealthLine, IncidentLine, MonthFigures, MonthlySummary, MonthUnitLine, Report, TopLine, UnitLine,
} from '../model/report.ts';

export interface ReportSources {
  events: Pick<EventStore, 'counts' | 'top'>;
  incidents: Pick<IncidentStore, 'list' | 'history'>;
  /** The units with these ids (all units when left out); ids that do not exist are skipped. */
  units: (ids?: readonly string[]) => readonly Unit[];
  health?: () => Promise<readonly HealthLine[]>;
}

export interface ReportOptions {
  timeZone: string;
  /** Unit ids the reader may see (subtrees already expanded); null = everything. */
  scope: readonly string[] | null;
  /** The time "now" for ages and "still open" (default Date.now()). */
  now?: number;
}

