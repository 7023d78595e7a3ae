/**
 * `minewarden serve`: everything in one process on the embedded store. Today that is the
 * threat-intelligence engine and its feed scheduler; the DNS gateway, sensors, detectors and the
 * console join this command as they are built.
 */
import type { Command } from 'commander';
import { openApp } from '../app.ts';
import { configFrom } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Minewarden (intelligence engine and feed refresh; more services join as they are built)')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      const app = await openApp(config);
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
      await engine.start({ seed: config.intel.seed });
      await feeds.loadCachedIfEmpty();
      feeds.start(config.intel.schedulerTick);
      const counts = engine.matcher.countsByType();
      log.info({ indicators: engine.matcher.size, domains: counts.domain, feeds: config.intel.feeds.length, units: app.org.tree().size }, 'Minewarden ready');
      if (config.intel.feeds.length === 0) {
        log.info('no feeds configured: the built-in mining-pool list is active; add feeds under intel.feeds in minewarden.yaml (see README)');
      }
      await stopped;
      await app.close();
    });
}
