/** The collector on loopback, fed the real softflowd datagrams by a node:dgram client. */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowEvent, HostName, MinewardenEvent } from '../../model/events.ts';
import type { EventOutput } from '../types.ts';
import { NetflowCollector, parseListen } from './collector.ts';
import { readUdpPayloads } from './pcap.test-util.ts';

const pcap = (v: number): Uint8Array[] =>
  readUdpPayloads(new URL(`../../../../shared/testdata/netflow/netflow_v${v}_softflowd.pcap`, import.meta.url).pathname).map((d) => d.payload);

class Collecting implements EventOutput {
  events: MinewardenEvent[] = [];
  accept = true;
  record(ev: MinewardenEvent): boolean {
    if (this.accept) this.events.push(ev);
    return this.accept;
  }
  noteHostName(_client: string, _site: string, _name: HostName): void {}
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

async function send(to: string, packets: Uint8Array[], family: 'udp4' | 'udp6' = 'udp4'): Promise<void> {
  const { host, port } = parseListen(to);
  const c = createSocket(family);
  for (const p of packets) {
    await new Promise<void>((resolve, reject) => c.send(p, port, host, (err) => (err ? reject(err) : resolve())));
    // Loopback drops bursts beyond the receive buffer; a short pause keeps the test deterministic.
    await new Promise((r) => setTimeout(r, 2));
  }
  c.close();
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let running: NetflowCollector | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('NetflowCollector', () => {
  it('receives the real v5 export on IPv4 loopback and records joined flow events', async () => {
    const out = new Collecting();
    const c = (running = new NetflowCollector({ listen: '127.0.0.1:0', joinWindowMs: 100 }, out));
    await c.start();
    await send(c.address(), pcap(5));
    const flows = out.events as FlowEvent[];
    // 434 one-way records; every pair with its reply becomes one event, lone ones follow after the window.
    const records = (): number => flows.reduce((n, e) => n + (e.pktsIn > 0 ? 2 : 1), 0);
    await until(() => records() >= 434);
    expect(c.packets).toBe(15);
    expect(records()).toBe(434);
    expect(flows.find((e) => e.dst === '185.71.66.20' && e.srcPort === 55565)).toMatchObject({
      kind: 'flow', client: '147.229.13.222', bytesOut: 19520, pktsOut: 53, bytesIn: 3709, pktsIn: 34, sensor: 'netflow:127.0.0.1',
    });
    const h = c.health();
    expect(h).toMatchObject({ kind: 'netflow', errors: 0, events: flows.length });
    expect(h.detail).toMatch(/^udp 127\.0\.0\.1:\d+; 1 exporters, 0 templates/);
  });

  it('receives the real v9 export on IPv6 loopback, survives garbage, and samples it in health', async () => {
    const out = new Collecting();
    const c = (running = new NetflowCollector({ listen: '[::1]:0', joinWindowMs: 50 }, out));
    await c.start();
    expect(c.address()).toMatch(/^\[::1\]:\d+$/);
    await send(c.address(), [new Uint8Array([0, 9, 1]), new Uint8Array(200).fill(0x0a), ...pcap(9)], 'udp6');
    await c.stop();
    running = null;
    const flows = out.events as FlowEvent[];
    expect(flows.reduce((n, e) => n + (e.pktsIn > 0 ? 2 : 1), 0)).toBe(443);
    expect(flows.every((e) => e.sensor === 'netflow:::1')).toBe(true);
    const h = c.health();
    expect(h.errors).toBe(2);
    expect(h.samples[0]).toMatchObject({ reason: '::1: short packet', sample: '\\x00\\x09\\x01' });
    expect(h.detail).toMatch(/1 exporters, 5 templates.*\(stopped\)|\(stopped\).*1 exporters, 5 templates/);
  });

  it('parses listen addresses and rejects nonsense', () => {
    expect(parseListen('0.0.0.0:2055')).toEqual({ host: '0.0.0.0', port: 2055 });
    expect(parseListen('[::]:4739')).toEqual({ host: '::', port: 4739 });
    expect(parseListen(':9995')).toEqual({ host: '0.0.0.0', port: 9995 });
    expect(() => parseListen('nope')).toThrow(/host:port/);
    expect(() => parseListen('1.2.3.4:70000')).toThrow();
  });
});
