/**
 * `minewarden serve`: everything in one process on the embedded store. Today that is the
 * threat-intelligence engine and its feed scheduler; the DNS gateway, sensors, detectors and the
 * console join this command as they are built.
 */
import type { Command } from 'commander';
import { startControlServer, startMetricsServer, type ControlServer, type MetricsServer } from '../../api/index.ts';
import { createRegistry } from '../../core/metrics.ts';
import { registerEventMetrics } from '../../events/index.ts';
import { openApp } from '../app.ts';
import { configFrom } from '../context.ts';
import { controlHandlers } from '../ops.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Minewarden (intelligence engine, feed refresh, event store with its writer and upkeep, metrics; more services join as they are built)')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      const app = await openApp(config, undefined, { serving: true });
      const { log, engine, feeds } = app;
      log.info({ dataDir: config.dataDir, store: app.store.kind }, 'Minewarden starting');
      // Signals are wired before start-up work, so a stop during loading is honoured too.
      let stopping!: () => void;
      const stopped = new Promise<void>((resolve) => (stopping = resolve));
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        stopping();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      // SIGHUP re-reads the allowlist and rebuilds the matcher from the store.
      process.on('SIGHUP', () => {
        void engine.reloadAllowlist().then(() => engine.rebuild());
      });
      let control: ControlServer | null = null;
      let metrics: MetricsServer | null = null;
      const closeAll = async (): Promise<void> => {
        await metrics?.close();
        await control?.close();
        await app.close();
      };
      try {
        control = await startControlServer(config.dataDir, controlHandlers(app));
        const registry = createRegistry();
        registerEventMetrics(registry, app.sink, app.store.events);
        if (config.metrics.listen !== '') metrics = await startMetricsServer(config.metrics.listen, registry);
      } catch (e) {
        await closeAll();
        throw e;
      }
      app.maintenance.start();
      await engine.start({ seed: config.intel.seed });
      await feeds.loadCachedIfEmpty();
      feeds.start(config.intel.schedulerTick);
      const counts = engine.matcher.countsByType();
      log.info({
        indicators: engine.matcher.size, domains: counts.domain, feeds: config.intel.feeds.length, units: app.org.tree().size,
        metrics: metrics?.url ?? 'off', control: control.path,
      }, 'Minewarden ready');
      if (config.intel.feeds.length === 0) {
        log.info('no feeds configured: the built-in mining-pool list is active; add feeds under intel.feeds in minewarden.yaml (see README)');
      }
      await stopped;
      await closeAll();
    });
}
