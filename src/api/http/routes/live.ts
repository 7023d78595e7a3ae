/**
 * Server-Sent Events: blocks, incidents and a stats tick as they happen, cut to the caller's
 * units. A comment line every 15 s keeps proxies from closing an idle stream.
 */
import { need } from '../../../services/index.ts';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';

export function liveRoutes(app: ZApp, ctx: ApiContext): void {
  app.get('/api/live', { schema: { tags: ['live'], summary: 'Server-Sent Events: block, incident, stats' } }, (req, reply) => {
    const a = accessOf(ctx, req);
    need(a, 'read');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const unsubscribe = ctx.services.live.subscribe(a, (m) => {
      res.write(`event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
  });
}
