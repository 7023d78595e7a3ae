/** Syslog ingest: the receiver, and the pure parsers for tools and tests. */
export { SyslogReceiver, parseHostPort, type SyslogConfig, type SyslogStats } from './receiver.ts';
export { parseSyslog, type SyslogMessage, type SdElement } from './parse.ts';
export { SyslogFramer } from './framing.ts';
export { messageEvent, parseBindQuery, parseUnbound, parseNetfilter, type FormatContext, type FormatName } from './formats/index.ts';
