/**
 * What the HTTP API is given by the composition root: the services (domain functions that check
 * roles and units themselves), its config, the log, and where the built console is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiConfig } from '../../config/index.ts';
import type { Logger } from '../../core/log.ts';
import type { Services } from '../../services/index.ts';

export interface ApiContext {
  services: Services;
  config: ApiConfig;
  log: Logger;
  /** Folder holding the built console (index.html and assets), or null when it is not built. */
  webRoot: string | null;
  /** Version shown in the OpenAPI document. */
  version: string;
}

/** The Fastify instance the route files register on: zod schemas type their handlers. */
export type ZApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;
