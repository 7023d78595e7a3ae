/** Users (admin): list, create, change, delete, unlock. */
import { z } from 'zod';
import type { ApiContext, ZApp } from '../context.ts';
import { principalOf } from '../security.ts';
import { idParam, okSchema, roleSchema, userSchema } from '../schemas.ts';

const tags = ['users'];
const newUser = z.object({
  username: z.string().min(1).max(64), password: z.string().min(1).max(1024), displayName: z.string().max(200).optional(),
  role: roleSchema, units: z.array(z.string()).optional(), language: z.enum(['en', 'zh']).optional(),
});
const patch = z.object({
  displayName: z.string().max(200).optional(), role: roleSchema.optional(), units: z.array(z.string()).optional(), disabled: z.boolean().optional(),
  password: z.string().min(1).max(1024).optional(), language: z.enum(['en', 'zh']).optional(), resetTotp: z.boolean().optional(),
});

export function userRoutes(app: ZApp, ctx: ApiContext): void {
  const auth = ctx.services.auth;
  app.get('/api/users', { schema: { tags, summary: 'Every user', response: { 200: z.array(userSchema) } } }, (req) => auth.listUsers(principalOf(req)));
  app.post('/api/users', { schema: { tags, summary: 'Create a user', body: newUser, response: { 200: userSchema } } }, (req) => auth.createUser(principalOf(req), req.body));
  app.patch('/api/users/:id', { schema: { tags, summary: 'Change a user (a role, password or disable change ends their sessions)', params: idParam, body: patch, response: { 200: userSchema } } }, (req) => auth.updateUser(principalOf(req), req.params.id, req.body));
  app.delete('/api/users/:id', { schema: { tags, summary: 'Delete a user with their sessions and tokens (never the last admin)', params: idParam, response: { 200: okSchema } } }, async (req) => {
    await auth.deleteUser(principalOf(req), req.params.id);
    return { ok: true as const };
  });
  app.post('/api/users/:id/unlock', { schema: { tags, summary: 'Lift a lock-out after failed logins', params: idParam, response: { 200: okSchema } } }, async (req) => {
    await auth.unlock(principalOf(req), req.params.id);
    return { ok: true as const };
  });
}
