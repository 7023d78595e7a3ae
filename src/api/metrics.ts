/**
 * GET /metrics in the Prometheus text format on its own small listener (default 127.0.0.1:9153),
 * so that a scraper never shares a port with DNS or the console. Anything else is 404.
 */
import { createServer } from 'node:http';
import type { Registry } from '../core/metrics.ts';
import { MinewardenError } from '../core/errors.ts';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(listen: string, registry: Registry): Promise<MetricsServer> {
  const m = /^(?:\[(.+)\]|(.+)):(\d+)$/.exec(listen);
  if (m === null) throw new MinewardenError('MW_ERR_CONFIG', `metrics.listen "${listen}" is not ADDRESS:PORT`);
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new MinewardenError('MW_ERR_CONFIG', `cannot listen for metrics on ${listen}: ${e.code ?? e.message} (set metrics.listen, or '' to turn it off)`)),
    );
    server.listen(port, host, ok);
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/metrics`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
