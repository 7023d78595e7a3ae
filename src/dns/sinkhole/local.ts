/**
 * Glue for `serve`: whether the sinkhole address the gateway answers with is this machine's (only
 * then is there anything here for a client to connect to), and a query-log tap that tells the
 * sinkhole which name it answered for which client.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { DnsEvent } from '../../model/events.ts';

const TYPE_A = 1; // RFC 1035 §3.2.2
const TYPE_AAAA = 28; // RFC 3596 §2.1

/**
 * The given sinkhole addresses that are assigned to this machine. The unspecified addresses
 * (0.0.0.0, ::) are never local in this sense: as an answer they send a client nowhere (to itself).
 */
export function localSinkholeHosts(
  addresses: readonly string[],
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const own = new Set<string>();
  for (const list of Object.values(interfaces)) for (const i of list ?? []) own.add(i.address.toLowerCase());
  return addresses.filter((a) => {
    const x = a.toLowerCase();
    if (x === '0.0.0.0' || x === '::' || x === '') return false;
    return own.has(x) || /^127\./.test(x) || x === '::1';
  });
}

/**
 * A query log that passes every event on to `next` and, for an A or AAAA query that was blocked
 * with an answer (the sinkhole action: NOERROR with the sinkhole address), notes the name for the
 * client. Install it only when the block action is `sinkhole` (NODATA is NOERROR too).
 */
export function tapBlocked(
  next: { record(ev: DnsEvent): boolean } | null,
  sinkhole: { noteBlocked(client: string, name: string): void },
): { record(ev: DnsEvent): boolean } {
  return {
    record(ev: DnsEvent): boolean {
      if (ev.outcome === 'blocked' && ev.rcode === 0 && (ev.qtype === TYPE_A || ev.qtype === TYPE_AAAA)) {
        sinkhole.noteBlocked(ev.client, ev.name);
      }
      return next === null ? true : next.record(ev);
    },
  };
}
