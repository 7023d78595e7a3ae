/**
 * The console and REST API in `serve`: the services over the running parts, the live feed fed
 * by the gateway's query log and the incident engine, and the Fastify server. Composition only:
 * the routes live in src/api/http, the rules in src/services.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DnsEvent } from '../model/events.ts';
import { startApiServer, type ApiServer } from '../api/index.ts';
import { Services, type LiveHub } from '../services/index.ts';
import { healthLines } from './health.ts';
import type { Gateway } from '../dns/index.ts';
import type { App } from './app.ts';

const VERSION = '0.1.0';

/** The package root: the nearest folder up from this file with a package.json (source or dist). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where the built console is, if it is built. */
export function webRoot(): string | null {
  const dir = join(packageRoot(), 'dist', 'web');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/** Blocked queries on their way to the query log also go to the live feed. */
export function tapLive(live: LiveHub, next: { record(ev: DnsEvent): boolean }): { record(ev: DnsEvent): boolean } {
  return {
    record(ev: DnsEvent): boolean {
      if (ev.outcome === 'blocked') live.block({ ts: ev.ts, client: ev.client, unit: ev.unit ?? null, name: ev.name, category: ev.category ?? null, reason: ev.reason ?? null });
      return next.record(ev);
    },
  };
}


export interface ConsoleHandle {
  readonly url: string;
  close(): Promise<void>;
}

export async function startConsole(app: App, gateway: () => Gateway | null): Promise<ConsoleHandle> {
  const startedAt = Date.now();
  const services = new Services({
    store: app.store, org: app.org, engine: app.engine, feeds: app.feeds, feedConfigs: app.config.intel.feeds,
    incidents: app.incidents, auth: app.auth, audit: app.audit, policy: app.policy, live: app.live,
    health: () => healthLines(app),
    system: () => {
      const gw = gateway();
      return {
        version: VERSION, startedAt, store: app.store.kind,
        dns: gw === null ? [] : gw.addresses.map((a) => `${a.proto}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`),
        indicators: app.engine.matcher.size, intelGeneration: app.engine.generation, units: app.org.tree().size,
        writer: app.store.events.status(),
      };
    },
    now: () => Date.now(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const server: ApiServer = await startApiServer({ services, config: app.config.api, log: app.log, webRoot: webRoot(), version: VERSION });
  // Every 5 s: the gateway's counters as a rate, for the overview's live figures.
  let last: { t: number; queries: number; blocked: number } | null = null;
  const tick = setInterval(() => {
    const gw = gateway();
    if (gw === null || app.live.size === 0) return;
    const t = gw.totals();
    const now = Date.now();
    const blocked = t.byOutcome.get('blocked') ?? 0;
    const qps = last === null ? 0 : ((t.queries - last.queries) * 1000) / Math.max(1, now - last.t);
    app.live.stats({ ts: now, queries: t.queries, blocked, qps: Math.round(qps * 10) / 10 });
    last = { t: now, queries: t.queries, blocked };
  }, 5000);
  tick.unref();
  // Sessions past their idle or absolute limit are refused already; this only clears their rows.
  const sweep = setInterval(() => {
    app.auth.deleteExpiredSessions().catch((e: unknown) => app.log.warn(`expired sessions not cleared: ${e instanceof Error ? e.message : String(e)}`));
  }, 3_600_000);
  sweep.unref();
  return {
    url: server.url,
    async close(): Promise<void> {
      clearInterval(tick);
      clearInterval(sweep);
      await server.close();
    },
  };
}
