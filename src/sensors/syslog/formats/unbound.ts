/**
 * Unbound query and reply logs (unbound.conf `log-queries: yes`, `log-replies: yes`), as
 * util/log.c writes them: `[pid:thread] info: ` then
 *   query: `10.1.2.3 example.com. A IN`
 *   reply: `10.1.2.3 example.com. A IN NOERROR 0.000000 0 45` (rcode, seconds, cached 0/1, size)
 */
import type { DnsEvent } from '../../../model/events.ts';
import { qtypeNumber, rcodeNumber } from '../../eve/index.ts';

const LINE = /(?:^|\] )info: ([0-9A-Fa-f.:]+) (\S+) ([A-Z0-9]+) (IN|CH|HS|CS|ANY|CLASS\d+)(?: ([A-Z0-9]+) (\d+\.\d+) ([01]) (\d+))?$/;

export function isUnboundLog(msg: string): boolean {
  return msg.includes('info: ');
}

export function parseUnbound(msg: string, ts: number): DnsEvent | null {
  const m = LINE.exec(msg);
  if (!m) return null;
  const qtype = qtypeNumber(m[3]!);
  if (qtype < 0) return null;
  const rcode = m[5] === undefined ? 0 : rcodeNumber(m[5]);
  if (rcode < 0) return null;
  const name = m[2]!.toLowerCase();
  return {
    kind: 'dns',
    ts,
    client: m[1]!,
    name: name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name,
    qtype,
    rcode,
    outcome: m[7] === '1' ? 'cached' : rcode === 2 ? 'servfail' : rcode === 5 ? 'refused' : 'resolved',
    latencyUs: m[6] === undefined ? 0 : Math.round(Number(m[6]) * 1e6),
  };
}
