/**
 * Health lines for the console's settings page and the daily patrol: the sensors of this process
 * (none in a one-shot command) and every feed's last refresh. One place, so both say the same.
 */
import type { HealthLine } from '../reports/index.ts';
import type { App } from './app.ts';

/** Sensors of this process and every feed, as health lines (a feed is stale after two missed refreshes). */
export async function healthLines(app: App): Promise<HealthLine[]> {
  const now = Date.now();
  const lines: HealthLine[] = (app.sensors?.health() ?? []).map((h) => ({
    kind: 'sensor', name: h.id, events: h.events, errors: h.errors, lastEvent: h.lastEventAt === 0 ? null : h.lastEventAt, detail: `${h.kind} ${h.detail}`.trim(),
    status: h.errors > 0 && h.events === 0 ? 'failing' : h.lastEventAt === 0 || now - h.lastEventAt > 15 * 60_000 ? 'stale' : 'ok',
  }));
  for (const f of app.sensors?.failed ?? []) lines.push({ kind: 'sensor', name: f.id, status: 'failing', events: null, errors: null, lastEvent: null, detail: f.error });
  const refresh = new Map(app.config.intel.feeds.map((f) => [f.name, f.refresh * 1000]));
  for (const s of await app.store.intel.listFeedStatus()) {
    const every = refresh.get(s.name);
    const failing = s.lastError !== '' && s.lastAttempt > s.lastSuccess;
    // Feed status times are in seconds (the intel engine's clock); health lines speak milliseconds.
    const success = s.lastSuccess * 1000;
    lines.push({
      kind: 'feed', name: s.name, events: s.entries, errors: s.rejectedLines, lastEvent: s.lastSuccess === 0 ? null : success,
      status: failing ? 'failing' : every !== undefined && now - success > 2 * every ? 'stale' : 'ok',
      detail: failing ? s.lastError : `${s.format}${every === undefined ? ' (not scheduled)' : ''}`,
    });
  }
  return lines;
}
