/** UDP and TCP on the same address and port (TCP takes the port UDP got when asked for port 0). */
import type { QueryHandler } from './handler.ts';
import { listenTcp } from './tcp.ts';
import { listenUdp, type Listen, type UdpOptions } from './udp.ts';

export interface Bound {
  proto: 'udp' | 'tcp' | 'dot' | 'doh';
  host: string;
  port: number;
}

/** Binds every address; on a failure, closes what it had bound and rethrows. Returns the closers. */
export async function listenUdpTcp(listens: readonly Listen[], handler: QueryHandler, addresses: Bound[], closers: Array<() => Promise<void>>, udp: UdpOptions = {}): Promise<void> {
  for (const at of listens) {
    const u = await listenUdp(at, handler, udp);
    closers.push(u.close);
    addresses.push({ proto: 'udp', host: at.host, port: u.port });
    const t = await listenTcp({ host: at.host, port: u.port }, handler);
    closers.push(t.close);
    addresses.push({ proto: 'tcp', host: at.host, port: t.port });
  }
}
