/** DNS policies: current versions, history, changes, rollback, groups, and the gateways applying them. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { accessOf } from '../security.ts';
import type { EffectivePolicy } from '../../../policy/index.ts';
import { gatewaySchema, loose, okSchema, policyDocumentSchema, policyGroupSchema, policyVersionSchema } from '../schemas.ts';

const tags = ['policies'];
const scope = z.string().regex(/^(global|unit:[^\s]+|group:[^\s]+)$/, 'global, unit:<id> or group:<name>');

export function policyRoutes(app: ZApp, ctx: ApiContext): void {
  const pol = ctx.services.policies;
  app.get('/api/policies', { schema: { tags, summary: 'The current version of every policy the caller may see', response: { 200: z.array(policyVersionSchema) } } }, (req) => pol.current(accessOf(ctx, req)));
  app.get('/api/policies/history', { schema: { tags, summary: 'Every version of a scope, newest first', querystring: z.object({ scope }), response: { 200: z.array(policyVersionSchema) } } },
    (req) => pol.history(accessOf(ctx, req), req.query.scope));
  app.put('/api/policies', { schema: { tags, summary: 'Issue a new version of a scope\'s policy; gateways apply it within seconds', body: z.object({ scope, document: policyDocumentSchema, comment: z.string().max(1000).default('') }), response: { 200: policyVersionSchema } } },
    (req) => pol.set(accessOf(ctx, req), req.body.scope, req.body.document, req.body.comment));
  app.post('/api/policies/rollback', { schema: { tags, summary: 'Make an older version current again (as a new version)', body: z.object({ scope, version: z.number().int().positive(), comment: z.string().max(1000).optional() }), response: { 200: policyVersionSchema } } },
    (req) => pol.rollback(accessOf(ctx, req), req.body.scope, req.body.version, req.body.comment));
  app.get('/api/policies/effective/:unit', { schema: { tags, summary: 'The merged policy a unit\'s clients get, and where each part comes from', params: z.object({ unit: z.string() }), response: { 200: loose<EffectivePolicy>({}) } } },
    (req) => pol.effective(accessOf(ctx, req), req.params.unit));
  app.get('/api/policy-groups', { schema: { tags, summary: 'Groups of units that share a policy', response: { 200: z.array(policyGroupSchema) } } }, (req) => pol.groups(accessOf(ctx, req)));
  app.put('/api/policy-groups/:name', { schema: { tags, summary: 'Create or change a group', params: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/) }), body: z.object({ description: z.string().max(500).default(''), units: z.array(z.string()) }), response: { 200: policyGroupSchema } } },
    (req) => pol.putGroup(accessOf(ctx, req), req.params.name, req.body));
  app.delete('/api/policy-groups/:name', { schema: { tags, summary: 'Delete a group', params: z.object({ name: z.string() }), response: { 200: okSchema } } }, async (req) => {
    await pol.deleteGroup(accessOf(ctx, req), req.params.name);
    return { ok: true as const };
  });
  app.get('/api/gateways', { schema: { tags, summary: 'Running gateways and the policy revision each has applied', response: { 200: z.object({ revision: z.number(), gateways: z.array(gatewaySchema) }) } } },
    (req) => pol.gateways(accessOf(ctx, req)));
}
