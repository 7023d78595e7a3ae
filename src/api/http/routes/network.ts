/** The overview, units, hosts and the DNS query search: everything cut to the caller's units. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';
import { csv, eventSchema, hostSchema, idParam, incidentSummarySchema, outcomeSchema, paging, seriesSchema, severitySchema, unitNodeSchema, unitSchema } from '../schemas.ts';

const tags = ['network'];
const overviewSchema = z.object({
  from: z.number(), to: z.number(), bucket: z.enum(['minute', 'hour', 'day']),
  totals: z.object({ queries: z.number(), blocked: z.number(), incidentsOpen: z.number(), infectedHosts: z.number(), affectedUnits: z.number() }),
  series: seriesSchema,
  incidentsBySeverity: z.record(severitySchema, z.number()),
  incidentSeries: z.object({ t: z.array(z.number()), opened: z.array(z.number()), infectedHosts: z.array(z.number()), affectedUnits: z.array(z.number()) }),
  topBlocked: z.array(z.object({ key: z.string(), count: z.number() })),
});

export function networkRoutes(app: ZApp, ctx: ApiContext): void {
  const net = ctx.services.network;
  app.get('/api/overview', {
    schema: { tags, summary: 'Queries, blocks, incidents, infected hosts and affected units over a time range (default: the last 24 h)', querystring: z.object({ from: z.coerce.number().optional(), to: z.coerce.number().optional(), unit: z.string().optional() }), response: { 200: overviewSchema } },
  }, (req) => net.overview(accessOf(ctx, req), req.query));

  app.get('/api/units', { schema: { tags, summary: 'The visible unit tree, each unit with its status', response: { 200: z.array(unitNodeSchema) } } }, (req) => net.units(accessOf(ctx, req)));

  app.get('/api/units/:id', {
    schema: {
      tags, summary: 'A unit: its path, status, hosts, incidents and 30 days of history', params: z.object({ id: z.string() }),
      response: { 200: z.object({ unit: unitSchema, path: z.array(z.object({ id: z.string(), name: z.string() })), status: unitNodeSchema, hosts: z.array(hostSchema), incidents: z.array(incidentSummarySchema), history: seriesSchema }) },
    },
  }, (req) => net.unit(accessOf(ctx, req), req.params.id));

  app.get('/api/hosts', {
    schema: { tags, summary: 'Hosts, last seen first; total is null while more pages follow', querystring: z.object({ search: z.string().optional(), unit: z.string().optional(), ...paging }), response: { 200: z.object({ items: z.array(hostSchema), total: z.number().nullable() }) } },
  }, (req) => net.hosts(accessOf(ctx, req), req.query));

  app.get('/api/hosts/:id', {
    schema: { tags, summary: 'A host with its recent queries, flows, alerts and incidents', params: idParam, response: { 200: z.object({ host: hostSchema, queries: z.array(eventSchema), flows: z.array(eventSchema), alerts: z.array(eventSchema), incidents: z.array(incidentSummarySchema) }) } },
  }, (req) => net.host(accessOf(ctx, req), req.params.id));

  app.get('/api/queries', {
    schema: {
      tags, summary: 'DNS query search, newest first, paged by cursor',
      querystring: z.object({
        from: z.coerce.number().optional(), to: z.coerce.number().optional(), unit: z.string().optional(), host: z.coerce.number().int().positive().optional(),
        client: z.string().optional(), site: z.string().optional(), name: z.string().optional(), outcome: csv.pipe(z.array(outcomeSchema)).optional(),
        category: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().optional(),
      }),
      response: { 200: z.object({ items: z.array(eventSchema), next: z.string().nullable() }) },
    },
  }, (req) => net.queries(accessOf(ctx, req), req.query));
}
