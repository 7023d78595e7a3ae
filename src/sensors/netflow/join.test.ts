import { describe, expect, it } from 'vitest';
import { FlowJoiner, tcpLetters } from './join.ts';
import type { FlowRecord } from './record.ts';

function rec(p: Partial<FlowRecord>): FlowRecord {
  return {
    exporter: '10.0.0.254', version: 9, domain: 0, src: '192.168.1.10', dst: '185.71.66.20', srcPort: 55565, dstPort: 6666, proto: 6,
    bytes: 100, packets: 2, tcpFlags: 0, start: 1000, end: 2000, revBytes: 0, revPackets: 0, revTcpFlags: 0, sampling: 1, ...p,
  };
}
const reply = (p: Partial<FlowRecord>): FlowRecord =>
  rec({ src: '185.71.66.20', srcPort: 6666, dst: '192.168.1.10', dstPort: 55565, ...p });

describe('FlowJoiner', () => {
  it('joins A→B and B→A into one event with out/in counters and the union of flags', () => {
    const j = new FlowJoiner();
    expect(j.push(rec({ bytes: 19520, packets: 53, tcpFlags: 0x1b }), 0)).toEqual([]);
    const [ev] = j.push(reply({ bytes: 3709, packets: 34, tcpFlags: 0x1a, start: 1010, end: 2500 }), 5);
    expect(ev).toEqual({
      kind: 'flow', ts: 1000, end: 2500, client: '192.168.1.10',
      src: '192.168.1.10', srcPort: 55565, dst: '185.71.66.20', dstPort: 6666, proto: 6,
      bytesOut: 19520, pktsOut: 53, bytesIn: 3709, pktsIn: 34, tcpState: 'SAFP', sensor: 'netflow:10.0.0.254',
    });
    expect(j.size).toBe(0);
  });

  it('takes the bare SYN side as initiator even when the reply arrived first (a reject: "SAR")', () => {
    const j = new FlowJoiner();
    j.push(reply({ tcpFlags: 0x14, start: 900 }), 0);
    const [ev] = j.push(rec({ tcpFlags: 0x02, start: 1000 }), 0);
    expect(ev).toMatchObject({ src: '192.168.1.10', dst: '185.71.66.20', dstPort: 6666, tcpState: 'SAR' });
  });

  it('falls back to the earlier start, then to the higher (ephemeral) source port', () => {
    const j = new FlowJoiner();
    j.push(reply({ proto: 17, start: 1000 }), 0);
    expect(j.push(rec({ proto: 17, start: 990 }), 0)[0]).toMatchObject({ src: '192.168.1.10', srcPort: 55565, tcpState: null });
    j.push(reply({ proto: 17 }), 0);
    expect(j.push(rec({ proto: 17 }), 0)[0]).toMatchObject({ src: '192.168.1.10', dstPort: 6666 });
  });

  it('puts the internal side in client even when the outside initiated', () => {
    const j = new FlowJoiner();
    const [ev] = j.push(rec({ src: '198.51.100.1', srcPort: 40000, dst: '10.1.2.3', dstPort: 22, revBytes: 5, revPackets: 1 }), 0);
    expect(ev).toMatchObject({ src: '198.51.100.1', client: '10.1.2.3', bytesIn: 5, pktsIn: 1 });
    const custom = new FlowJoiner({ isInternal: (ip) => ip.startsWith('198.51.100.') });
    expect(custom.push(rec({ src: '10.1.2.3', dst: '198.51.100.1', revPackets: 1 }), 0)[0]!.client).toBe('198.51.100.1');
  });

  it('emits a lone direction after the window, and everything on a full flush', () => {
    const j = new FlowJoiner({ windowMs: 2000, site: 'hq' });
    j.push(rec({}), 0);
    j.push(rec({ src: '192.168.1.11' }), 1500);
    expect(j.flush(1999)).toEqual([]);
    expect(j.flush(2001)).toEqual([expect.objectContaining({ src: '192.168.1.10', bytesIn: 0, pktsIn: 0, site: 'hq' })]);
    expect(j.flush(2001, true)).toHaveLength(1);
    // Not joined once the window has passed.
    j.push(rec({}), 0);
    j.flush(3000);
    expect(j.push(reply({}), 3001)).toEqual([]);
  });

  it('sends out the earlier record when the same direction repeats', () => {
    const j = new FlowJoiner();
    j.push(rec({ bytes: 1 }), 0);
    expect(j.push(rec({ bytes: 2 }), 1)).toEqual([expect.objectContaining({ bytesOut: 1 })]);
  });

  it('writes flags in a fixed order', () => {
    expect(tcpLetters(0x02)).toBe('S');
    expect(tcpLetters(0x13)).toBe('SAF');
    expect(tcpLetters(0xff)).toBe('SAFRPUEC');
  });
});
