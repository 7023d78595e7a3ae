/** Front door of the sinkhole: the listener, its sniffers, and the glue `serve` uses. */
export { Sinkhole, DEFAULT_SINKHOLE_PORTS, type SinkholeOptions, type SinkholeStats, type SinkholeAddress, type SinkholeLog } from './server.ts';
export { sniff, parseClientHello, parseHttpRequest, parseStratum, type Sniffed, type TlsHello, type HttpRequest, type MiningLogin } from './sniff.ts';
export { localSinkholeHosts, tapBlocked } from './local.ts';
export { registerSinkholeMetrics } from './metrics.ts';
