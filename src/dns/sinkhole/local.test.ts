import { describe, expect, it } from 'vitest';
import type { DnsEvent } from '../../model/events.ts';
import { Registry } from '../../core/metrics.ts';
import { localSinkholeHosts, tapBlocked } from './local.ts';
import { registerSinkholeMetrics } from './metrics.ts';

const iface = (address: string) => ({ address, netmask: '', family: address.includes(':') ? 'IPv6' : 'IPv4', mac: '', internal: false, cidr: null }) as never;

describe('localSinkholeHosts', () => {
  it('keeps addresses of this machine and loopback, never the unspecified ones', () => {
    const ifs = { eth0: [iface('192.0.2.10'), iface('2001:db8::10')] };
    expect(localSinkholeHosts(['0.0.0.0', '::'], ifs)).toEqual([]);
    expect(localSinkholeHosts(['192.0.2.10', '2001:DB8::10', '198.51.100.1'], ifs)).toEqual(['192.0.2.10', '2001:DB8::10']);
    expect(localSinkholeHosts(['127.0.0.2', '::1'], ifs)).toEqual(['127.0.0.2', '::1']);
  });
});

describe('tapBlocked', () => {
  const ev = (over: Partial<DnsEvent>): DnsEvent => ({ kind: 'dns', ts: 0, client: '10.0.0.5', name: 'pool.test', qtype: 1, rcode: 0, outcome: 'blocked', latencyUs: 1, ...over });

  it('notes blocked A/AAAA answers for the client and passes every event on', () => {
    const noted: string[] = [];
    const passed: DnsEvent[] = [];
    const tap = tapBlocked({ record: (e) => (passed.push(e), true) }, { noteBlocked: (c, n) => noted.push(`${c} ${n}`) });
    tap.record(ev({}));
    tap.record(ev({ qtype: 28, name: 'v6.pool.test' }));
    tap.record(ev({ qtype: 16 })); // TXT: NODATA, nothing to connect to
    tap.record(ev({ rcode: 3 })); // NXDOMAIN
    tap.record(ev({ outcome: 'resolved', name: 'fine.test' }));
    expect(noted).toEqual(['10.0.0.5 pool.test', '10.0.0.5 v6.pool.test']);
    expect(passed).toHaveLength(5);
  });
});

describe('registerSinkholeMetrics', () => {
  it('exposes the stats', async () => {
    const registry = new Registry();
    registerSinkholeMetrics(registry, { stats: { connections: 3, events: 2, dropped: 0, refused: 1, errors: 0, active: 1 } });
    const text = await registry.metrics();
    expect(text).toContain('minewarden_sinkhole_connections_total 3');
    expect(text).toContain('minewarden_sinkhole_open_connections 1');
  });
});
