/**
 * Front door of the API layer. Today: the local control socket that one-shot CLI commands use to
 * reach a running server, and the Prometheus metrics endpoint. The REST API and console come with
 * issue 7.
 */
export { callControl, controlSocketPath, startControlServer, type ControlHandler, type ControlServer } from './control.ts';
export { startMetricsServer, type MetricsServer } from './metrics.ts';
