/**
 * Every error leaves the API in one shape, `{ error: { code, message } }`, with the status the
 * error registry gives its code. Validation failures are MW_ERR_BAD_INPUT with every problem
 * listed; anything unexpected is logged and answered as a 500 without internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ERROR_CODES, isMinewardenError, type ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: ErrorCode | 'MW_ERR_INTERNAL', message: string): ErrorBody {
  return { error: { code, message } };
}

export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isMinewardenError(err)) return reply.status(err.status).send(errorBody(err.code, err.message));
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const problems = err.validation.map((v) => `${where}${v.instancePath === '' ? '' : v.instancePath.replaceAll('/', '.')}: ${v.message ?? 'invalid'}`);
      return reply.status(400).send(errorBody('MW_ERR_BAD_INPUT', problems.join('; ')));
    }
    if (isResponseSerializationError(err)) {
      log.error({ url: req.url, issues: err.cause.issues }, 'a response did not match its schema');
      return reply.status(500).send(errorBody('MW_ERR_INTERNAL', 'the server made an answer that does not match its own schema (logged)'));
    }
    if (err.statusCode === 429) return reply.status(429).send(errorBody('MW_ERR_RATE_LIMITED', err.message));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody('MW_ERR_BAD_INPUT', err.message));
    }
    log.error({ err, url: req.url }, 'unexpected error in the API');
    return reply.status(500).send(errorBody('MW_ERR_INTERNAL', 'unexpected error (logged on the server)'));
  });
}

/** The error codes and their statuses, for the OpenAPI document. */
export const ERROR_TABLE = Object.entries(ERROR_CODES).map(([code, v]) => `${code} (${v.status}): ${v.summary}`).join('\n');
