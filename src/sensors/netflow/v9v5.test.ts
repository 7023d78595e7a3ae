import { describe, expect, it } from 'vitest';
import { TemplateCache } from './cache.ts';
import { decodeNetflow } from './decode.ts';
import { Bytes, dataSet, v9OptionsTemplateSet, v9Packet, v9TemplateSet, type FieldSpec } from './packets.test-util.ts';

const SECS = 1_800_000_000;
const T0 = SECS * 1000;

function v5(samplingWord: number, uptime: number, nsecs: number, records: { first: number; last: number; pkts: number; bytes: number }[]): Uint8Array {
  const w = new Bytes().u16(5).u16(records.length).u32(uptime).u32(SECS).u32(nsecs).u32(1).u8(0).u8(0).u16(samplingWord);
  for (const r of records) {
    w.ip('192.168.1.10').ip('203.0.113.7').ip('0.0.0.0').u16(1).u16(2).u32(r.pkts).u32(r.bytes).u32(r.first).u32(r.last)
      .u16(51000).u16(3333).u8(0).u8(0x1b).u8(6).u8(0).u16(0).u16(0).u8(24).u8(0).u16(0);
  }
  return w.bytes();
}

describe('NetFlow v5', () => {
  it('multiplies by the header sampling interval (low 14 bits; top 2 are the mode)', () => {
    const { flows } = decodeNetflow(v5((1 << 14) | 64, 10_000, 0, [{ first: 1000, last: 9000, pkts: 3, bytes: 300 }]), 'r', new TemplateCache(), T0);
    expect(flows[0]).toMatchObject({ packets: 192, bytes: 19_200, sampling: 64, src: '192.168.1.10', dst: '203.0.113.7', srcPort: 51000, dstPort: 3333, proto: 6, tcpFlags: 0x1b });
  });

  it('converts sysUptime times with the header clock, nsecs included, across an uptime wrap', () => {
    const [f] = decodeNetflow(v5(0, 10_000, 250_000_000, [{ first: 1000, last: 9000, pkts: 1, bytes: 1 }]), 'r', new TemplateCache(), T0).flows;
    expect(f).toMatchObject({ start: T0 + 250 - 9000, end: T0 + 250 - 1000 });
    // Uptime wrapped past 2^32 after the flow started.
    const [g] = decodeNetflow(v5(0, 500, 0, [{ first: 2 ** 32 - 1500, last: 400, pkts: 1, bytes: 1 }]), 'r', new TemplateCache(), T0).flows;
    expect(g).toMatchObject({ start: T0 - 2000, end: T0 - 100 });
  });

  it('reports a count larger than the packet and decodes what is there', () => {
    const p = v5(0, 1, 0, [{ first: 0, last: 0, pkts: 1, bytes: 1 }, { first: 0, last: 0, pkts: 1, bytes: 1 }]);
    const r = decodeNetflow(p.subarray(0, p.length - 10), 'r', new TemplateCache(), T0);
    expect(r.flows).toHaveLength(1);
    expect(r.errors).toEqual(['v5: header says 2 records, 1 present']);
  });

  it('uses a configured rate over the header', () => {
    const { flows } = decodeNetflow(v5(10, 1, 0, [{ first: 0, last: 0, pkts: 2, bytes: 20 }]), 'r', new TemplateCache({ sampling: { r: 1000 } }), T0);
    expect(flows[0]).toMatchObject({ packets: 2000, bytes: 20_000 });
  });
});

describe('NetFlow v9', () => {
  const fields: FieldSpec[] = [
    { id: 8, len: 4 }, { id: 12, len: 4 }, { id: 22, len: 4 }, { id: 21, len: 4 }, { id: 1, len: 4 }, { id: 2, len: 4 },
    { id: 7, len: 2 }, { id: 11, len: 2 }, { id: 4, len: 1 }, { id: 6, len: 1 },
  ];
  const rec = (first: number, last: number): Uint8Array =>
    new Bytes().ip('10.9.8.7').ip('37.59.21.58').u32(first).u32(last).u32(1500).u32(12).u16(40100).u16(5222).u8(6).u8(0x02).bytes();

  it('reads options data with a "system" scope (RFC 3954 §6.1 type 1, not IE 1) and samples later data', () => {
    const cache = new TemplateCache();
    const opts = v9OptionsTemplateSet(260, [{ id: 1, len: 4 }], [{ id: 34, len: 4 }, { id: 35, len: 1 }]);
    const optData = dataSet(260, [new Bytes().u32(0).u32(50).u8(2).bytes()]);
    const r = decodeNetflow(v9Packet(77, SECS, 60_000, [v9TemplateSet([[1024, fields]]), opts, optData, dataSet(1024, [rec(10_000, 50_000)])]), '10.0.0.254', cache, T0);
    expect(r.errors).toEqual([]);
    expect(r.flows).toEqual([expect.objectContaining({ domain: 77, bytes: 75_000, packets: 600, sampling: 50, start: T0 - 50_000, end: T0 - 10_000 })]);
  });

  it('holds data sent before its template, per source id', () => {
    const cache = new TemplateCache();
    expect(decodeNetflow(v9Packet(1, SECS, 60_000, [dataSet(1024, [rec(0, 1)])]), 'x', cache, T0).flows).toHaveLength(0);
    const r = decodeNetflow(v9Packet(1, SECS, 60_000, [v9TemplateSet([[1024, fields]])]), 'x', cache, T0);
    expect(r.flows).toEqual([expect.objectContaining({ src: '10.9.8.7', dstPort: 5222, start: T0 - 60_000 })]);
  });

  it('rejects bad flowset lengths and template ids without throwing', () => {
    const cache = new TemplateCache();
    const bad = new Bytes().raw(v9Packet(1, SECS, 0, [])).u16(1024).u16(2).bytes();
    expect(decodeNetflow(bad, 'x', cache, T0).errors).toEqual(['v9: set 1024 length 2 runs past the packet']);
    const lowId = v9Packet(1, SECS, 0, [v9TemplateSet([[12, fields]])]);
    expect(decodeNetflow(lowId, 'x', cache, T0).errors).toEqual(['v9: template id 12 below 256']);
  });
});
