/**
 * Front door of the API layer: the local control socket that one-shot CLI commands use to reach
 * a running server, the Prometheus metrics endpoint, and the REST API with the console
 * (Fastify, src/api/http).
 */
export { callControl, controlSocketPath, startControlServer, type ControlHandler, type ControlServer } from './control.ts';
export { startMetricsServer, type MetricsServer } from './metrics.ts';
export { buildApi, startApiServer, type ApiServer } from './http/server.ts';
export type { ApiContext } from './http/context.ts';
