import { describe, expect, it } from 'vitest';
import { TemplateCache } from './cache.ts';
import { decodeNetflow } from './decode.ts';
import {
  Bytes, dataSet, ipfixMessage, ipfixOptionsTemplateSet, ipfixTemplateSet, v4Flow, V4_FLOW, type FieldSpec,
} from './packets.test-util.ts';

const EXPORT = 1_800_000_000;
const T0 = EXPORT * 1000;

/** IPv6 biflow: addresses, ports, proto, a varlen interfaceName (82), an unknown enterprise field, RFC 5103 reverse counters, ms times. */
const BIFLOW: FieldSpec[] = [
  { id: 27, len: 16 }, { id: 28, len: 16 }, { id: 7, len: 2 }, { id: 11, len: 2 }, { id: 4, len: 1 },
  { id: 82, len: 0xffff }, { id: 100, len: 4, pen: 9 }, { id: 6, len: 2 },
  { id: 1, len: 4 }, { id: 2, len: 4 },
  { id: 1, len: 4, pen: 29305 }, { id: 2, len: 4, pen: 29305 }, { id: 6, len: 1, pen: 29305 },
  { id: 152, len: 8 }, { id: 153, len: 8 },
];

function biflowRecord(ifName: Uint8Array | number[]): Uint8Array {
  return new Bytes()
    .ip('2001:db8::5').ip('2001:db8:0:0:1::1').u16(50000).u16(443).u8(6)
    .varlen(ifName).u32(0xdeadbeef).u16(0x0012)
    .u32(1200).u32(10)
    .u32(64000).u32(50).u8(0x19)
    .u64(T0 - 5000).u64(T0 - 1000)
    .bytes();
}

describe('IPFIX decoding', () => {
  it('decodes variable-length, enterprise and RFC 5103 reverse fields', () => {
    const cache = new TemplateCache();
    const long = new Array<number>(300).fill(0x41);
    const msg = ipfixMessage(7, EXPORT, [ipfixTemplateSet([[300, BIFLOW]]), dataSet(300, [biflowRecord([0x65, 0x74, 0x68, 0x30]), biflowRecord(long)])]);
    const { flows, errors } = decodeNetflow(msg, '192.0.2.1', cache, T0);
    expect(errors).toEqual([]);
    expect(flows).toHaveLength(2);
    expect(flows[0]).toMatchObject({
      exporter: '192.0.2.1', version: 10, domain: 7,
      src: '2001:db8::5', dst: '2001:db8::1:0:0:1', srcPort: 50000, dstPort: 443, proto: 6,
      bytes: 1200, packets: 10, tcpFlags: 0x12, revBytes: 64000, revPackets: 50, revTcpFlags: 0x19,
      start: T0 - 5000, end: T0 - 1000, sampling: 1,
    });
    expect(flows[1]).toEqual(flows[0]);
  });

  it('reads second and NTP-format times (IE 150/151, 156/157)', () => {
    const cache = new TemplateCache();
    const fields: FieldSpec[] = [{ id: 8, len: 4 }, { id: 12, len: 4 }, { id: 150, len: 4 }, { id: 157, len: 8 }];
    const ntpSecs = EXPORT + 2_208_988_800;
    const rec = new Bytes().ip('10.0.0.1').ip('10.0.0.2').u32(EXPORT - 60).u32(ntpSecs).u32(2 ** 31).bytes();
    const { flows } = decodeNetflow(ipfixMessage(1, EXPORT, [ipfixTemplateSet([[256, fields]]), dataSet(256, [rec])]), 'x', cache, T0);
    expect(flows[0]).toMatchObject({ start: T0 - 60_000, end: T0 + 500 });
  });

  it('applies the sampling interval of an options record to later data (RFC 7011 §3.4.2.2)', () => {
    const cache = new TemplateCache();
    const opts = ipfixOptionsTemplateSet(400, [{ id: 149, len: 4 }], [{ id: 305, len: 4 }, { id: 306, len: 4 }]);
    const first = ipfixMessage(3, EXPORT, [opts, dataSet(400, [new Bytes().u32(3).u32(1).u32(99).bytes()]), ipfixTemplateSet([[256, V4_FLOW]])]);
    expect(decodeNetflow(first, 'r1', cache, T0).errors).toEqual([]);
    const data = ipfixMessage(3, EXPORT, [dataSet(256, [v4Flow('10.1.1.1', 40000, '8.8.8.8', 53, 17, 0, 100, 2, T0, T0)])]);
    expect(decodeNetflow(data, 'r1', cache, T0).flows[0]).toMatchObject({ bytes: 10_000, packets: 200, sampling: 100 });
    // Another observation domain of the same exporter is unsampled (and has no template).
    const other = decodeNetflow(ipfixMessage(4, EXPORT, [ipfixTemplateSet([[256, V4_FLOW]]), dataSet(256, [v4Flow('10.1.1.1', 1, '8.8.8.8', 53, 17, 0, 100, 2, T0, T0)])]), 'r1', cache, T0);
    expect(other.flows[0]).toMatchObject({ bytes: 100, sampling: 1 });
  });

  it('lets a configured per-exporter rate override the announced one', () => {
    const cache = new TemplateCache({ sampling: { r1: 8 } });
    const msg = ipfixMessage(0, EXPORT, [ipfixTemplateSet([[256, [...V4_FLOW, { id: 34, len: 4 }]]]), dataSet(256, [new Bytes().raw(v4Flow('10.0.0.1', 1, '10.0.0.2', 2, 6, 2, 60, 1, T0, T0)).u32(1000).bytes()])]);
    expect(decodeNetflow(msg, 'r1', cache, T0).flows[0]).toMatchObject({ bytes: 480, packets: 8, sampling: 8 });
    expect(decodeNetflow(msg, 'r2', cache, T0).flows[0]).toMatchObject({ bytes: 60_000, packets: 1000, sampling: 1000 });
  });
});

describe('template lifecycle', () => {
  const flow = v4Flow('10.0.0.1', 1234, '198.51.100.9', 80, 6, 0x1b, 500, 5, T0, T0 + 10);
  const tmpl = ipfixTemplateSet([[256, V4_FLOW]]);

  it('holds data that arrives before its template and decodes it when the template comes', () => {
    const cache = new TemplateCache();
    const early = decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'e', cache, T0);
    expect(early).toEqual({ flows: [], errors: [] });
    expect(cache.stats().pending).toBe(1);
    const later = decodeNetflow(ipfixMessage(1, EXPORT, [tmpl]), 'e', cache, T0 + 100);
    expect(later.flows).toHaveLength(1);
    expect(later.flows[0]).toMatchObject({ src: '10.0.0.1', dst: '198.51.100.9', bytes: 500 });
    expect(cache.stats().pending).toBe(0);
  });

  it('counts held data as "no template" when it waits too long or the hold overflows', () => {
    const cache = new TemplateCache({ pendingMs: 1000, maxPendingSets: 2 });
    const data = ipfixMessage(1, EXPORT, [dataSet(256, [flow])]);
    decodeNetflow(data, 'e', cache, T0);
    decodeNetflow(data, 'e', cache, T0);
    expect(decodeNetflow(data, 'e', cache, T0).errors).toEqual(['no template 256 (domain 1)']);
    expect(cache.sweep(T0 + 5000)).toHaveLength(2);
    expect(cache.stats().pending).toBe(0);
  });

  it('bounds the hold by bytes, and forgets template-less exporters first when there are too many', () => {
    const cache = new TemplateCache({ maxPendingBytes: 120, maxExporters: 2 });
    const data = ipfixMessage(1, EXPORT, [dataSet(256, [flow])]);
    decodeNetflow(data, 'e', cache, T0);
    decodeNetflow(data, 'e', cache, T0);
    expect(decodeNetflow(data, 'e', cache, T0).errors).toEqual(['no template 256 (domain 1)']);
    decodeNetflow(ipfixMessage(1, EXPORT, [tmpl]), 'kept', cache, T0);
    decodeNetflow(data, 'spoofed', cache, T0);
    expect(cache.stats()).toMatchObject({ exporters: 2, templates: 1 });
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'kept', cache, T0).flows).toHaveLength(1);
  });

  it('forgets a template after the timeout and replaces one that is redefined', () => {
    const cache = new TemplateCache({ templateTimeoutMs: 60_000 });
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [tmpl, dataSet(256, [flow])]), 'e', cache, T0).flows).toHaveLength(1);
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'e', cache, T0 + 61_000).flows).toHaveLength(0);
    expect(cache.stats()).toMatchObject({ templates: 0, pending: 1 });

    const swapped: FieldSpec[] = [{ id: 12, len: 4 }, { id: 8, len: 4 }, { id: 2, len: 4 }];
    decodeNetflow(ipfixMessage(1, EXPORT, [tmpl]), 'e', cache, T0 + 62_000);
    const r = decodeNetflow(ipfixMessage(1, EXPORT, [ipfixTemplateSet([[256, swapped]]), dataSet(256, [new Bytes().ip('1.1.1.1').ip('2.2.2.2').u32(9).bytes()])]), 'e', cache, T0 + 63_000);
    expect(r.flows).toEqual([expect.objectContaining({ src: '2.2.2.2', dst: '1.1.1.1', packets: 9, bytes: 0 })]);
  });

  it('keeps templates apart per exporter and observation domain, and honours a withdrawal', () => {
    const cache = new TemplateCache();
    decodeNetflow(ipfixMessage(1, EXPORT, [tmpl]), 'a', cache, T0);
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'b', cache, T0).flows).toHaveLength(0);
    expect(decodeNetflow(ipfixMessage(2, EXPORT, [dataSet(256, [flow])]), 'a', cache, T0).flows).toHaveLength(0);
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'a', cache, T0).flows).toHaveLength(1);
    const withdraw = new Bytes().u16(2).u16(8).u16(256).u16(0).bytes();
    decodeNetflow(ipfixMessage(1, EXPORT, [withdraw]), 'a', cache, T0);
    expect(decodeNetflow(ipfixMessage(1, EXPORT, [dataSet(256, [flow])]), 'a', cache, T0).flows).toHaveLength(0);
  });

  it('reports a set that runs past the message and a record cut short', () => {
    const cache = new TemplateCache();
    const msg = ipfixMessage(1, EXPORT, [tmpl, dataSet(256, [flow])]);
    const cut = msg.slice(0, msg.length - 10);
    new DataView(cut.buffer).setUint16(2, cut.length);
    expect(decodeNetflow(cut, 'e', cache, T0).errors[0]).toMatch(/runs past/);
    const varT = ipfixTemplateSet([[257, [{ id: 8, len: 4 }, { id: 12, len: 4 }, { id: 82, len: 0xffff }]]]);
    const bad = ipfixMessage(1, EXPORT, [varT, dataSet(257, [new Bytes().ip('1.1.1.1').ip('2.2.2.2').u8(200).u8(1).bytes()])]);
    expect(decodeNetflow(bad, 'e', cache, T0).errors).toEqual(['set 257: record runs past the set']);
  });
});
