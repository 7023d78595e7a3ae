/**
 * BIND 9 query log (category `queries`, `querylog yes`), as named writes it through syslog:
 *   9.11+: `client @0x7f3c2c0a8b68 10.1.2.3#53214 (example.com): query: example.com IN A +E(0)K (10.0.0.1)`
 *   9.9/9.10: `client 10.1.2.3#53214 (example.com): query: example.com IN A + (10.0.0.1)`
 * optionally with `view NAME: ` before `query:`, and `queries: info: ` in front when
 * print-category/print-severity are on. The log is of queries, not answers: outcome 'resolved',
 * rcode 0 and latency 0 are placeholders.
 */
import type { DnsEvent } from '../../../model/events.ts';
import { qtypeNumber } from '../../eve/index.ts';

const QUERY = /\bclient (?:@0x[0-9a-f]+ )?([0-9A-Fa-f.:]+)#(\d{1,5})(?: \([^)]*\))?: (?:view [^:]*: )?query: (\S+) ([A-Z0-9]+) ([A-Z0-9-]+) /;

export function isBindQuery(msg: string): boolean {
  return msg.includes('query: ') && msg.includes('client ');
}

export function parseBindQuery(msg: string, ts: number): DnsEvent | null {
  const m = QUERY.exec(msg);
  if (!m) return null;
  const qtype = qtypeNumber(m[5]!);
  if (qtype < 0) return null;
  const name = m[3]!.toLowerCase();
  return { kind: 'dns', ts, client: m[1]!, name: name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name, qtype, rcode: 0, outcome: 'resolved', latencyUs: 0 };
}
