/** Reports: the daily patrol and the monthly summary, as JSON or PDF. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';

const tags = ['reports'];
const format = z.enum(['json', 'pdf']).default('json');
const lang = z.enum(['en', 'zh']).default('en');

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function reportRoutes(app: ZApp, ctx: ApiContext): void {
  const rep = ctx.services.reports;
  const today = () => new Date(ctx.services.deps.now());
  app.get('/api/reports/daily', {
    schema: { tags, summary: 'The daily patrol: what changed since the day before, open incidents, sensor health (default: yesterday)', querystring: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), format, lang }) },
  }, async (req, reply) => {
    const a = accessOf(ctx, req);
    const y = today();
    y.setDate(y.getDate() - 1);
    const date = req.query.date ?? `${y.getFullYear()}-${pad(y.getMonth() + 1)}-${pad(y.getDate())}`;
    if (req.query.format === 'pdf') {
      const pdf = await rep.pdf(a, 'daily', date, req.query.lang);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="minewarden-daily-${date}.pdf"`).send(pdf);
    }
    return reply.send(await rep.daily(a, date));
  });
  app.get('/api/reports/monthly', {
    schema: { tags, summary: 'The monthly summary: mining cases, pool connections blocked, threat events (default: last month)', querystring: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/).optional(), format, lang }) },
  }, async (req, reply) => {
    const a = accessOf(ctx, req);
    const m = today();
    m.setDate(1);
    m.setMonth(m.getMonth() - 1);
    const month = req.query.month ?? `${m.getFullYear()}-${pad(m.getMonth() + 1)}`;
    if (req.query.format === 'pdf') {
      const pdf = await rep.pdf(a, 'monthly', month, req.query.lang);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="minewarden-monthly-${month}.pdf"`).send(pdf);
    }
    return reply.send(await rep.monthly(a, month));
  });
}
