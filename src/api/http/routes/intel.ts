/** Threat intelligence: feeds, indicators, lookup, the review list and the allowlist. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';
import type { IntelStats } from '../../../store/index.ts';
import type { LookupResult } from '../../../intel/index.ts';
import { allowSchema, feedStatusSchema, indicatorSchema, loose, okSchema, paging } from '../schemas.ts';

const tags = ['intelligence'];
const typed = z.object({ type: z.string().min(1), value: z.string().min(1).max(2048) });

export function intelRoutes(app: ZApp, ctx: ApiContext): void {
  const intel = ctx.services.intel;
  app.get('/api/intel/stats', { schema: { tags, summary: 'Indicators by status, type, category and source', response: { 200: loose<IntelStats>({ total: z.number() }) } } }, (req) => intel.stats(accessOf(ctx, req)));
  app.get('/api/intel/feeds', {
    schema: { tags, summary: 'Configured feeds and stored sources with their last refresh', response: { 200: z.array(z.object({ name: z.string(), url: z.string(), format: z.string(), category: z.string().nullable(), refreshSeconds: z.number(), indicators: z.number(), status: feedStatusSchema.nullable() })) } },
  }, (req) => intel.feeds(accessOf(ctx, req)));
  app.post('/api/intel/feeds/:name/refresh', { schema: { tags, summary: 'Refresh a feed now', params: z.object({ name: z.string() }), response: { 200: feedStatusSchema.nullable() } } },
    (req) => intel.refresh(accessOf(ctx, req), req.params.name));
  app.get('/api/intel/indicators', {
    schema: { tags, summary: 'Indicator search (substring of the value)', querystring: z.object({ q: z.string().optional(), type: z.string().optional(), status: z.enum(['active', 'held', 'released']).optional(), source: z.string().optional(), ...paging }), response: { 200: z.object({ items: z.array(indicatorSchema) }) } },
  }, async (req) => ({ items: await intel.indicators(accessOf(ctx, req), req.query) }));
  app.get('/api/intel/lookup', { schema: { tags, summary: 'What the matcher says about a name, address or URL, and why', querystring: z.object({ value: z.string().min(1).max(2048) }), response: { 200: loose<LookupResult>({ query: z.string(), verdict: z.string(), reason: z.string() }) } } },
    (req) => intel.lookup(accessOf(ctx, req), req.query.value));
  app.get('/api/intel/review', { schema: { tags, summary: 'Indicators held back for review (popular domains, public suffixes, non-routable addresses)', querystring: z.object(paging), response: { 200: z.object({ items: z.array(indicatorSchema) }) } } },
    async (req) => ({ items: await intel.review(accessOf(ctx, req), req.query) }));
  app.post('/api/intel/review/release', { schema: { tags, summary: 'Let a held indicator match, for good', body: typed, response: { 200: z.object({ released: z.number() }) } } },
    async (req) => ({ released: await intel.release(accessOf(ctx, req), req.body.type, req.body.value) }));
  app.get('/api/intel/allow', { schema: { tags, summary: 'The allowlist', response: { 200: z.array(allowSchema) } } }, (req) => [...intel.allowlist(accessOf(ctx, req))]);
  app.post('/api/intel/allow', { schema: { tags, summary: 'Allowlist a name, address, network or URL', body: z.object({ value: z.string().min(1).max(2048), comment: z.string().max(500).default('') }), response: { 200: allowSchema } } },
    (req) => intel.allow(accessOf(ctx, req), req.body.value, req.body.comment));
  app.delete('/api/intel/allow', { schema: { tags, summary: 'Take an entry off the allowlist', body: typed, response: { 200: okSchema } } }, async (req) => {
    await intel.unallow(accessOf(ctx, req), req.body.type, req.body.value);
    return { ok: true as const };
  });
}
