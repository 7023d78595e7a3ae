/** Sensors' health, system status and the audit log. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';
import { auditSchema, healthSchema } from '../schemas.ts';

const tags = ['system'];

export function systemRoutes(app: ZApp, ctx: ApiContext): void {
  const sys = ctx.services.system;
  app.get('/api/sensors', { schema: { tags, summary: 'Sensors of this process and their health', response: { 200: z.array(healthSchema) } } }, (req) => sys.sensors(accessOf(ctx, req)));
  app.get('/api/system', {
    schema: { tags, summary: 'Version, store, DNS listeners, intelligence and the event writer', response: { 200: z.object({ version: z.string(), startedAt: z.number(), store: z.string(), dns: z.array(z.string()), indicators: z.number(), intelGeneration: z.number(), units: z.number(), writer: z.unknown() }) } },
  }, (req) => sys.info(accessOf(ctx, req)));
  app.get('/api/audit', {
    schema: {
      tags, summary: 'The audit log, newest first',
      querystring: z.object({ actor: z.string().optional(), action: z.string().optional(), target: z.string().optional(), before: z.coerce.number().int().optional(), since: z.coerce.number().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      response: { 200: z.object({ items: z.array(auditSchema) }) },
    },
  }, async (req) => ({ items: await sys.audit(accessOf(ctx, req), req.query) }));
}
