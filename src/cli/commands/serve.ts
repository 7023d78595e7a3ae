/**
 * `minewarden serve`: everything in one process on the embedded store — the threat-intelligence
 * engine and its feed refresh, the event store with its writer and upkeep, the DNS gateway,
 * metrics and the control socket. Sensors, detectors and the console join as they are built.
 * `minewarden gateway` runs the same process for the DNS gateway alone (the store, intelligence
 * and event log it needs, without the services that will join `serve`).
 */
import type { Command } from 'commander';
import type { DnsEvent } from '../../model/events.ts';
import { startControlServer, startMetricsServer, type ControlServer, type MetricsServer } from '../../api/index.ts';
import { createRegistry } from '../../core/metrics.ts';
import { Gateway, intelLookup, localSinkholeHosts, orgLookup, registerDnsMetrics, registerSinkholeMetrics, Sinkhole, tapBlocked } from '../../dns/index.ts';
import { registerEventMetrics } from '../../events/index.ts';
import { registerSensorMetrics, SensorRuntime } from '../../sensors/index.ts';
import { openApp } from '../app.ts';
import { startDetection, type Detection } from '../detection.ts';
import { configFrom } from '../context.ts';
import { controlHandlers } from '../ops.ts';
import { PolicyApplier } from '../policy-apply.ts';
import { startConsole, tapLive, type ConsoleHandle } from '../console.ts';

async function run(cmd: Command, mode: 'serve' | 'gateway'): Promise<void> {
  const config = configFrom(cmd);
  const app = await openApp(config, undefined, { serving: true });
  const { log, engine, feeds } = app;
  log.info({ dataDir: config.dataDir, store: app.store.kind, mode }, 'Minewarden starting');
  let control: ControlServer | null = null;
  let metrics: MetricsServer | null = null;
  let gateway: Gateway | null = null;
  let sinkhole: Sinkhole | null = null;
  let policies: PolicyApplier | null = null;
  let web: ConsoleHandle | null = null;
  // Signals are wired before start-up work, so a stop during loading is honoured too.
  let stopping!: () => void;
  const stopped = new Promise<void>((resolve) => (stopping = resolve));
  const stop = (signal: string): void => {
    log.info({ signal }, 'stopping');
    stopping();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // SIGHUP re-reads the allowlist and rebuilds the matcher from the store; the gateway reads the
  // new matcher from its next query on (the swap is atomic: no query is lost).
  // It also re-reads the configuration and gives the gateway its new policy, lists, limits and
  // upstreams (listen addresses need a restart).
  process.on('SIGHUP', () => {
    void engine.reloadAllowlist().then(() => engine.rebuild());
    if (gateway === null) return;
    try {
      const next = configFrom(cmd);
      // The stored policies go over the file's policy again (the applier reloads the gateway).
      if (policies !== null) void policies.setDns(next.dns);
      else gateway.reload(next.dns);
      log.info('dns configuration reloaded');
    } catch (e) {
      log.error(`dns configuration not reloaded, the running one stays: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  let detection: Detection | null = null;
  const closeAll = async (): Promise<void> => {
    await web?.close();
    await app.sensors?.stop();
    detection?.runtime.stop();
    await detection?.settled();
    await policies?.stop();
    await gateway?.close();
    await sinkhole?.close();
    await metrics?.close();
    await control?.close();
    await app.close();
  };
  const registry = createRegistry();
  try {
    control = await startControlServer(config.dataDir, controlHandlers(app));
    registerEventMetrics(registry, app.sink, app.store.events);
    if (config.metrics.listen !== '') metrics = await startMetricsServer(config.metrics.listen, registry);
  } catch (e) {
    await closeAll();
    throw e;
  }
  app.maintenance.start();
  // Detectors: stream ones see every event recorded from here on; windowed ones run on their schedule.
  detection = startDetection(app, { schedule: mode === 'serve' });
  await engine.start({ seed: config.intel.seed });
  await feeds.loadCachedIfEmpty();
  feeds.start(config.intel.schedulerTick);
  if (mode === 'gateway' || config.dns.enabled) {
    // The sinkhole listens when blocked names are answered with an address of this machine: the
    // gateway tells it which name each client was sent there for.
    const sh = config.dns.block.sinkhole;
    const hosts = config.dns.block.action === 'sinkhole' && sh.listen !== 'off' ? localSinkholeHosts([sh.ipv4, sh.ipv6]) : [];
    try {
      if (hosts.length > 0) {
        sinkhole = await Sinkhole.start({ host: hosts, ports: sh.ports, events: app.sink, log, timeoutMs: sh.timeout * 1000, maxConnections: sh.maxConnections });
        registerSinkholeMetrics(registry, sinkhole);
      }
      // Every answered query passes the stream detectors (intelligence matches become alerts).
      // …and blocked ones feed the console's live view.
      const queryLog = tapLive(app.live, detection.tap(sinkhole === null ? app.sink : tapBlocked(app.sink, sinkhole)));
      const sh2 = sinkhole;
      gateway = await Gateway.start({
        config: config.dns, intel: intelLookup(engine), org: orgLookup(app.org), queryLog, log,
        // For dns.workers > 1: the matcher in shared memory, the unit tree, and the one event writer.
        workers: {
          intel: () => engine.shared(),
          units: () => app.org.tree().units(),
          events: app.store.events,
          ...(sh2 === null ? {} : { blocked: (client: string, name: string) => sh2.noteBlocked(client, name) }),
          matched: (ev: DnsEvent) => {
            detection?.runtime.observe(ev);
            if (ev.outcome === 'blocked') app.live.block({ ts: ev.ts, client: ev.client, unit: ev.unit ?? null, name: ev.name, category: ev.category ?? null, reason: ev.reason ?? null });
          },
        },
      });
    } catch (e) {
      // `gateway` exists to answer DNS: it stops. `serve` keeps the rest running (events, intel,
      // control) and says why DNS is off — e.g. port 5353 already taken by mDNS on a desktop.
      if (mode === 'gateway') {
        await closeAll();
        throw e;
      }
      await sinkhole?.close();
      sinkhole = null;
      log.error(`DNS gateway not started: ${e instanceof Error ? e.message : String(e)} — set dns.listen (or dns.enabled: false) and restart`);
    }
    if (gateway !== null) {
      // Centrally issued policies: applied now over the file's, then whenever their revision moves.
      policies = await PolicyApplier.start({
        store: app.store.policy, service: app.policy, dns: config.dns, gateway, log, pollSeconds: config.api.policyPoll,
      });
      registerDnsMetrics(registry, gateway);
      for (const line of gateway.describe()) log.debug(`dns chain ${line}`);
    }
  }
  if (mode === 'serve') {
    // Sensors: collectors and log readers from config. One that cannot start is reported, the rest run.
    const sensors = new SensorRuntime(config.sensors, detection.context);
    app.sensors = sensors;
    registerSensorMetrics(registry, () => sensors.health());
    await sensors.start();
    if (config.api.enabled) {
      try {
        const gw = gateway;
        web = await startConsole(app, () => gw);
      } catch (e) {
        // The console is one door among several (DNS, sensors, CLI): its port being taken stops only it.
        log.error(`console and API not started: ${e instanceof Error ? e.message : String(e)} — set api.listen (or api.enabled: false) and restart`);
      }
    }
  }
  const counts = engine.matcher.countsByType();
  log.info({
    indicators: engine.matcher.size, domains: counts.domain, feeds: config.intel.feeds.length, units: app.org.tree().size,
    dns: gateway === null ? 'off' : gateway.addresses.map((a) => `${a.proto}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`).join(' '),
    sinkhole: sinkhole === null ? 'off' : sinkhole.addresses.map((a) => `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`).join(' '),
    sensors: app.sensors === null || app.sensors.size === 0 ? 'none' : app.sensors.health().map((h) => h.id).join(' '),
    console: web?.url ?? 'off', metrics: metrics?.url ?? 'off', control: control.path,
  }, 'Minewarden ready');
  if (web !== null && (await app.auth.needsSetup())) {
    log.info(`no user yet: open ${web.url}/ to create the first admin, or run \`minewarden user add NAME --role admin\``);
  }
  if (config.intel.feeds.length === 0) {
    log.info('no feeds configured: the built-in mining-pool list is active; add feeds under intel.feeds in minewarden.yaml (see README)');
  }
  await stopped;
  await closeAll();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Minewarden: intelligence and feeds, DNS gateway, event store with its upkeep, metrics (more services join as they are built)')
    .action((_opts: unknown, cmd: Command) => run(cmd, 'serve'));
  program
    .command('gateway')
    .description('run the DNS gateway alone (with the intelligence, units and event log it needs)')
    .action((_opts: unknown, cmd: Command) => run(cmd, 'gateway'));
}
