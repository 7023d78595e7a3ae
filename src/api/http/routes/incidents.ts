/** Incidents: the list, one incident with its trail, and the workflow actions. */
import { z } from 'zod';
import { INCIDENT_STATES } from '../../../model/detect.ts';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';
import { bool, csv, idParam, incidentChangeSchema, incidentSchema, incidentSummarySchema, paging, severitySchema } from '../schemas.ts';

const tags = ['incidents'];
const noteBody = z.object({ note: z.string().max(10_000).optional() }).default({});

export function incidentRoutes(app: ZApp, ctx: ApiContext): void {
  const inc = ctx.services.incidents;
  app.get('/api/incidents', {
    schema: {
      tags, summary: 'Incidents, most recent activity first',
      querystring: z.object({
        state: csv.pipe(z.array(z.enum(INCIDENT_STATES))).optional(), open: bool.optional(), severity: severitySchema.optional(), unit: z.string().optional(),
        kind: z.enum(['host', 'campaign']).optional(), q: z.string().optional(), since: z.coerce.number().optional(), ...paging,
      }),
      response: { 200: z.object({ items: z.array(incidentSummarySchema), total: z.number() }) },
    },
  }, (req) => inc.list(accessOf(ctx, req), req.query));

  app.get('/api/incidents/:id', { schema: { tags, summary: 'One incident with its evidence timeline, notes and history', params: idParam, response: { 200: z.object({ incident: incidentSchema, history: z.array(incidentChangeSchema) }) } } },
    (req) => inc.get(accessOf(ctx, req), req.params.id));

  for (const move of ['ack', 'contain', 'resolve', 'reopen'] as const) {
    app.post(`/api/incidents/:id/${move}`, { schema: { tags, summary: `Workflow: ${move}`, params: idParam, body: noteBody, response: { 200: incidentSchema } } },
      (req) => inc.move(accessOf(ctx, req), req.params.id, move, req.body.note));
  }
  app.post('/api/incidents/:id/false-positive', {
    schema: { tags, summary: 'Close as a false positive, optionally putting its indicator on the allowlist', params: idParam, body: z.object({ allowlist: z.boolean().default(false), note: z.string().max(10_000).optional() }), response: { 200: incidentSchema } },
  }, (req) => inc.falsePositive(accessOf(ctx, req), req.params.id, { allowlist: req.body.allowlist, ...(req.body.note === undefined ? {} : { note: req.body.note }) }));
  app.post('/api/incidents/:id/note', { schema: { tags, summary: 'Add a note', params: idParam, body: z.object({ text: z.string().min(1).max(10_000) }), response: { 200: incidentSchema } } },
    (req) => inc.note(accessOf(ctx, req), req.params.id, req.body.text));
  app.post('/api/incidents/:id/assign', { schema: { tags, summary: 'Assign to someone (null: nobody)', params: idParam, body: z.object({ assignee: z.string().max(64).nullable() }), response: { 200: incidentSchema } } },
    (req) => inc.assign(accessOf(ctx, req), req.params.id, req.body.assignee));
}
