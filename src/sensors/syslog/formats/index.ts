/**
 * Syslog message → events, by what the message is: BIND and Unbound query logs, netfilter
 * packet logs. The program name decides first when it is one we know; otherwise the content.
 * Anything else is `null` (unknown: the receiver counts it, it is no error).
 */
import type { MinewardenEvent } from '../../../model/events.ts';
import type { SyslogMessage } from '../parse.ts';
import { isBindQuery, parseBindQuery } from './bind.ts';
import { isNetfilter, parseNetfilter } from './netfilter.ts';
import { isUnboundLog, parseUnbound } from './unbound.ts';

export interface FormatContext {
  isInternal: (ip: string) => boolean;
  /** Time to use when the message has none, ms. */
  now: number;
  /** The sender's address, named in `syslog:<host>` when the message has no HOSTNAME. */
  peer: string;
  site?: string | undefined;
}

export type FormatName = 'bind' | 'unbound' | 'netfilter';

export function messageEvent(m: SyslogMessage, ctx: FormatContext): { format: FormatName; event: MinewardenEvent } | null {
  const ts = m.ts ?? ctx.now;
  const app = m.appName?.toLowerCase() ?? '';
  const msg = m.msg;
  let r: { format: FormatName; event: MinewardenEvent | null } | null = null;
  if ((app === 'named' || app === '') && isBindQuery(msg)) r = { format: 'bind', event: parseBindQuery(msg, ts) };
  else if ((app === 'unbound' || app === '') && isUnboundLog(msg)) r = { format: 'unbound', event: parseUnbound(msg, ts) };
  else if (isNetfilter(msg)) r = { format: 'netfilter', event: parseNetfilter(msg, ts, ctx.isInternal, m.hostname ?? ctx.peer) };
  else if (isBindQuery(msg)) r = { format: 'bind', event: parseBindQuery(msg, ts) };
  if (r === null || r.event === null) return null;
  if (ctx.site !== undefined) r.event.site = ctx.site;
  return { format: r.format, event: r.event };
}

export { parseBindQuery } from './bind.ts';
export { parseUnbound } from './unbound.ts';
export { parseNetfilter } from './netfilter.ts';
