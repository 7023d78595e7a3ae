/**
 * The gateway as its own process for bench/dns.ts, so that its RSS and CPU time are the server's
 * alone. Two modes:
 *
 *   node --import tsx bench/dns-support/gateway-main.ts prepare DATA_DIR LIST_FILE
 *     imports the plain list (one domain a line) into the store of DATA_DIR, as `minewarden
 *     intel import` would, which also writes the matcher snapshot a restart loads from;
 *   node --import tsx bench/dns-support/gateway-main.ts serve DATA_DIR PORT UPSTREAM_PORT
 *     starts what `minewarden gateway` starts (src/cli/commands/serve.ts): openApp with the
 *     event writer on its worker thread, the engine from the snapshot, the gateway with the
 *     EventSink as its query log. Prints one JSON line when it listens, and one with the sink's
 *     counters when SIGTERM stops it.
 *
 * The per-client rate limit is off (dns.rateLimit.qps 0): every query comes from one address.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openApp } from '../../src/cli/app.ts';
import { configSchema } from '../../src/config/index.ts';
import { createLogger } from '../../src/core/log.ts';
import { Gateway, intelLookup, orgLookup } from '../../src/dns/index.ts';

const [mode, dataDir, a, b] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: gateway-main.ts prepare|serve DATA_DIR …');

function configFor(port: number, upstreamPort: number): ReturnType<typeof configSchema.parse> {
  return configSchema.parse({
    dataDir,
    log: { level: 'warn', format: 'json' },
    intel: { seed: false, feeds: [] },
    metrics: { listen: '' },
    events: { writer: 'worker' },
    dns: {
      listen: [`127.0.0.1:${port}`],
      upstreams: [`127.0.0.1:${upstreamPort}`],
      rateLimit: { qps: 0, burst: 1 },
    },
  });
}

const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'prepare') {
  const config = configFor(1, 1);
  const app = await openApp(config, createLogger(config.log));
  try {
    await app.engine.start({ seed: false });
    const t0 = performance.now();
    const r = await app.engine.importText({ text: readFileSync(a!, 'utf8'), source: 'bench', format: 'plain', category: 'mining-pool', confidence: 90 });
    out({ stored: r.stored, rejected: r.rejected, held: r.held, ms: Math.round(performance.now() - t0), size: app.engine.matcher.size });
  } finally {
    await app.close();
  }
} else if (mode === 'serve') {
  const config = configFor(Number(a), Number(b));
  const log = createLogger(config.log);
  const t0 = performance.now();
  const app = await openApp(config, log, { serving: true });
  const stopped = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  app.maintenance.start();
  await app.engine.start({ seed: config.intel.seed });
  const tEngine = performance.now();
  const gateway = await Gateway.start({ config: config.dns, intel: intelLookup(app.engine), org: orgLookup(app.org), queryLog: app.sink, log });
  out({
    ready: true, indicators: app.engine.matcher.size,
    // Since the process began (performance.timeOrigin), i.e. including node and tsx start-up.
    msToListening: Math.round(performance.now()), msMainToEngine: Math.round(tEngine - t0), msMainToListening: Math.round(performance.now() - t0),
  });
  await stopped;
  await app.sink.flush();
  out({ sink: app.sink.status() });
  await gateway.close();
  await app.close();
  process.exit(0);
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
