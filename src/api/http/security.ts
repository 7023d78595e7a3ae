/**
 * Who is calling: an API token (`Authorization: Bearer mw_…`) or a session cookie. A request
 * that changes something with a session cookie must carry the session's CSRF token in
 * `x-csrf-token` (synchroniser token; the cookie is also SameSite=Strict). The principal is put
 * on the request; `accessOf(req)` turns it into what the services take.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MinewardenError } from '../../core/errors.ts';
import type { Principal } from '../../model/auth.ts';
import type { Access } from '../../services/index.ts';
import type { ApiContext } from './context.ts';

export const SESSION_COOKIE = 'mw_session';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The session secret from the cookie, when the caller came with one. */
    sessionSecret: string | null;
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Secure cookies over HTTPS, and on loopback (browsers accept them there over plain HTTP). */
export function cookieSecure(req: FastifyRequest): boolean {
  return req.protocol === 'https' || isLoopback(req.hostname);
}

export function setSessionCookie(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, secret: string): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true, sameSite: 'strict', secure: cookieSecure(req), path: '/', maxAge: ctx.config.sessionMax,
  });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: cookieSecure(req), path: '/' });
}

export function installSecurity(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('sessionSecret', null);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const auth = ctx.services.auth;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const p = m === null ? null : await auth.authenticateToken(m[1] ?? '');
      if (p === null) throw new MinewardenError('MW_ERR_AUTH', 'the API token is not valid (unknown, expired or its user disabled)');
      req.principal = { ...p, ip: req.ip };
      return;
    }
    const secret = req.cookies[SESSION_COOKIE];
    if (secret === undefined || secret === '') return;
    const p = await auth.authenticateSession(secret, req.ip);
    if (p === null) return;
    req.sessionSecret = secret;
    req.principal = { ...p, ip: req.ip };
    if (!SAFE.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      const want = await auth.csrfOf(secret);
      if (typeof sent !== 'string' || want === null || !sameToken(sent, want)) {
        throw new MinewardenError('MW_ERR_CSRF', 'this change needs the x-csrf-token header of your session (GET /api/auth/me gives it)');
      }
    }
  });
}

/** The caller as the services see it; MW_ERR_AUTH when nobody is logged in. */
export function accessOf(ctx: ApiContext, req: FastifyRequest): Access {
  if (req.principal === null) throw new MinewardenError('MW_ERR_AUTH', 'log in first (POST /api/auth/login) or send an API token');
  return ctx.services.access(req.principal);
}

/** The logged-in principal (for routes that act on one's own account). */
export function principalOf(req: FastifyRequest): Principal {
  if (req.principal === null) throw new MinewardenError('MW_ERR_AUTH', 'log in first (POST /api/auth/login) or send an API token');
  return req.principal;
}
