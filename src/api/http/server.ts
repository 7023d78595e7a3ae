/**
 * The REST API and the console on one Fastify server: zod-validated routes with an OpenAPI
 * document (`/api/openapi.json`, browsable at `/api/docs`), sessions and tokens, Server-Sent
 * Events, and the built React console with a fallback to its index.html for client-side routes.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiContext } from './context.ts';
import { errorBody, installErrorHandler, ERROR_TABLE } from './errors.ts';
import { installSecurity } from './security.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';
import { networkRoutes } from './routes/network.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { intelRoutes } from './routes/intel.ts';
import { policyRoutes } from './routes/policies.ts';
import { reportRoutes } from './routes/reports.ts';
import { systemRoutes } from './routes/system.ts';
import { liveRoutes } from './routes/live.ts';


export interface ApiServer {
  readonly app: FastifyInstance;
  /** http(s)://host:port of the listening server. */
  readonly url: string;
  close(): Promise<void>;
}

export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const tls = ctx.config.tls;
  const app = Fastify({
    logger: false,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    ...(tls === undefined ? {} : { https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, ctx.log);
  await app.register(cookie);
  // Per-address limit on top of the per-account lock-out: a password sprayer meets one or the other.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Minewarden API', version: ctx.version,
        description: `Find and stop cryptomining malware and botnets. Log in with POST /api/auth/login (cookie session; send x-csrf-token on changes) or send "Authorization: Bearer <API token>".\n\nErrors: { error: { code, message } }.\n${ERROR_TABLE}`,
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'mw_session' }, token: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  installSecurity(app, ctx);
  const z = app.withTypeProvider<ZodTypeProvider>();
  for (const routes of [authRoutes, userRoutes, networkRoutes, incidentRoutes, intelRoutes, policyRoutes, reportRoutes, systemRoutes, liveRoutes]) routes(z, ctx);
  const web = ctx.webRoot;
  const noRoute = (method: string, url: string) => errorBody('MW_ERR_NOT_FOUND', `no route ${method} ${url.split('?')[0] ?? ''}`);
  if (web !== null && existsSync(join(web, 'index.html'))) {
    // wildcard: files are looked up when asked for, so a console rebuilt while serving is served as it is now.
    await app.register(fastifyStatic, { root: web, wildcard: true, index: 'index.html' });
    const index = readFileSync(join(web, 'index.html'));
    // Client-side routes (/incidents/42) get the console's page; unknown /api paths stay JSON 404s.
    app.setNotFoundHandler((req, reply) => {
      if (req.method !== 'GET' || req.url.startsWith('/api/')) return reply.status(404).send(noRoute(req.method, req.url));
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    });
  } else {
    app.get('/', (_req, reply) => reply.type('text/plain; charset=utf-8').send('The Minewarden console is not built (npm run build:web). The API answers under /api/ (docs: /api/docs).\n'));
    app.setNotFoundHandler((req, reply) => reply.status(404).send(noRoute(req.method, req.url)));
  }
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
  });
  return app;
}

export async function startApiServer(ctx: ApiContext): Promise<ApiServer> {
  const app = await buildApi(ctx);
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(ctx.config.listen);
  const host = m?.[1] ?? ctx.config.listen;
  const port = Number(m?.[2] ?? 8080);
  await app.listen({ host, port });
  const addr = app.server.address();
  const realPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  const url = `${ctx.config.tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${realPort}`;
  if (ctx.config.tls === undefined && !/^(127\.|::1$|localhost$)/.test(host) && !ctx.config.trustProxy) {
    ctx.log.warn(`the console listens on plain HTTP at ${url}: passwords and session cookies cross the network in clear; set api.tls or put a TLS proxy in front (api.trustProxy)`);
  }
  return { app, url, close: () => app.close() };
}
