/**
 * Reports for the console and the CLI: the daily patrol and the monthly summary, cut to the
 * principal's units, as data or as a PDF.
 */
import { dailyPatrol, monthlySummary, reportPdf, type DailyPatrol, type MonthlySummary, type ReportSources } from '../reports/index.ts';
import { roleCan } from '../model/auth.ts';
import { need, visibleIncident, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';

export type ReportLanguage = 'en' | 'zh';

export class ReportService {
  constructor(private readonly d: ServiceDeps) {}

  private sources(a: Access): ReportSources {
    const store = this.d.store.incidents;
    return {
      events: this.d.store.events,
      // A campaign reaching into the reader's units shows only the hosts the reader may see.
      incidents: a.units === null ? store : {
        list: async (q) => (await store.list(q)).map((i) => visibleIncident(a, i)).filter((i) => i !== null),
        history: (id) => store.history(id),
      },
      units: () => this.d.org.tree().units(),
      // Sensor and feed health is for those who may read the system's state.
      ...(roleCan(a.principal.role, 'system:read') ? { health: () => this.d.health() } : {}),
    };
  }

  private scope(a: Access): string[] | null {
    return a.units === null ? null : [...a.units];
  }

  daily(a: Access, date: string): Promise<DailyPatrol> {
    need(a, 'read');
    return dailyPatrol(this.sources(a), {
      date, timeZone: this.d.timeZone, scope: this.scope(a),
      ...(roleCan(a.principal.role, 'system:read') ? {} : { healthNote: 'sensor and feed health is shown to administrators and analysts' }),
    });
  }

  monthly(a: Access, month: string): Promise<MonthlySummary> {
    need(a, 'read');
    return monthlySummary(this.sources(a), { month, timeZone: this.d.timeZone, scope: this.scope(a) });
  }

  async pdf(a: Access, which: 'daily' | 'monthly', period: string, lang: ReportLanguage): Promise<Buffer> {
    const data = which === 'daily' ? await this.daily(a, period) : await this.monthly(a, period);
    return reportPdf(data, { lang });
  }
}
