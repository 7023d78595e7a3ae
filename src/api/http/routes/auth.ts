/** First run, login and logout, one's own account (password, second factor, API tokens), roles. */
import { z } from 'zod';
import { ROLE_PERMISSIONS } from '../../../model/auth.ts';
import type { ApiContext, ZApp } from '../context.ts';
import { clearSessionCookie, principalOf, setSessionCookie } from '../security.ts';
import { errorSchema, okSchema, roleSchema, sessionInfo, tokenSchema, bool } from '../schemas.ts';

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), totp: z.string().regex(/^\d{6}$/).optional() });
const setupBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), displayName: z.string().max(200).optional(), language: z.enum(['en', 'zh']).optional() });
const tags = ['auth'];

export function authRoutes(app: ZApp, ctx: ApiContext): void {
  const auth = ctx.services.auth;
  const meta = (req: { ip: string; headers: { 'user-agent'?: string | undefined } }) => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
  const loginLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

  app.get('/api/setup', { schema: { tags, summary: 'Whether the first admin still has to be created', response: { 200: z.object({ needsSetup: z.boolean() }) } } }, async () => ({ needsSetup: await auth.needsSetup() }));

  app.post('/api/setup', { config: loginLimit, schema: { tags, summary: 'Create the first admin (only while there is no user) and log in', body: setupBody, response: { 200: sessionInfo, 409: errorSchema } } }, async (req, reply) => {
    const r = await auth.setup(req.body, meta(req));
    setSessionCookie(ctx, req, reply, r.sessionSecret);
    return { user: r.user, permissions: [...ROLE_PERMISSIONS[r.user.role]], csrfToken: r.csrfToken, mustEnrollTotp: r.mustEnrollTotp };
  });

  app.post('/api/auth/login', { config: loginLimit, schema: { tags, summary: 'Log in with a password and, when enrolled, a TOTP code', security: [], body: credentials, response: { 200: sessionInfo, 401: errorSchema, 429: errorSchema } } }, async (req, reply) => {
    const r = await auth.login(req.body, meta(req));
    setSessionCookie(ctx, req, reply, r.sessionSecret);
    return { user: r.user, permissions: [...ROLE_PERMISSIONS[r.user.role]], csrfToken: r.csrfToken, mustEnrollTotp: r.mustEnrollTotp };
  });

  app.post('/api/auth/logout', { schema: { tags, summary: 'End this session', response: { 200: okSchema } } }, async (req, reply) => {
    if (req.sessionSecret !== null) await auth.logout(req.sessionSecret, req.ip);
    clearSessionCookie(req, reply);
    return { ok: true as const };
  });

  app.get('/api/auth/me', { schema: { tags, summary: 'Who is logged in, what they may do, and the CSRF token', response: { 200: sessionInfo, 401: errorSchema } } }, async (req) => {
    const p = principalOf(req);
    const user = await auth.me(p);
    return { user, permissions: [...ROLE_PERMISSIONS[p.role]], csrfToken: req.sessionSecret === null ? null : await auth.csrfOf(req.sessionSecret), mustEnrollTotp: p.mustEnrollTotp };
  });

  app.post('/api/auth/password', { schema: { tags, summary: 'Change one\'s own password (ends one\'s other sessions)', body: z.object({ current: z.string(), next: z.string().min(1).max(1024) }), response: { 200: okSchema } } }, async (req) => {
    await auth.changePassword(principalOf(req), req.body.current, req.body.next);
    return { ok: true as const };
  });

  app.post('/api/auth/totp/setup', { schema: { tags, summary: 'Start TOTP enrolment: a new secret and its QR code', response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() }) } } }, (req) => auth.totpSetup(principalOf(req)));

  app.post('/api/auth/totp/enable', { schema: { tags, summary: 'Confirm TOTP enrolment with a code from the app', body: z.object({ code: z.string().regex(/^\d{6}$/) }), response: { 200: okSchema } } }, async (req) => {
    await auth.totpEnable(principalOf(req), req.body.code);
    return { ok: true as const };
  });

  app.post('/api/auth/totp/disable', { schema: { tags, summary: 'Remove one\'s second factor (refused when the role requires one)', body: z.object({ password: z.string() }), response: { 200: okSchema } } }, async (req) => {
    await auth.totpDisable(principalOf(req), req.body.password);
    return { ok: true as const };
  });

  app.get('/api/roles', { schema: { tags: ['users'], summary: 'Roles, what each may do, and whether it requires a second factor', response: { 200: z.array(z.object({ role: roleSchema, permissions: z.array(z.string()), totpRequired: z.boolean() })) } } }, async (req) => {
    principalOf(req);
    return (await auth.roles()).map((r) => ({ ...r, permissions: [...r.permissions] }));
  });

  app.put('/api/roles/:role', { schema: { tags: ['users'], summary: 'Require (or not) a second factor for a role', params: z.object({ role: roleSchema }), body: z.object({ totpRequired: z.boolean() }), response: { 200: okSchema } } }, async (req) => {
    await auth.setTotpRequired(principalOf(req), req.params.role, req.body.totpRequired);
    return { ok: true as const };
  });

  app.get('/api/tokens', { schema: { tags: ['tokens'], summary: 'API tokens: one\'s own, or with all=1 every token (admin)', querystring: z.object({ all: bool.optional() }), response: { 200: z.array(tokenSchema) } } }, (req) => auth.listTokens(principalOf(req), req.query.all === true));

  app.post('/api/tokens', { schema: { tags: ['tokens'], summary: 'Make an API token acting as oneself; the secret is shown once', body: z.object({ name: z.string().min(1).max(100), expiresInDays: z.number().int().positive().max(3650).optional() }), response: { 200: z.object({ token: tokenSchema, secret: z.string() }) } } }, (req) => auth.createToken(principalOf(req), req.body));

  app.delete('/api/tokens/:id', { schema: { tags: ['tokens'], summary: 'Revoke an API token (one\'s own, or any as admin)', params: z.object({ id: z.string() }), response: { 200: okSchema } } }, async (req) => {
    await auth.deleteToken(principalOf(req), req.params.id);
    return { ok: true as const };
  });
}
