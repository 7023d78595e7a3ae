/**
 * The real softflowd 1.1.0 exports in ../shared/testdata/netflow: the v5 capture against the CSV
 * ground truth, and the v9 capture (same traffic) against the v5 view.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TemplateCache } from './cache.ts';
import { decodeNetflow, type FlowRecord } from './decode.ts';
import { FlowJoiner } from './join.ts';
import { readUdpPayloads } from './pcap.test-util.ts';

const DIR = new URL('../../../../shared/testdata/netflow/', import.meta.url);
const file = (name: string): string => new URL(name, DIR).pathname;

function decodeAll(name: string): { flows: FlowRecord[]; errors: string[]; packets: number; cache: TemplateCache } {
  const cache = new TemplateCache();
  const flows: FlowRecord[] = [];
  const errors: string[] = [];
  const dgrams = readUdpPayloads(file(name));
  for (const d of dgrams) {
    const r = decodeNetflow(d.payload, d.src, cache, 1_000);
    flows.push(...r.flows);
    errors.push(...r.errors);
  }
  return { flows, errors, packets: dgrams.length, cache };
}

const key = (f: FlowRecord): string => [f.src, f.srcPort, f.dst, f.dstPort, f.proto, f.packets, f.bytes, f.tcpFlags].join(',');

describe('softflowd NetFlow v5 capture', () => {
  const { flows, errors, packets } = decodeAll('netflow_v5_softflowd.pcap');
  const csv = readFileSync(file('netflow_v5_softflowd.flows.csv'), 'utf8').trim().split('\n');

  it('decodes 15 datagrams into the 434 flows of the CSV, without errors', () => {
    expect(csv[0]).toBe('srcaddr,srcport,dstaddr,dstport,proto,packets,octets,tcp_flags');
    expect(packets).toBe(15);
    expect(errors).toEqual([]);
    expect(flows).toHaveLength(csv.length - 1);
    expect(flows).toHaveLength(434);
  });

  it('matches every CSV row field by field, in order', () => {
    flows.forEach((f, i) => expect(key(f)).toBe(csv[i + 1]));
  });

  it('turns sysUptime-relative times into epoch ms within the export day', () => {
    for (const f of flows) {
      expect(f.end).toBeGreaterThanOrEqual(f.start);
      expect(f.start).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(f.sampling).toBe(1);
    }
  });
});

describe('softflowd NetFlow v9 capture', () => {
  const { flows, errors, packets, cache } = decodeAll('netflow_v9_softflowd.pcap');
  const v5 = decodeAll('netflow_v5_softflowd.pcap').flows;

  it('learns 4 templates and 1 options template, then decodes 443 flows (434 IPv4, 9 IPv6) without errors', () => {
    expect(packets).toBe(15);
    expect(errors).toEqual([]);
    expect(cache.stats()).toEqual({ exporters: 1, templates: 5, pending: 0 });
    expect(flows).toHaveLength(443);
    expect(flows.filter((f) => f.src.includes(':'))).toHaveLength(9);
  });

  it('has the same IPv4 flows as the v5 export of the same traffic', () => {
    const v4 = flows.filter((f) => !f.src.includes(':')).map(key).sort();
    expect(v4).toEqual(v5.map(key).sort());
  });

  it('reads the IPv6 records with RFC 5952 addresses', () => {
    for (const f of flows.filter((x) => x.src.includes(':'))) {
      expect(f.src).toMatch(/^[0-9a-f:]+$/);
      expect(f.src).not.toMatch(/(^|:)0[0-9a-f]/);
    }
  });

  it('has the v5 times within a second (v9 headers carry no sub-second export time)', () => {
    const byKey = new Map(v5.map((f) => [key(f), f]));
    for (const f of flows) {
      const g = byKey.get(key(f));
      if (g) expect(Math.abs(g.start - f.start)).toBeLessThan(1000);
    }
  });

  it('joins both directions of the pool conversations', () => {
    const j = new FlowJoiner();
    const events = [...flows.flatMap((f) => j.push(f, 0)), ...j.flush(0, true)];
    const pool = events.find((e) => e.dst === '185.71.66.20' && e.dstPort === 6666);
    expect(pool).toMatchObject({ src: '147.229.13.222', srcPort: 55565, proto: 6, bytesOut: 19520, pktsOut: 53, bytesIn: 3709, pktsIn: 34, sensor: 'netflow:127.0.0.1' });
    expect(events.length).toBeLessThan(flows.length);
  });
});
